package io.gochat.mq.bench;

import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.Producer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * End-to-end latency at a fixed rate below saturation: a paced sender stamps each message with
 * {@code System.nanoTime()} in a header, the consumer (same JVM, same clock) subtracts it on
 * receipt. A round first sends warm-up messages until the fresh group's consumer has received one
 * (its partitions are assigned and positioned) and the warm-up time has passed, then sends
 * {@code rate × measureMs} measured messages and waits for all of them. Library: {@code Producer}
 * and {@code Consumer}; raw: {@code KafkaProducer} and a poll loop committing like the library
 * ({@code commitSync} of processed offsets every {@code consumer.autoCommitIntervalMs}).
 *
 * <p>A round returns its p99 in milliseconds and keeps its latencies for {@link #pooled}. Not
 * thread-safe; rounds run on one thread.
 */
final class EndToEndLatency {
    static final String SENT_HEADER = "bench_sent_ns";
    static final String PHASE_HEADER = "bench_phase";
    private static final byte[] WARMUP = {'w'};
    private static final byte[] MEASURED = {'m'};
    private static final long JOIN_TIMEOUT_S = 120;
    private static final long DRAIN_TIMEOUT_S = 60;

    private final String topic;
    private final Payloads payloads;
    private final int rate;
    private final int warmupMs;
    private final int measured;
    private final long commitIntervalNanos;
    private final Duration pollTimeout;
    private final List<long[]> libraryRounds = new ArrayList<>();
    private final List<long[]> rawRounds = new ArrayList<>();

    EndToEndLatency(String topic, Payloads payloads, int rate, int warmupMs, int measureMs, long commitIntervalMs) {
        this.topic = topic;
        this.payloads = payloads;
        this.rate = rate;
        this.warmupMs = warmupMs;
        this.measured = (int) Math.max(1, (long) rate * measureMs / 1000);
        this.commitIntervalNanos = TimeUnit.MILLISECONDS.toNanos(commitIntervalMs);
        this.pollTimeout = KafkaSettings.pollTimeout(commitIntervalMs);
    }

    int measuredPerRound() {
        return measured;
    }

    /**
     * Every latency (nanoseconds) of the library's or the raw side's rounds after the first
     * {@code skip}, sorted: tail percentiles are taken over all measured rounds together, since one
     * collector pause decides a single round's p99.
     */
    long[] pooled(boolean library, int skip) {
        List<long[]> rounds = library ? libraryRounds : rawRounds;
        int n = 0;
        for (int i = skip; i < rounds.size(); i++) {
            n += rounds.get(i).length;
        }
        long[] all = new long[n];
        int k = 0;
        for (int i = skip; i < rounds.size(); i++) {
            System.arraycopy(rounds.get(i), 0, all, k, rounds.get(i).length);
            k += rounds.get(i).length;
        }
        Arrays.sort(all);
        return all;
    }

    /** One library round; returns its p99 in milliseconds. */
    double library(Producer producer, Supplier<Consumer> newConsumer) throws InterruptedException {
        Recorder recorder = new Recorder(measured);
        Consumer consumer = newConsumer.get();
        Thread thread = new Thread(() -> {
            try {
                consumer.subscribe(List.of(topic), message -> recorder.received(
                        message.header(PHASE_HEADER), message.header(SENT_HEADER)));
            } catch (RuntimeException e) {
                recorder.failed(e);
            }
        }, "bench-latency-library-consumer");
        thread.start();
        try {
            pace(recorder, (n, phase) -> producer.send(Message.builder(topic).key(payloads.key(n)).value(payloads.value(n))
                    .header(PHASE_HEADER, phase).header(SENT_HEADER, nanos(System.nanoTime())).build(), error -> {
                        if (error != null) {
                            recorder.failed(error);
                        }
                    }));
        } finally {
            consumer.close();
            thread.join();
        }
        long[] sorted = recorder.sorted();
        libraryRounds.add(sorted);
        return Samples.quantile(sorted, 0.99) / 1e6;
    }

    /** One raw round; returns its p99 in milliseconds. */
    double raw(KafkaProducer<byte[], byte[]> producer, Supplier<KafkaConsumer<byte[], byte[]>> newConsumer)
            throws InterruptedException {
        Recorder recorder = new Recorder(measured);
        Thread thread = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = newConsumer.get()) {
                RawPollLoop.run(consumer, topic, pollTimeout, commitIntervalNanos, () -> !recorder.stopped(), batch -> {
                    for (ConsumerRecord<byte[], byte[]> record : batch) {
                        Header phase = record.headers().lastHeader(PHASE_HEADER);
                        Header sent = record.headers().lastHeader(SENT_HEADER);
                        recorder.received(phase == null ? null : phase.value(), sent == null ? null : sent.value());
                    }
                });
            } catch (RuntimeException e) {
                recorder.failed(e);
            }
        }, "bench-latency-raw-consumer");
        thread.start();
        try {
            pace(recorder, (n, phase) -> producer.send(new ProducerRecord<>(topic, null, payloads.key(n), payloads.value(n),
                    List.of(new org.apache.kafka.common.header.internals.RecordHeader(PHASE_HEADER, phase),
                            new org.apache.kafka.common.header.internals.RecordHeader(SENT_HEADER, nanos(System.nanoTime())))),
                    (metadata, error) -> {
                        if (error != null) {
                            recorder.failed(error);
                        }
                    }));
        } finally {
            recorder.stop();
            thread.join();
        }
        long[] sorted = recorder.sorted();
        rawRounds.add(sorted);
        return Samples.quantile(sorted, 0.99) / 1e6;
    }

    @FunctionalInterface
    private interface Sender {
        void send(int n, byte[] phase);
    }

    /** Sends warm-up messages until the consumer answers, then the measured ones, at {@link #rate}. */
    private void pace(Recorder recorder, Sender sender) throws InterruptedException {
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long next = start;
        int n = 0;
        long warmupEnd = start + TimeUnit.MILLISECONDS.toNanos(warmupMs);
        long joinDeadline = start + TimeUnit.SECONDS.toNanos(JOIN_TIMEOUT_S);
        while (!(recorder.warmedUp() && System.nanoTime() >= warmupEnd)) {
            recorder.throwIfFailed();
            if (System.nanoTime() > joinDeadline) {
                throw new IllegalStateException("the consumer received nothing within " + JOIN_TIMEOUT_S + " s");
            }
            next = waitUntil(next, interval);
            sender.send(n++, WARMUP);
        }
        for (int i = 0; i < measured; i++) {
            next = waitUntil(next, interval);
            sender.send(n++, MEASURED);
        }
        if (!recorder.awaitAll(DRAIN_TIMEOUT_S)) {
            recorder.throwIfFailed();
            throw new IllegalStateException("only " + recorder.count() + " of " + measured
                    + " measured messages arrived within " + DRAIN_TIMEOUT_S + " s");
        }
        recorder.throwIfFailed();
    }

    private static long waitUntil(long next, long interval) {
        long wait;
        while ((wait = next - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
        return next + interval;
    }

    private static byte[] nanos(long t) {
        return ByteBuffer.allocate(Long.BYTES).putLong(t).array();
    }

    /** Collects latencies on the consumer's thread; the sender reads progress. */
    private static final class Recorder {
        private final long[] latencies;
        private volatile int count;
        private volatile boolean warmedUp;
        private volatile boolean stopped;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final java.util.concurrent.CountDownLatch all = new java.util.concurrent.CountDownLatch(1);

        Recorder(int measured) {
            latencies = new long[measured];
        }

        /** Consumer thread only. */
        void received(byte[] phase, byte[] sent) {
            long now = System.nanoTime();
            if (phase == null || sent == null) {
                return;
            }
            if (phase[0] == MEASURED[0]) {
                int c = count;
                if (c < latencies.length) {
                    latencies[c] = now - ByteBuffer.wrap(sent).getLong();
                    count = c + 1;
                    if (c + 1 == latencies.length) {
                        all.countDown();
                    }
                }
            } else {
                warmedUp = true;
            }
        }

        void failed(Throwable t) {
            failure.compareAndSet(null, t);
            all.countDown();
        }

        void throwIfFailed() {
            Throwable t = failure.get();
            if (t != null) {
                throw new IllegalStateException("a latency round failed: " + t, t);
            }
        }

        boolean warmedUp() {
            return warmedUp;
        }

        boolean awaitAll(long seconds) throws InterruptedException {
            return all.await(seconds, TimeUnit.SECONDS) && count == latencies.length;
        }

        int count() {
            return count;
        }

        void stop() {
            stopped = true;
        }

        boolean stopped() {
            return stopped;
        }

        /** After the consumer thread was joined. */
        long[] sorted() {
            long[] copy = Arrays.copyOf(latencies, count);
            Arrays.sort(copy);
            return copy;
        }
    }
}
