package io.gochat.mq.spi;

import io.gochat.mq.config.MqConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private ClientSpec(String serviceName, String groupId, MqConfig config, Logger logger) {
        this.serviceName = serviceName;
        this.groupId = groupId;
        this.config = config;
        this.logger = logger;
    }

    /**
     * @param groupId the consumer group, or {@code null} for a producer or admin client
     * @param logger the user's logger from {@code Option.withLogger}, or {@code null} for the default
     */
    public static ClientSpec of(String serviceName, String groupId, MqConfig config, Logger logger) {
        return new ClientSpec(Objects.requireNonNull(serviceName, "serviceName"), groupId,
                Objects.requireNonNull(config, "config"), logger);
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
