package io.gochat.mq.bench;

import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.Producer;
import io.gochat.mq.SendCallback;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The in-memory transport end to end against the least a hand-off between two threads can cost:
 * one producer thread, one consumer thread, the same {@link Message}s built per send. The library
 * side is {@code Producer.send} on this thread to a consumer group of one member whose no-op
 * callback runs on its own thread; the baseline is {@code put} into and {@code take} from an
 * {@link ArrayBlockingQueue} of {@value #QUEUE_CAPACITY}. Each round is timed from the first send
 * to the last message processed.
 *
 * <p>The library's consumer subscribes once and stays for every round (it is warm, like a
 * service's). Rounds run on one thread; not thread-safe.
 */
final class InMemoryHandOff implements AutoCloseable {
    static final int QUEUE_CAPACITY = 65_536;
    private static final long ROUND_TIMEOUT_S = 300;

    private final String topic;
    private final Payloads payloads;
    private final int messages;
    private final Producer producer;
    private final Consumer consumer;
    private final Thread consumerThread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    // written by the consumer thread; target and latch are published before a round's first send
    private long received;
    private volatile long target;
    private volatile CountDownLatch roundDone = new CountDownLatch(0);
    private volatile long roundEnd;

    InMemoryHandOff(String topic, Payloads payloads, int messages, Producer producer, Consumer consumer) {
        this.topic = topic;
        this.payloads = payloads;
        this.messages = messages;
        this.producer = producer;
        this.consumer = consumer;
        this.consumerThread = new Thread(() -> {
            try {
                consumer.subscribe(List.of(topic), message -> {
                    if (++received == target) {
                        roundEnd = System.nanoTime();
                        roundDone.countDown();
                    }
                });
            } catch (RuntimeException e) {
                failure.set(e);
                roundDone.countDown();
            }
        }, "bench-inmemory-consumer");
        consumerThread.start();
    }

    /** Messages per second through the in-memory transport. */
    double library() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        roundDone = done;
        target += messages;
        SendCallback callback = error -> {
            if (error != null) {
                failure.compareAndSet(null, error);
            }
        };
        long start = System.nanoTime();
        for (int n = 0; n < messages; n++) {
            producer.send(Message.of(topic, payloads.key(n), payloads.value(n)), callback);
        }
        if (!done.await(ROUND_TIMEOUT_S, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the in-memory consumer did not get " + messages + " messages within "
                    + ROUND_TIMEOUT_S + " s");
        }
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException("the in-memory round failed: " + t, t);
        }
        return messages / ((roundEnd - start) / 1e9);
    }

    /** Messages per second through an {@link ArrayBlockingQueue}. */
    double queue() throws InterruptedException {
        ArrayBlockingQueue<Message> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
        long[] end = {0};
        long[] bytes = {0};
        Thread taker = new Thread(() -> {
            try {
                for (int n = 0; n < messages; n++) {
                    bytes[0] += queue.take().valueSize();
                }
                end[0] = System.nanoTime();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-queue-consumer");
        taker.start();
        long start = System.nanoTime();
        for (int n = 0; n < messages; n++) {
            queue.put(Message.of(topic, payloads.key(n), payloads.value(n)));
        }
        taker.join(TimeUnit.SECONDS.toMillis(ROUND_TIMEOUT_S));
        if (end[0] == 0) {
            taker.interrupt();
            throw new IllegalStateException("the queue consumer did not finish within " + ROUND_TIMEOUT_S + " s");
        }
        return messages / ((end[0] - start) / 1e9);
    }

    @Override
    public void close() {
        consumer.close();
        producer.close();
        try {
            consumerThread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
