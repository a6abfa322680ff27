package io.gochat.mq.inmemory;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.spi.ClientSpec;
import io.gochat.mq.spi.TransportProvider;

/**
 * The {@value #NAME} transport: clients of an {@link InMemoryBroker} in this JVM, for unit tests
 * and demos. Needs no configuration: on {@code MqConfig.defaults()} every client uses
 * {@link InMemoryBroker#getDefault()}; the common property {@value InMemoryBroker#BROKER_PROPERTY}
 * picks a {@linkplain InMemoryBroker#named(String) named broker}. The rest of the configuration
 * that matters in memory: {@code consumer.autoOffsetReset}, {@code consumer.autoCommitIntervalMs},
 * {@code consumer.sessionTimeoutMs} (how long {@code close()} waits for a callback) and
 * {@code producer.closeTimeoutMs}. A send completes before {@code send} returns: the callback
 * runs on the sending thread. Brokers, security and pass-through properties mean nothing here, so
 * it accepts every configuration: {@link #validate} is the default, and a {@code kafka.yaml}
 * without brokers serves it however the transport was chosen.
 *
 * <p>Registered in {@code META-INF/services/io.gochat.mq.spi.TransportProvider}; picked with
 * {@code Option.withTransport("inmemory")}, {@code -Dmq.transport=inmemory} or
 * {@code InMemoryMqExtension}. Stateless and thread-safe.
 */
public final class InMemoryTransportProvider implements TransportProvider {
    /** The transport's name: {@value}. */
    public static final String NAME = "inmemory";

    /** Called by {@link java.util.ServiceLoader}. */
    public InMemoryTransportProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /** {@code false}: the in-memory transport runs on {@code MqConfig.defaults()}. */
    @Override
    public boolean requiresConfiguration() {
        return false;
    }

    @Override
    public Producer createProducer(ClientSpec spec) {
        return new InMemoryProducer(brokerFor(spec.config()), spec);
    }

    @Override
    public Consumer createConsumer(ClientSpec spec) {
        return new InMemoryConsumer(brokerFor(spec.config()), spec);
    }

    @Override
    public AdminClient createAdminClient(ClientSpec spec) {
        return new InMemoryAdminClient(brokerFor(spec.config()), spec);
    }

    static InMemoryBroker brokerFor(MqConfig config) {
        String name = config.common().properties().get(InMemoryBroker.BROKER_PROPERTY);
        return name == null || name.isBlank() ? InMemoryBroker.getDefault() : InMemoryBroker.named(name);
    }

    @Override
    public String toString() {
        return "InMemoryTransportProvider{" + NAME + '}';
    }
}
