package io.gochat.mq.spi;

import io.gochat.mq.config.MqConfig;
import io.gochat.mq.observe.ClientInfo;
import io.gochat.mq.observe.ClientObserver;
import io.gochat.mq.observe.MqObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;

/**
 * Everything a transport needs to create one client: the service it is for, the consumer group,
 * the configuration already merged for that service, and the logger. Immutable.
 */
public final class ClientSpec {
    private final String serviceName;
    private final String groupId;
    private final MqConfig config;
    private final Logger logger;
    private final String transport;
    private final List<MqObserver> observers;

    private ClientSpec(String serviceName, String groupId, MqConfig config, Logger logger, String transport,
                       List<MqObserver> observers) {
        this.serviceName = serviceName;
        this.groupId = groupId;
        this.config = config;
        this.logger = logger;
        this.transport = transport;
        this.observers = observers;
    }

    /**
     * @param groupId the consumer group, or {@code null} for a producer or admin client
     * @param logger the user's logger from {@code Option.withLogger}, or {@code null} for the default
     */
    public static ClientSpec of(String serviceName, String groupId, MqConfig config, Logger logger) {
        return new ClientSpec(Objects.requireNonNull(serviceName, "serviceName"), groupId,
                Objects.requireNonNull(config, "config"), logger, "unknown", List.of());
    }

    /** This spec with the observers of the client, for the transport named {@code transport}. */
    public ClientSpec withObservers(String transport, List<MqObserver> observers) {
        return new ClientSpec(serviceName, groupId, config, logger, Objects.requireNonNull(transport, "transport"),
                List.copyOf(observers));
    }

    /** The observers of the client, as given (unguarded: call them through {@link #observer}). */
    public List<MqObserver> observers() {
        return observers;
    }

    /**
     * The spec of a producer that the consumer of this spec creates (for its dead letters): the
     * same service, configuration, logger and observers, no group.
     */
    public ClientSpec forProducer() {
        return new ClientSpec(serviceName, null, config, logger, transport, observers);
    }

    /**
     * What observes the client the transport creates now: {@link ClientObserver#NONE} without
     * observers. Call once per client, after creating {@code transportClient} (its own client, or
     * {@code null}); failures of observers are logged to {@link #logger(String) logger(component)}.
     */
    public ClientObserver observer(ClientInfo.Kind kind, String component, Object transportClient) {
        return observer(kind, component, transportClient, clientId());
    }

    /**
     * {@link #observer(ClientInfo.Kind, String, Object)} for a transport that gives each client an
     * id of its own ({@code clientId}, e.g. Kafka's {@code client.id} with a {@code -2} for the
     * second client of a service in one JVM), which observers then see.
     */
    public ClientObserver observer(ClientInfo.Kind kind, String component, Object transportClient, String clientId) {
        if (observers.isEmpty()) {
            return ClientObserver.NONE;
        }
        return Observers.forClient(observers, new ClientInfo(kind, serviceName, clientId, groupId, transport,
                transportClient), logger(component));
    }

    public String serviceName() {
        return serviceName;
    }

    /** The consumer group; {@code null} for producers and admin clients. */
    public String groupId() {
        return groupId;
    }

    /** The effective configuration of {@link #serviceName()} (overrides already merged). */
    public MqConfig config() {
        return config;
    }

    /** {@code <clientIDPrefix>-<serviceName>}. */
    public String clientId() {
        return config.common().clientIdPrefix() + "-" + serviceName;
    }

    /** The user's logger, or {@code io.gochat.mq.<component>} when none was given. */
    public Logger logger(String component) {
        return logger != null ? logger : LoggerFactory.getLogger("io.gochat.mq." + component);
    }

    @Override
    public String toString() {
        return "ClientSpec{service=" + serviceName + (groupId == null ? "" : ", group=" + groupId) + '}';
    }
}
