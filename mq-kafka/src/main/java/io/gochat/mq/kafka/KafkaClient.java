package io.gochat.mq.kafka;

import io.gochat.mq.spi.ClientSpec;
import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.Map;
import java.util.function.Function;

/**
 * A Kafka client (producer, consumer or admin) with the {@code client.id} it holds and the
 * properties it was built from. {@link #create} is the one place that reserves the id, constructs
 * the client, turns a construction failure into a configuration error naming the cause, and logs
 * the (masked) properties. Immutable; {@link #releaseId()} may be called from any thread, once.
 *
 * @param <C> the Kafka client's type
 */
final class KafkaClient<C> {
    private final String kind;
    private final String idBase;
    private final String id;
    private final Map<String, Object> properties;
    private final C client;

    private KafkaClient(String kind, String idBase, String id, Map<String, Object> properties, C client) {
        this.kind = kind;
        this.idBase = idBase;
        this.id = id;
        this.properties = properties;
        this.client = client;
    }

    /**
     * Builds a client of {@code kind} ({@code producer}, {@code consumer}, {@code admin}) from
     * {@code properties}, with a {@code client.id} derived from the spec's (see {@link ClientIds}),
     * and logs it on {@code log}.
     *
     * @param properties the client's properties; its {@code client.id} is replaced
     * @param construct the Kafka client's constructor
     * @param group the consumer group, for the log line; {@code null} for other clients
     * @throws io.gochat.mq.MqConfigException if Kafka refuses to build the client
     */
    static <C> KafkaClient<C> create(ClientSpec spec, String kind, Map<String, Object> properties,
                                     Function<Map<String, Object>, C> construct, Logger log, String group) {
        String name = kind.equals("admin") ? "admin client" : kind;
        String idBase = spec.clientId();
        String id = ClientIds.acquire(idBase, kind);
        properties.put("client.id", id);
        C client;
        try {
            client = construct.apply(properties);
        } catch (RuntimeException e) {
            ClientIds.release(idBase, kind, id);
            throw KafkaErrors.creation(name, e, spec.config().source(), properties);
        }
        LoggingEventBuilder line = log.atInfo().setMessage("kafka " + name + " created").addKeyValue("clientId", id);
        if (group != null) {
            line = line.addKeyValue("group", group);
        }
        line.addKeyValue("brokers", properties.get("bootstrap.servers"))
                .addKeyValue("properties", KafkaProperties.forLog(properties))
                .log();
        return new KafkaClient<>(kind, idBase, id, Map.copyOf(properties), client);
    }

    /** The client. */
    C client() {
        return client;
    }

    /** The {@code client.id} this client holds. */
    String id() {
        return id;
    }

    /** The properties it was built from; unmodifiable, secrets included (mask them before showing them). */
    Map<String, Object> properties() {
        return properties;
    }

    /** Gives the {@code client.id} back for the next client of the same service; after the client closed. */
    void releaseId() {
        ClientIds.release(idBase, kind, id);
    }
}
