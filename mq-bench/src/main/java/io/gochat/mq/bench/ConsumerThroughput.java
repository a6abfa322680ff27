package io.gochat.mq.bench;

import io.gochat.mq.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One round of consumer throughput: a fresh group reads {@code messages} pre-filled messages from
 * the start of a topic, timed from the first message processed to the last, so joining the group
 * is not part of the figure. The library runs a no-op callback under {@link Consumer#subscribe};
 * the raw side is {@link RawPollLoop}, the loop a careful user writes by hand.
 *
 * Each round also records what the poll thread allocated and used in CPU per message between the
 * first message and the last ({@link ThreadCounters}).
 *
 * <p>Each round runs its consumer on a thread of its own and is not thread-safe itself.
 */
final class ConsumerThroughput {
    private static final long ROUND_TIMEOUT_S = 300;

    private final String topic;
    private final int messages;
    private final long commitIntervalNanos;
    private final Duration pollTimeout;
    /** Per round: the poll thread's usage, library and raw. */
    final List<ThreadCounters.Usage> libraryPoll = new ArrayList<>();
    final List<ThreadCounters.Usage> rawPoll = new ArrayList<>();

    ConsumerThroughput(String topic, int messages, long commitIntervalMs) {
        this.topic = topic;
        this.messages = messages;
        this.commitIntervalNanos = TimeUnit.MILLISECONDS.toNanos(commitIntervalMs);
        this.pollTimeout = KafkaSettings.pollTimeout(commitIntervalMs);
    }

    /** Messages per second through {@link Consumer#subscribe} with a no-op callback. */
    double library(Supplier<Consumer> newConsumer) throws InterruptedException {
        Consumer consumer = newConsumer.get();
        long[] count = {0};
        long[] first = {0};
        long[] last = {0};
        long[] bytes = {0};
        ThreadCounters[] counters = {null};
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                consumer.subscribe(List.of(topic), message -> {
                    bytes[0] += message.valueSize();
                    long n = ++count[0];
                    if (n == 1) {
                        first[0] = System.nanoTime();
                        counters[0] = ThreadCounters.start(Thread.currentThread());
                    }
                    if (n == messages) {
                        last[0] = System.nanoTime();
                        libraryPoll.add(counters[0].perMessage(messages - 1));
                        done.countDown();
                    }
                });
            } catch (RuntimeException e) {
                failure.set(e);
                done.countDown();
            }
        }, "bench-library-consumer");
        thread.start();
        boolean finished = done.await(ROUND_TIMEOUT_S, TimeUnit.SECONDS);
        consumer.close();
        thread.join();
        return rate(finished, failure.get(), count[0], first[0], last[0]);
    }

    /** Messages per second through a hand-written poll loop. */
    double raw(Supplier<KafkaConsumer<byte[], byte[]>> newConsumer) throws InterruptedException {
        long[] count = {0};
        long[] first = {0};
        long[] last = {0};
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            long[] bytes = {0};
            ThreadCounters[] counters = {null};
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ROUND_TIMEOUT_S);
            try (KafkaConsumer<byte[], byte[]> consumer = newConsumer.get()) {
                RawPollLoop.run(consumer, topic, pollTimeout, commitIntervalNanos,
                        () -> count[0] < messages && System.nanoTime() < deadline, batch -> {
                            long sum = 0;
                            for (ConsumerRecord<byte[], byte[]> record : batch) {
                                byte[] value = record.value();
                                sum += value == null ? 0 : value.length;
                                long n = ++count[0];
                                if (n == 1) {
                                    first[0] = System.nanoTime();
                                    counters[0] = ThreadCounters.start(Thread.currentThread());
                                }
                                if (n == messages) {
                                    last[0] = System.nanoTime();
                                    rawPoll.add(counters[0].perMessage(messages - 1));
                                }
                            }
                            bytes[0] += sum;
                        });
            } catch (RuntimeException e) {
                failure.set(e);
            }
            if (bytes[0] < 0) {
                throw new AssertionError("keeps the value reads from being optimised away");
            }
        }, "bench-raw-consumer");
        thread.start();
        thread.join();
        return rate(count[0] >= messages, failure.get(), count[0], first[0], last[0]);
    }

    private double rate(boolean finished, Throwable failure, long count, long first, long last) {
        if (failure != null) {
            throw new IllegalStateException("a consumer round failed: " + failure, failure);
        }
        if (!finished) {
            throw new IllegalStateException("a consumer round read " + count + " of " + messages + " messages within "
                    + ROUND_TIMEOUT_S + " s");
        }
        return (messages - 1) / ((last - first) / 1e9);
    }

}
