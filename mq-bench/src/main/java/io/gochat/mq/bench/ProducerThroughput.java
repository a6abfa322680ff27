package io.gochat.mq.bench;

import io.gochat.mq.Message;
import io.gochat.mq.Producer;
import io.gochat.mq.SendCallback;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One round of producer throughput: {@code messages} asynchronous sends of keyed values, timed
 * from the first send to the last acknowledgement. The library sends {@link Message}s built per
 * send, the raw side {@link ProducerRecord}s built per send, from the same key and value arrays:
 * each as its user would write it. Both producers are created once and reused across rounds.
 * Each round also records what the sending thread and the producer's I/O thread allocated and
 * used in CPU per message ({@link ThreadCounters}).
 *
 * <p>Not thread-safe; the rounds run on one thread.
 */
final class ProducerThroughput {
    private static final long ROUND_TIMEOUT_S = 300;

    private final String topic;
    private final Payloads payloads;
    private final int messages;
    /** Per round, in order: the library's sending thread, its I/O thread, the raw side's same two. */
    final List<ThreadCounters.Usage> librarySend = new ArrayList<>();
    final List<ThreadCounters.Usage> libraryIo = new ArrayList<>();
    final List<ThreadCounters.Usage> rawSend = new ArrayList<>();
    final List<ThreadCounters.Usage> rawIo = new ArrayList<>();

    ProducerThroughput(String topic, Payloads payloads, int messages) {
        this.topic = topic;
        this.payloads = payloads;
        this.messages = messages;
    }

    /** Messages per second through {@link Producer#send}; {@code io} is the producer's I/O thread. */
    double library(Producer producer, Thread io) throws InterruptedException {
        Completion done = new Completion(messages);
        SendCallback callback = done::completed;
        ThreadCounters send = ThreadCounters.start(Thread.currentThread());
        ThreadCounters ioCounters = ThreadCounters.start(io);
        long start = System.nanoTime();
        for (int n = 0; n < messages; n++) {
            producer.send(Message.of(topic, payloads.key(n), payloads.value(n)), callback);
        }
        double seconds = done.await(start);
        librarySend.add(send.perMessage(messages));
        libraryIo.add(ioCounters.perMessage(messages));
        return messages / seconds;
    }

    /** Messages per second through {@link KafkaProducer#send}; {@code io} is the producer's I/O thread. */
    double raw(KafkaProducer<byte[], byte[]> producer, Thread io) throws InterruptedException {
        Completion done = new Completion(messages);
        Callback callback = (metadata, error) -> done.completed(error);
        ThreadCounters send = ThreadCounters.start(Thread.currentThread());
        ThreadCounters ioCounters = ThreadCounters.start(io);
        long start = System.nanoTime();
        for (int n = 0; n < messages; n++) {
            producer.send(new ProducerRecord<>(topic, payloads.key(n), payloads.value(n)), callback);
        }
        double seconds = done.await(start);
        rawSend.add(send.perMessage(messages));
        rawIo.add(ioCounters.perMessage(messages));
        return messages / seconds;
    }

    /** Counts acknowledgements; the last one stops the clock. Thread-safe. */
    static final class Completion {
        private final AtomicInteger left;
        private final CountDownLatch latch = new CountDownLatch(1);
        private final AtomicReference<Throwable> error = new AtomicReference<>();
        private volatile long end;

        Completion(int count) {
            left = new AtomicInteger(count);
        }

        void completed(Throwable failure) {
            if (failure != null) {
                error.compareAndSet(null, failure);
            }
            if (left.decrementAndGet() == 0) {
                end = System.nanoTime();
                latch.countDown();
            }
        }

        /** Waits for the last acknowledgement; returns the seconds since {@code start}. */
        double await(long start) throws InterruptedException {
            if (!latch.await(ROUND_TIMEOUT_S, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a producer round did not complete within " + ROUND_TIMEOUT_S + " s; "
                        + left.get() + " sends unanswered");
            }
            Throwable failure = error.get();
            if (failure != null) {
                throw new IllegalStateException("a send failed: " + failure, failure);
            }
            return (end - start) / 1e9;
        }
    }
}
