package io.gochat.mq.kafka;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.spi.ClientSpec;
import io.gochat.mq.spi.TransportProvider;

/**
 * The {@code kafka} transport: producers, consumers and admin clients on
 * {@code org.apache.kafka:kafka-clients}. Found by {@link java.util.ServiceLoader}; applications
 * never call it directly, they use {@code io.gochat.mq.Mq} with this module on the class path
 * (and {@code Option.withTransport("kafka")} or {@code transport: kafka} when several
 * transports are present).
 *
 * <p>What the configuration maps to, the delivery guarantees and each security mode are described
 * in the module's README. Thread-safe and stateless.
 */
public final class KafkaTransportProvider implements TransportProvider {
    /** The name to choose this transport by. */
    public static final String NAME = "kafka";

    /** For {@link java.util.ServiceLoader}. */
    public KafkaTransportProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * {@inheritDoc} Kafka needs at least one broker in {@code common.brokers}.
     *
     * @throws io.gochat.mq.MqConfigException if {@code common.brokers} is empty, naming the key and
     *     the configuration's source
     */
    @Override
    public void validate(MqConfig config, String serviceName) {
        KafkaProperties.requireBrokers(config);
    }

    /**
     * {@inheritDoc}
     *
     * @throws io.gochat.mq.MqConfigException if {@code common.brokers} is empty, a TLS file cannot be
     *     read, or the settings contradict each other (idempotence with acks other than -1)
     */
    @Override
    public Producer createProducer(ClientSpec spec) {
        return new KafkaMqProducer(spec);
    }

    /**
     * {@inheritDoc}
     *
     * @throws io.gochat.mq.MqConfigException if {@code common.brokers} is empty, a TLS file cannot be
     *     read, or pass-through properties turn on Kafka's auto-commit
     */
    @Override
    public Consumer createConsumer(ClientSpec spec) {
        if (spec.groupId() == null || spec.groupId().isBlank()) {
            throw new IllegalArgumentException("groupId must not be blank for a Kafka consumer");
        }
        return new KafkaMqConsumer(spec);
    }

    /** {@inheritDoc} */
    @Override
    public AdminClient createAdminClient(ClientSpec spec) {
        return new KafkaMqAdmin(spec);
    }
}
