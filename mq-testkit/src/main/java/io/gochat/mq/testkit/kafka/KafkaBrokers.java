package io.gochat.mq.testkit.kafka;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * Where test brokers come from. The shared broker is chosen once per JVM, first that answers:
 * <ol>
 *   <li>{@code KAFKA_BOOTSTRAP_SERVERS} (environment) or {@code kafka.bootstrap.servers} (system
 *       property): an external PLAINTEXT broker;</li>
 *   <li>{@code MQ_TESTKIT_KAFKA} (environment) or {@code mq.testkit.kafka} (system property),
 *       {@code inprocess} or {@code testcontainers}: that kind;</li>
 *   <li>an in-process broker when {@code kafka-test-common-runtime} is on the class path;</li>
 *   <li>a Testcontainers broker when {@code org.testcontainers:kafka} is on the class path and a
 *       Docker engine answers;</li>
 *   <li>otherwise an {@link IllegalStateException} that says what to add.</li>
 * </ol>
 * Thread-safe.
 */
public final class KafkaBrokers {
    /** Environment variable naming an external broker. */
    public static final String BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS";
    /** Environment variable choosing the kind of shared broker: {@code inprocess} or {@code testcontainers}. */
    public static final String KIND_ENV = "MQ_TESTKIT_KAFKA";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokers.class);
    private static KafkaBroker shared;

    private KafkaBrokers() {
    }

    /**
     * The JVM-wide broker, started on first use and stopped when the JVM exits. Tests that share
     * it use their own topic and group names. An in-process shared broker can be restarted; tests
     * that do so must not run in parallel with other tests that use it.
     */
    public static synchronized KafkaBroker shared() {
        if (shared == null) {
            KafkaBroker broker = choose();
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "mq-testkit-kafka-shutdown"));
            shared = broker;
        }
        return shared;
    }

    /**
     * A new in-process broker as {@code spec} says; the caller closes it.
     *
     * @throws IllegalStateException if {@code kafka-test-common-runtime} is missing or the broker does not start
     */
    public static InProcessKafkaBroker inProcess(KafkaBrokerSpec spec) {
        if (!present("org.apache.kafka.common.test.KafkaClusterTestKit")) {
            throw new IllegalStateException("an in-process Kafka broker needs org.apache.kafka:kafka-test-common-runtime"
                    + " (test scope; version from io.gochat:mq-bom) on the test class path");
        }
        return InProcessKafkaBroker.start(spec);
    }

    private static KafkaBroker choose() {
        String bootstrap = setting("kafka.bootstrap.servers", BOOTSTRAP_ENV);
        if (bootstrap != null) {
            KafkaBroker external = new ExternalKafkaBroker(bootstrap);
            LOG.atInfo().setMessage("tests use an external kafka broker").addKeyValue("bootstrap", external.bootstrapServers()).log();
            return external;
        }
        String kind = setting("mq.testkit.kafka", KIND_ENV);
        if (kind != null) {
            switch (kind.toLowerCase(Locale.ROOT)) {
                case "inprocess":
                    return inProcess(KafkaBrokerSpec.plaintext());
                case "testcontainers":
                    return container();
                default:
                    throw new IllegalStateException(KIND_ENV + ": expected inprocess or testcontainers but was [" + kind + "]");
            }
        }
        if (present("org.apache.kafka.common.test.KafkaClusterTestKit")) {
            return inProcess(KafkaBrokerSpec.plaintext());
        }
        if (present("org.testcontainers.kafka.KafkaContainer") && ContainerKafkaBroker.dockerAnswers()) {
            return container();
        }
        throw new IllegalStateException("No Kafka broker for the tests: set " + BOOTSTRAP_ENV + "=host:port, or add"
                + " org.apache.kafka:kafka-test-common-runtime (in-process broker, no Docker needed) or"
                + " org.testcontainers:kafka (with a Docker engine) to the test class path");
    }

    private static KafkaBroker container() {
        if (!present("org.testcontainers.kafka.KafkaContainer")) {
            throw new IllegalStateException(KIND_ENV + "=testcontainers needs org.testcontainers:kafka on the test class path");
        }
        KafkaBroker broker = ContainerKafkaBroker.launch();
        LOG.atInfo().setMessage("tests use a Testcontainers kafka broker").addKeyValue("bootstrap", broker.bootstrapServers()).log();
        return broker;
    }

    private static String setting(String property, String env) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, KafkaBrokers.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
