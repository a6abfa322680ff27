package io.gochat.mq;

/**
 * Sends messages. Thread-safe: share one per service. Create with {@link Mq#newProducer}.
 *
 * <pre>{@code
 * try (Producer producer = Mq.newProducer("im-gateway")) {
 *     producer.send(Message.of("gochat.messages.upstream", userId, json), error -> {
 *         if (error != null) log.error("send failed", error);
 *     });
 * }
 * }</pre>
 *
 * <p>When the SLF4J MDC holds {@code trace_id} and the message has no {@code trace_id} header,
 * the producer adds one (the caller's message is not changed). A {@code trace_id} header set
 * to {@code null} says "no trace id" and is sent as it is.
 */
public interface Producer extends AutoCloseable {

    /**
     * Sends asynchronously and returns at once (at most the configured bound when the transport's
     * buffer is full). {@code callback} is called exactly once, on a transport thread, with
     * {@code null} on success or the reason of failure — also when the producer is closed before
     * the message is delivered. After {@link #close()} the callback gets an
     * {@link MqClosedException}.
     *
     * @throws NullPointerException if {@code message} or {@code callback} is null; nothing is sent
     */
    void send(Message message, SendCallback callback);

    /**
     * Sends and waits for the broker's acknowledgement.
     *
     * @throws NullPointerException if {@code message} is null; nothing is sent
     * @throws MqClosedException if the producer is closed
     * @throws MqTimeoutException if no acknowledgement came within the configured bound
     * @throws MqException if the broker refused the message; the cause says why
     */
    void sendSync(Message message);

    /**
     * Delivers everything buffered, then releases resources. Returns only when every message sent
     * before has been delivered or failed to its callback, bounded by the configured close
     * timeout. Idempotent and thread-safe. Must not be called from a send callback.
     */
    @Override
    void close();
}
