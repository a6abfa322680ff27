package io.gochat.mq.testkit.kafka;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.Objects;

/**
 * A JUnit 5 extension that gives a test class a real Kafka broker. Register it on a static field.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();           // one per JVM
 *
 * @RegisterExtension
 * static final KafkaBrokerExtension SASL = KafkaBrokerExtension.dedicated(KafkaBrokerSpec.sasl());
 *
 * @Test
 * void roundTrip() {
 *     MqConfig config = KAFKA.broker().config();
 *     ...
 *     KAFKA.broker().restart();   // fault test: in-process brokers only (canRestart())
 * }
 * }</pre>
 *
 * <p>{@link #shared()} uses {@link KafkaBrokers#shared()}: an external broker when
 * {@code KAFKA_BOOTSTRAP_SERVERS} is set, else an in-process one, else Testcontainers. It is
 * started before the first class that needs it and stopped when the JVM exits.
 * {@link #dedicated} starts an in-process broker before the class and stops it after: for SASL,
 * TLS, special broker properties, or fault tests that must not disturb others. Thread-safe.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {
    private final KafkaBrokerSpec spec;
    private volatile KafkaBroker broker;

    private KafkaBrokerExtension(KafkaBrokerSpec spec) {
        this.spec = spec;
    }

    /** The JVM-wide shared broker. */
    public static KafkaBrokerExtension shared() {
        return new KafkaBrokerExtension(null);
    }

    /** An in-process broker of its own for the test class. */
    public static KafkaBrokerExtension dedicated(KafkaBrokerSpec spec) {
        return new KafkaBrokerExtension(Objects.requireNonNull(spec, "spec"));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        broker();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        KafkaBroker started = broker;
        if (spec != null && started != null) {
            broker = null;
            started.close();
        }
    }

    /** The broker; started if needed (also when called before {@code beforeAll}). */
    public synchronized KafkaBroker broker() {
        if (broker == null) {
            broker = spec == null ? KafkaBrokers.shared() : KafkaBrokers.inProcess(spec);
        }
        return broker;
    }

    /**
     * The broker as an {@link InProcessKafkaBroker}, for SASL users, certificates and faults.
     *
     * @throws IllegalStateException if the broker is external or in a container
     */
    public InProcessKafkaBroker inProcess() {
        KafkaBroker b = broker();
        if (!(b instanceof InProcessKafkaBroker)) {
            throw new IllegalStateException("this test needs an in-process broker but runs against " + b.description());
        }
        return (InProcessKafkaBroker) b;
    }
}
