package io.gochat.mq.testkit;

import io.gochat.mq.Consumer;
import io.gochat.mq.config.MqConfig;

import java.time.Duration;
import java.util.Set;

/**
 * What the contract suite needs from a transport: its name, a configuration that reaches its
 * broker, and the faults it can inject. The suite creates every client through the public
 * {@code Mq} factory with {@code Option.withTransport(transport())} and
 * {@code Option.withConfig(config())} (adjusted per test, for example to {@code earliest}).
 *
 * <p>Created once per test class by {@link TransportCompatibilityKit#createFixture()} and closed
 * after the last test. Implementations must be thread-safe.
 */
public interface TransportFixture extends AutoCloseable {

    /** The transport's name, as given to {@code Option.withTransport}. */
    String transport();

    /** A valid configuration that reaches the broker under test. */
    MqConfig config();

    /** The faults this fixture can inject. */
    Set<Capability> capabilities();

    /**
     * Kills {@code consumer} as a crash would: no further callbacks, no commit of anything
     * processed since its last commit, no orderly leave of the group. Its {@code subscribe} call
     * ends (by returning or throwing). Needs {@link Capability#CRASH}.
     */
    default void crash(Consumer consumer) {
        throw new IllegalStateException(getClass().getName() + " does not declare Capability.CRASH");
    }

    /** Stops the broker and starts it again on the same address. Needs {@link Capability#BROKER_RESTART}. */
    default void restartBroker() {
        throw new IllegalStateException(getClass().getName() + " does not declare Capability.BROKER_RESTART");
    }

    /**
     * Whether the tests run with an SLF4J provider whose MDC is a no-op ({@code slf4j-simple},
     * {@code slf4j-nop}), so that the trace-id contract cannot be checked. Only then is the
     * {@code trace id} group skipped (and listed as skipped at the end of the run); by default a
     * no-op MDC fails that group, so that a missing logging backend is not mistaken for a pass.
     * Prefer adding {@code logback-classic} in test scope over overriding this.
     */
    default boolean runsWithoutMdc() {
        return false;
    }

    /**
     * How long the suite waits for anything to happen — a message to arrive, a group to form,
     * {@code subscribe} to return — before a test fails. Tests never wait this long when the
     * transport behaves; only a broken behaviour runs into it. Default 60 s, enough for group joins
     * and a broker restart on a loaded machine. A consumer {@code sessionTimeoutMs} well below this
     * (for Kafka, 6–10 s) keeps the crash tests inside it.
     */
    default Duration timeout() {
        return Duration.ofSeconds(60);
    }

    /** Releases what the fixture started. */
    @Override
    default void close() {
    }
}
