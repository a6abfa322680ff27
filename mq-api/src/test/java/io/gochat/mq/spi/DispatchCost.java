package io.gochat.mq.spi;

import io.gochat.mq.ConsumeCallback;
import io.gochat.mq.Message;
import io.gochat.mq.config.ConsumerConfig;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.internal.MessageAccess;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What {@link KeyOrderedDispatcher} costs per message with a no-op callback, without a broker: this
 * thread plays a Kafka poll thread (polls of {@value #POLL} messages over {@value #PARTITIONS}
 * partitions, 1,000 keys each always on the same partition, a commit whenever
 * {@link KeyOrderedDispatcher#commitWanted()} says so and every 5 s), the callback counts like the
 * benchmark's no-op handler. Prints wall and process CPU time per message, per round, for the
 * dispatcher at the given concurrency and for the same messages run on this thread (concurrency 1).
 *
 * <pre>
 * java -cp mq-api/target/classes:mq-api/target/test-classes:&lt;slf4j, logback&gt; \
 *     io.gochat.mq.spi.DispatchCost [messages per round] [rounds] [concurrency]
 * </pre>
 *
 * Not a test: a measuring tool, run by hand (docs/benchmarks.md, slow handlers).
 */
public final class DispatchCost {
    private static final int PARTITIONS = 6;
    private static final int KEYS = 1000;
    private static final int POLL = 500;

    private final byte[][] keys = new byte[KEYS][];
    private final byte[] value = new byte[100];
    private final AtomicLong handled = new AtomicLong();
    private volatile long lastHandledAt;

    private DispatchCost() {
        for (int k = 0; k < KEYS; k++) {
            keys[k] = ("user-" + k).getBytes(StandardCharsets.UTF_8);
        }
    }

    public static void main(String[] args) {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        DispatchCost cost = new DispatchCost();
        for (int round = -2; round < rounds; round++) {
            double[] c1 = cost.inline(messages);
            double[] cn = cost.dispatched(messages, concurrency);
            System.out.printf(Locale.ROOT, "%s c1 %.0f ns/msg wall %.0f cpu | c%d %.0f ns/msg wall %.0f cpu (poll thread %.0f)%n",
                    round < 0 ? "warm-up" : "round " + round, c1[0], c1[1], concurrency, cn[0], cn[1], cn[2]);
        }
    }

    private void handle() {
        handled.incrementAndGet();
        lastHandledAt = System.nanoTime();
    }

    private Message message(int partition, long offset, int key) {
        return MessageAccess.received("bench", keys[key], value, Map.of(), partition, offset, 1000);
    }

    /** Wall and CPU ns per message, the callback on this thread. */
    private double[] inline(int messages) {
        long[] offsets = new long[PARTITIONS];
        int[] nextKey = new int[PARTITIONS];
        long t0 = System.nanoTime();
        long c0 = cpu();
        try (CallbackRunner.ConsumeLoop loop = CallbackRunner.ConsumeLoop.start(m -> handle(),
                LoggerFactory.getLogger(DispatchCost.class))) {
            for (int n = 0; n < messages; ) {
                for (int p = 0; p < PARTITIONS && n < messages; p++) {
                    for (int i = 0; i < POLL / PARTITIONS && n < messages; i++, n++) {
                        loop.consume(message(p, offsets[p]++, key(nextKey, p)));
                    }
                }
            }
        }
        return new double[] {(double) (System.nanoTime() - t0) / messages, (double) (cpu() - c0) / messages};
    }

    /** Wall and CPU ns per message through a dispatcher of {@code concurrency}, until every message is reported. */
    private double[] dispatched(int messages, int concurrency) {
        ConsumerConfig config = MqConfig.builder().consumer(c -> c.concurrency(concurrency)).build().consumer();
        long[] reported = new long[PARTITIONS];
        long[] committed = new long[PARTITIONS];
        ConsumeCallback callback = m -> handle();
        KeyOrderedDispatcher<Integer> dispatcher = KeyOrderedDispatcher.start(callback, config, "cost",
                LoggerFactory.getLogger(DispatchCost.class), (p, next) -> reported[p] = next);
        long[] offsets = new long[PARTITIONS];
        int[] nextKey = new int[PARTITIONS];
        long start = handled.get();
        long t0 = System.nanoTime();
        long c0 = cpu();
        long nextCommit = t0 + TimeUnit.SECONDS.toNanos(5);
        long p0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        try {
            int submitted = 0;
            while (Arrays.stream(reported).sum() < messages) {
                boolean any = false;
                for (int p = 0; p < PARTITIONS && submitted < messages; p++) {
                    if (dispatcher.isFull(p)) {
                        continue;
                    }
                    for (int i = 0; i < POLL / PARTITIONS && submitted < messages; i++, submitted++) {
                        dispatcher.submit(p, message(p, offsets[p]++, key(nextKey, p)));
                        any = true;
                    }
                }
                dispatcher.drain();
                long now = System.nanoTime();
                if (dispatcher.commitWanted() || now - nextCommit >= 0) {
                    nextCommit = now + TimeUnit.SECONDS.toNanos(5);
                    for (int p = 0; p < PARTITIONS; p++) {
                        if (reported[p] > committed[p]) {
                            committed[p] = reported[p];
                            dispatcher.committed(p, committed[p]);
                        }
                    }
                }
                if (!any) { // every partition full, or all submitted: as a poll of paused partitions waits
                    dispatcher.awaitCompletion(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
        } finally {
            dispatcher.close();
        }
        if (handled.get() - start != messages) {
            throw new IllegalStateException("handled " + (handled.get() - start) + " of " + messages);
        }
        long pollCpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - p0;
        return new double[] {(double) (System.nanoTime() - t0) / messages, (double) (cpu() - c0) / messages,
            (double) pollCpu / messages};
    }

    /** The next key of {@code partition}: the keys of a partition in turn, each key on one partition as a partitioner puts it. */
    private static int key(int[] nextKey, int partition) {
        int k = nextKey[partition] * PARTITIONS + partition;
        nextKey[partition] = k + PARTITIONS >= KEYS ? 0 : nextKey[partition] + 1;
        return k;
    }

    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
