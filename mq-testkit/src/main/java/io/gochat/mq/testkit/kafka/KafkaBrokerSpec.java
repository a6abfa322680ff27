package io.gochat.mq.testkit.kafka;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What an in-process broker looks like: its client listener's security and extra broker
 * properties. Immutable; every method returns a new spec.
 *
 * <pre>{@code
 * KafkaBrokerSpec.plaintext()                  // PLAINTEXT, topic auto-creation off
 * KafkaBrokerSpec.sasl()                       // SASL_PLAINTEXT: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512; ACLs on
 * KafkaBrokerSpec.tls()                        // SSL with a generated CA; client certificates required
 * KafkaBrokerSpec.plaintext().brokerProperty("message.max.bytes", "2000000")
 * }</pre>
 */
public final class KafkaBrokerSpec {
    /** The client listener's security. */
    public enum Security {
        /** No authentication, no encryption. */
        PLAINTEXT,
        /**
         * SASL over plaintext with {@code PLAIN}, {@code SCRAM-SHA-256} and {@code SCRAM-SHA-512}, and
         * the standard authorizer: users other than the super user need ACLs
         * ({@link InProcessKafkaBroker#allowEverything}).
         */
        SASL_PLAINTEXT,
        /** TLS with a CA generated for the broker ({@link InProcessKafkaBroker#tls()}); client certificates required. */
        SSL
    }

    private final Security security;
    private final Map<String, String> brokerProperties;

    private KafkaBrokerSpec(Security security, Map<String, String> brokerProperties) {
        this.security = security;
        this.brokerProperties = Map.copyOf(brokerProperties);
    }

    /** PLAINTEXT, with topic auto-creation off (topics are created through the admin client, as in production). */
    public static KafkaBrokerSpec plaintext() {
        return new KafkaBrokerSpec(Security.PLAINTEXT, Map.of());
    }

    /** SASL_PLAINTEXT with PLAIN and SCRAM; see {@link Security#SASL_PLAINTEXT}. */
    public static KafkaBrokerSpec sasl() {
        return new KafkaBrokerSpec(Security.SASL_PLAINTEXT, Map.of());
    }

    /** TLS; see {@link Security#SSL}. */
    public static KafkaBrokerSpec tls() {
        return new KafkaBrokerSpec(Security.SSL, Map.of());
    }

    /** Adds or replaces a broker property, for example {@code auto.create.topics.enable=true}. */
    public KafkaBrokerSpec brokerProperty(String name, String value) {
        Map<String, String> props = new LinkedHashMap<>(brokerProperties);
        props.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new KafkaBrokerSpec(security, props);
    }

    public Security security() {
        return security;
    }

    public Map<String, String> brokerProperties() {
        return brokerProperties;
    }

    @Override
    public String toString() {
        return "KafkaBrokerSpec{" + security + (brokerProperties.isEmpty() ? "" : ", " + brokerProperties) + '}';
    }
}
