package io.gochat.mq.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.confluent.parallelconsumer.ParallelConsumerOptions;
import io.confluent.parallelconsumer.ParallelConsumerOptions.ProcessingOrder;
import io.confluent.parallelconsumer.ParallelEoSStreamProcessor;
import io.confluent.parallelconsumer.internal.AbstractParallelEoSStreamProcessor;
import io.gochat.mq.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * One round of the slow-handler figures: a fresh group reads a pre-filled topic from the start,
 * every message's handler waiting {@code workNanos} ({@link LockSupport#parkNanos}, as a handler
 * waits for a database write or a push RPC; 0 for a no-op handler), timed from the first message
 * handled to the {@code target}-th, so joining the group is not part of the figure. Three ways to
 * run the same handler:
 * <ul>
 *   <li>the library's {@link Consumer#subscribe}, at the {@code consumer.concurrency} its
 *       configuration gives;</li>
 *   <li>one raw {@link KafkaConsumer} per partition, each on a thread of its own and assigned its
 *       partition, handling its records one after the other ({@link RawPollLoop}): what Spring
 *       Kafka's {@code concurrency} gives once its group has settled;</li>
 *   <li>Confluent's Parallel Consumer, ordering by key, {@value #PARALLEL_CONSUMER_CONCURRENCY}
 *       handlers at once, committing on the same interval.</li>
 * </ul>
 * Handlers may run on many threads at once, so the count is atomic on every side. Each round builds
 * and closes its own consumers; the instance itself is used from one thread.
 */
final class SlowHandler {
    static final int PARALLEL_CONSUMER_CONCURRENCY = 64;
    private static final long ROUND_TIMEOUT_S = 300;

    static {
        // Parallel Consumer (and its collections library) logs each start and stop at INFO, and when
        // closed now and then an InterruptedException of its own shutdown at ERROR (close interrupts its
        // control thread while that awaits the worker pool). A failure of it ends the round with its
        // cause (see parallelConsumer).
        quiet("io.confluent.parallelconsumer", Level.WARN);
        quiet("pl.tlinkowski.unij", Level.WARN);
        quiet(AbstractParallelEoSStreamProcessor.class.getName(), Level.OFF);
    }

    private final String topic;
    private final int partitions;
    private final int messages;
    private final long workNanos;
    private final long commitIntervalMs;

    /** Rounds over {@code topic}, pre-filled with {@code messages} over {@code partitions} partitions. */
    SlowHandler(String topic, int partitions, int messages, long workNanos, long commitIntervalMs) {
        this.topic = topic;
        this.partitions = partitions;
        this.messages = messages;
        this.workNanos = workNanos;
        this.commitIntervalMs = commitIntervalMs;
    }

    /**
     * Messages per second through {@link Consumer#subscribe}, over the first {@code target} messages
     * handled ({@code messages} for all of them); the consumer is closed once it has handled them.
     */
    double library(Supplier<Consumer> newConsumer, int target) throws InterruptedException {
        Tally tally = new Tally(target);
        Consumer consumer = newConsumer.get();
        Thread thread = new Thread(() -> {
            try {
                consumer.subscribe(List.of(topic), message -> handle(tally));
            } catch (RuntimeException e) {
                tally.fail(e);
            }
        }, "bench-slow-library");
        thread.start();
        tally.await(() -> { });
        consumer.close();
        thread.join();
        return tally.rate();
    }

    /** Messages per second through one raw consumer per partition ({@code newConsumer} of the partition). */
    double perPartition(IntFunction<KafkaConsumer<byte[], byte[]>> newConsumer) throws InterruptedException {
        Tally tally = new Tally(messages);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ROUND_TIMEOUT_S);
        Duration pollTimeout = KafkaSettings.pollTimeout(commitIntervalMs);
        long commitIntervalNanos = TimeUnit.MILLISECONDS.toNanos(commitIntervalMs);
        Thread[] threads = new Thread[partitions];
        for (int p = 0; p < partitions; p++) {
            TopicPartition partition = new TopicPartition(topic, p);
            threads[p] = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> consumer = newConsumer.apply(partition.partition())) {
                    RawPollLoop.run(consumer, partition, pollTimeout, commitIntervalNanos,
                            () -> !tally.over() && System.nanoTime() < deadline,
                            batch -> batch.forEach(record -> handle(tally)));
                } catch (RuntimeException e) {
                    tally.fail(e);
                }
            }, "bench-slow-partition-" + p);
            threads[p].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return tally.rate();
    }

    /** Messages per second through Confluent's Parallel Consumer on the raw consumer {@code newConsumer} gives. */
    double parallelConsumer(Supplier<KafkaConsumer<byte[], byte[]>> newConsumer) throws InterruptedException {
        Tally tally = new Tally(messages);
        ParallelEoSStreamProcessor<byte[], byte[]> processor = new ParallelEoSStreamProcessor<>(
                ParallelConsumerOptions.<byte[], byte[]>builder()
                        .consumer(newConsumer.get())
                        .ordering(ProcessingOrder.KEY)
                        .maxConcurrency(PARALLEL_CONSUMER_CONCURRENCY)
                        .commitInterval(Duration.ofMillis(commitIntervalMs))
                        .build());
        try {
            processor.subscribe(List.of(topic));
            processor.poll(context -> context.forEach(record -> handle(tally)));
            tally.await(() -> {
                if (processor.isClosedOrFailed()) {
                    Exception cause = processor.getFailureCause();
                    tally.fail(cause != null ? cause : new IllegalStateException("Parallel Consumer stopped"));
                }
            });
        } finally {
            processor.close();
        }
        return tally.rate();
    }

    private static void quiet(String logger, Level level) {
        if (LoggerFactory.getLogger(logger) instanceof Logger configurable) {
            configurable.setLevel(level);
        }
    }

    private void handle(Tally tally) {
        long end = System.nanoTime() + workNanos;
        for (long left = workNanos; left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
        tally.record();
    }

    /** Counts handled messages from any thread; notes when the first and the {@code target}-th were handled. */
    private final class Tally {
        private final int target;
        private final AtomicInteger count = new AtomicInteger();
        private final CountDownLatch reached = new CountDownLatch(1);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile long first;
        private volatile long last;

        Tally(int target) {
            this.target = target;
        }

        void record() {
            long now = System.nanoTime();
            int n = count.incrementAndGet();
            if (n == 1) {
                first = now;
            }
            if (n == target) {
                last = now;
                reached.countDown();
            }
        }

        void fail(Throwable e) {
            failure.compareAndSet(null, e);
            reached.countDown();
        }

        /** Whether the round is over: the target reached, or a consumer failed. */
        boolean over() {
            return reached.getCount() == 0;
        }

        /** Waits until the round is over or times out, running {@code check} (which may {@link #fail}) every 100 ms. */
        void await(Runnable check) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ROUND_TIMEOUT_S);
            while (!reached.await(100, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
                check.run();
            }
        }

        /** Messages per second between the first and the {@code target}-th. */
        double rate() {
            Throwable e = failure.get();
            if (e != null) {
                throw new IllegalStateException("a slow-handler round on " + topic + " failed: " + e, e);
            }
            if (count.get() < target) {
                throw new IllegalStateException("a slow-handler round read " + count.get() + " of " + target
                        + " messages of " + topic + " within " + ROUND_TIMEOUT_S + " s");
            }
            return (target - 1) / ((last - first) / 1e9);
        }
    }
}
