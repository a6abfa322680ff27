package io.gochat.mq.kafka;

import io.gochat.mq.MqException;
import io.gochat.mq.spi.ClientSpec;
import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
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
    private final AtomicBoolean reached = new AtomicBoolean();

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

    /**
     * Before the first call that needs a broker: fails at once, naming each address and the cause
     * (connection refused, host name cannot be resolved, no answer), when no bootstrap address
     * accepts a TCP connection, instead of letting Kafka retry silently until its timeout. Once
     * an address answered, it never probes again: brokers that go away later are waited for.
     * Each address gets {@code socket.connection.setup.timeout.ms} if set lower, else
     * {@value BrokerProbe#DEFAULT_CONNECT_TIMEOUT_MS} ms. Any thread.
     *
     * @param what the call, for the message: {@code send to topic orders} (only asked when probing)
     * @throws MqException when no bootstrap broker can be reached
     */
    void requireReachableOnce(java.util.function.Supplier<String> what) {
        if (reached.get()) {
            return;
        }
        String bootstrap = String.valueOf(properties.get("bootstrap.servers"));
        int timeoutMs = Math.min(BrokerProbe.DEFAULT_CONNECT_TIMEOUT_MS, KafkaProperties.intProperty(properties,
                "socket.connection.setup.timeout.ms", BrokerProbe.DEFAULT_CONNECT_TIMEOUT_MS));
        Optional<String> unreachable = BrokerProbe.unreachable(bootstrap, timeoutMs);
        if (unreachable.isPresent()) {
            throw new MqException(what.get() + " failed: no broker reachable at common.brokers " + bootstrap + ": "
                    + unreachable.get() + ". Check that the brokers run and that common.brokers names their host"
                    + " and port as this host reaches them.");
        }
        reached.set(true);
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
