package io.gochat.mq.bench;

import java.util.Arrays;

/** Order statistics over a few measured values (medians of rounds, latency percentiles). Static, stateless. */
final class Samples {
    private Samples() {
    }

    /** The median of {@code values}; the mean of the two middle ones for an even count; 0 when empty. */
    static double median(double[] values) {
        if (values.length == 0) {
            return 0;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** The {@code q} quantile (0..1) of ascending {@code sorted}, by nearest rank; 0 when empty. */
    static long quantile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
    }

    /** {@code a[i] / b[i]} for each i. */
    static double[] ratios(double[] a, double[] b) {
        double[] r = new double[Math.min(a.length, b.length)];
        for (int i = 0; i < r.length; i++) {
            r[i] = b[i] == 0 ? 0 : a[i] / b[i];
        }
        return r;
    }

    /** Concatenates arrays. */
    static double[] concat(double[]... parts) {
        int n = 0;
        for (double[] p : parts) {
            n += p.length;
        }
        double[] all = new double[n];
        int k = 0;
        for (double[] p : parts) {
            System.arraycopy(p, 0, all, k, p.length);
            k += p.length;
        }
        return all;
    }
}
