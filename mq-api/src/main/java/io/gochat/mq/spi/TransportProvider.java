package io.gochat.mq.spi;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;

/**
 * A transport: creates the clients behind {@link io.gochat.mq.Mq}. Implementations need a public
 * no-argument constructor and are registered in
 * {@code META-INF/services/io.gochat.mq.spi.TransportProvider}. They must be thread-safe.
 *
 * <p>A client created here must keep the contract of {@code docs/contract.md} in this repository
 * (sending, consuming, admin, trace id); the contract suite in {@code mq-testkit} checks it.
 */
public interface TransportProvider {

    /** The name users pick it by ({@code "kafka"}, {@code "inmemory"}): lower case, no spaces. */
    String name();

    /**
     * Whether a client of this transport needs a loaded configuration. A transport that can run on
     * {@link io.gochat.mq.config.MqConfig#defaults()} (an in-process one) returns {@code false}, so
     * tests that pick it need no {@code kafka.yaml}.
     */
    default boolean requiresConfiguration() {
        return true;
    }

    /**
     * Checks that {@code config} gives this transport what it needs to serve {@code serviceName},
     * before any client is created. {@link io.gochat.mq.Mq} calls it once the transport is chosen,
     * with the configuration already merged for the service, so a rule that only one transport has
     * (Kafka needs {@code common.brokers}, the in-memory transport needs none) lives with that
     * transport and holds however the transport was chosen and wherever the configuration came from.
     * The default accepts every configuration.
     *
     * @throws io.gochat.mq.MqConfigException naming the key, what was expected and
     *     {@link MqConfig#source()}
     */
    default void validate(MqConfig config, String serviceName) {
    }

    /** Creates a producer; invalid configuration throws {@link io.gochat.mq.MqConfigException}. */
    Producer createProducer(ClientSpec spec);

    /** Creates a consumer for {@link ClientSpec#groupId()}; invalid configuration throws {@link io.gochat.mq.MqConfigException}. */
    Consumer createConsumer(ClientSpec spec);

    /** Creates an admin client; invalid configuration throws {@link io.gochat.mq.MqConfigException}. */
    AdminClient createAdminClient(ClientSpec spec);
}
