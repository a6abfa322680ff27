package io.gochat.mq;

/** Topic administration: an operations task kept apart from business code. Thread-safe. */
public interface AdminClient extends AutoCloseable {

    /**
     * Creates {@code topic}. A topic that already exists is not an error (it is logged and left
     * as it is, even when its partition count differs). Returns once every partition of the
     * topic is served, so producers and consumers can use it at once.
     *
     * @throws NullPointerException if {@code topic} is null
     * @throws IllegalArgumentException if {@code topic} is blank, or {@code partitions} or
     *     {@code replicationFactor} is below 1
     * @throws MqException if the broker refuses; the message carries the broker's reason
     */
    void createTopic(String topic, int partitions, int replicationFactor);

    /** Releases resources. Idempotent. */
    @Override
    void close();
}
