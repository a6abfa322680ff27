package io.gochat.mq.bench;

/**
 * Runs two contenders side by side: warm-up rounds of each first (discarded), then measured pairs
 * in alternating order (A B, B A, A B, …) so that drift in the machine or the broker (page cache,
 * log segments, JIT, GC) does not favour whoever always runs first. Every round, of either side,
 * starts on a freshly collected heap: a young collection of the shared heap (the broker lives in
 * the same JVM) pauses everything for 20–70 ms, a tenth of a short throughput round and, for the
 * latency figure, about 1 % of a round's messages, which alone moves its p99. Whether a pause
 * landed in a round was luck; after {@code System.gc()} one rarely does, on either side.
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

    static Result run(String name, int warmups, int pairs, Round a, Round b, Progress progress) throws Exception {
        int round = 0;
        for (int i = 0; i < warmups; i++) {
            progress.note(name + ": warm-up " + (i + 1) + "/" + warmups);
            System.gc();
            a.run(round++);
            System.gc();
            b.run(round++);
        }
        double[] as = new double[pairs];
        double[] bs = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            if (i % 2 == 0) {
                System.gc();
                as[i] = a.run(round++);
                System.gc();
                bs[i] = b.run(round++);
            } else {
                System.gc();
                bs[i] = b.run(round++);
                System.gc();
                as[i] = a.run(round++);
            }
            progress.note(String.format(java.util.Locale.ROOT, "%s: pair %d/%d  library %.0f  raw %.0f  ratio %.3f",
                    name, i + 1, pairs, as[i], bs[i], bs[i] == 0 ? 0 : as[i] / bs[i]));
        }
        return new Result(as, bs);
    }
}
