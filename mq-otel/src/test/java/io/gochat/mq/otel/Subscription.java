package io.gochat.mq.otel;

import io.gochat.mq.ConsumeCallback;
import io.gochat.mq.Consumer;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A consumer subscribed on a thread of its own until {@link #close()}, which waits for subscribe to return. */
final class Subscription implements AutoCloseable {
    private final Consumer consumer;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();

    private Subscription(Consumer consumer) {
        this.consumer = consumer;
    }

    static Subscription start(Consumer consumer, String topic, ConsumeCallback callback) {
        Subscription subscription = new Subscription(consumer);
        Thread thread = new Thread(() -> {
            try {
                consumer.subscribe(List.of(topic), callback);
                subscription.ended.complete(null);
            } catch (Throwable e) {
                subscription.ended.completeExceptionally(e);
            }
        }, "subscriber-" + topic);
        thread.setDaemon(true);
        thread.start();
        return subscription;
    }

    @Override
    public void close() throws Exception {
        consumer.close();
        ended.get(60, TimeUnit.SECONDS);
    }
}
