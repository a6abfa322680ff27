package io.gochat.mq.testkit.kafka;

import io.gochat.mq.config.MqConfig;

import java.util.Map;

/**
 * A Kafka broker a test talks to. Thread-safe.
 *
 * <p>{@link #config()} reaches it with gochat MQ; {@link #clientProperties()} with a plain Kafka
 * client, as a user that may do everything. Faults ({@link #stop()}, {@link #start()},
 * {@link #restart()}) are available where {@link #canRestart()} says so: on in-process brokers.
 */
public interface KafkaBroker extends AutoCloseable {

    /** {@code host:port,...} of the broker's client listener. */
    String bootstrapServers();

    /**
     * A configuration that reaches this broker: {@code common.brokers} and, for a secured broker,
     * the security block of a user allowed everything. Change it with {@code toBuilder()}.
     */
    MqConfig config();

    /** Properties for a plain Kafka client ({@code bootstrap.servers} and security), as a super user. */
    Map<String, Object> clientProperties();

    /** What kind of broker this is, for messages: {@code "in-process KRaft (SASL_PLAINTEXT)"}, … */
    String description();

    /** Whether {@link #stop()}, {@link #start()} and {@link #restart()} work. */
    default boolean canRestart() {
        return false;
    }

    /** Stops the broker (clients see it go away); {@link #start()} brings it back on the same address. */
    default void stop() {
        throw new IllegalStateException(description() + " cannot be stopped by the test");
    }

    /** Starts a broker stopped by {@link #stop()} on the same address and waits until it serves. */
    default void start() {
        throw new IllegalStateException(description() + " cannot be started by the test");
    }

    /** {@link #stop()} then {@link #start()}. */
    default void restart() {
        stop();
        start();
    }

    /** Stops the broker and deletes its data. Idempotent. */
    @Override
    void close();
}
