package io.gochat.mq.bench;

import java.util.Locale;

/**
 * Runs contenders side by side: warm-up rounds of each first (discarded), then measured rounds in
 * rotating order (A B, B A, A B, … for two; A B C, B C A, C A B, … for more) so that drift in the
 * machine or the broker (page cache, log segments, JIT, GC) does not favour whoever always runs
 * first. Every round, of any side, starts on a freshly collected heap: a young collection of the
 * shared heap (the broker lives in the same JVM) pauses everything for 20–70 ms, a tenth of a short
 * throughput round and, for the latency figure, about 1 % of a round's messages, which alone moves
 * its p99. Whether a pause landed in a round was luck; after {@code System.gc()} one rarely does,
 * on either side.
 *
 * <p>Not thread-safe; one instance per comparison.
 */
final class AbRounds {
    /** One measured round, returning a figure of merit (messages per second, a latency, …). */
    @FunctionalInterface
    interface Round {
        double run(int round) throws Exception;
    }

    /** The measured values: {@code a[i]} and {@code b[i]} are pair {@code i}. */
    static final class Result {
        final double[] a;
        final double[] b;

        Result(double[] a, double[] b) {
            this.a = a;
            this.b = b;
        }

        /** {@code a[i] / b[i]} for each pair. */
        double[] ratios() {
            return Samples.ratios(a, b);
        }
    }

    private AbRounds() {
    }

    /** Two contenders, library (A) and raw (B), in alternating pairs. */
    static Result run(String name, int warmups, int pairs, Round a, Round b, Progress progress) throws Exception {
        double[][] r = rotate(name, warmups, pairs, new String[] {"library", "raw"}, new Round[] {a, b}, progress);
        return new Result(r[0], r[1]);
    }

    /**
     * Any number of contenders, named by {@code names}: {@code rounds} measured rounds of each, the
     * order rotated by one each time. Returns {@code [contender][round]}.
     */
    static double[][] rotate(String name, int warmups, int rounds, String[] names, Round[] contenders,
            Progress progress) throws Exception {
        int n = contenders.length;
        int round = 0;
        for (int i = 0; i < warmups; i++) {
            progress.note(name + ": warm-up " + (i + 1) + "/" + warmups);
            for (Round contender : contenders) {
                System.gc();
                contender.run(round++);
            }
        }
        double[][] values = new double[n][rounds];
        for (int i = 0; i < rounds; i++) {
            for (int k = 0; k < n; k++) {
                int c = (i + k) % n;
                System.gc();
                values[c][i] = contenders[c].run(round++);
            }
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s: %s %d/%d ", name,
                    n == 2 ? "pair" : "round", i + 1, rounds));
            for (int c = 0; c < n; c++) {
                line.append(String.format(Locale.ROOT, " %s %.0f", names[c], values[c][i]));
            }
            double first = values[0][i];
            double second = values[1][i];
            progress.note(line.append(String.format(Locale.ROOT, "  ratio %.3f", second == 0 ? 0 : first / second))
                    .toString());
        }
        return values;
    }
}
