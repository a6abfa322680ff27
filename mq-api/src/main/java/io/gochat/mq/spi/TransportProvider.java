package io.gochat.mq.spi;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.Producer;

/**
 * A transport: creates the clients behind {@link io.gochat.mq.Mq}. Implementations need a public
 * no-argument constructor and are registered in
 * {@code META-INF/services/io.gochat.mq.spi.TransportProvider}. They must be thread-safe.
 *
 * <p>A client created here must keep the semantics of ARCHITECTURE §3 — the contract suite in
 * {@code mq-testkit} checks them.
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

    /** Creates a producer; invalid configuration throws {@link io.gochat.mq.MqConfigException}. */
    Producer createProducer(ClientSpec spec);

    /** Creates a consumer for {@link ClientSpec#groupId()}; invalid configuration throws {@link io.gochat.mq.MqConfigException}. */
    Consumer createConsumer(ClientSpec spec);

    /** Creates an admin client; invalid configuration throws {@link io.gochat.mq.MqConfigException}. */
    AdminClient createAdminClient(ClientSpec spec);
}
