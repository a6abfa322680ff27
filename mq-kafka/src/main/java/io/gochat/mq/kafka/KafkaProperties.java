package io.gochat.mq.kafka;

import io.gochat.mq.MqConfigException;
import io.gochat.mq.config.CommonConfig;
import io.gochat.mq.config.ConsumerConfig;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.config.ProducerConfig;
import io.gochat.mq.config.Secrets;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.apache.kafka.clients.CommonClientConfigs.METADATA_RECOVERY_STRATEGY_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_PROTOCOL_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG;
import static org.apache.kafka.clients.consumer.ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.ACKS_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.BATCH_SIZE_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.COMPRESSION_TYPE_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.LINGER_MS_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.MAX_BLOCK_MS_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG;
import static org.apache.kafka.clients.producer.ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG;

/**
 * Turns a resolved {@link MqConfig} into the properties of a Kafka producer, consumer or admin
 * client. The named keys of {@code kafka.yaml} are applied first, then {@code common.properties},
 * then {@code producer.properties} / {@code consumer.properties}; contradictions between them are
 * rejected with a {@link MqConfigException} that names both keys. Stateless.
 */
final class KafkaProperties {
    /** Kafka's own bound on a blocking {@code send} (metadata wait, full buffer). */
    static final int DEFAULT_MAX_BLOCK_MS = 60_000;
    /** Kafka's default {@code request.timeout.ms}. */
    private static final int DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
    /**
     * The producer's {@code metadata.recovery.strategy} unless set in {@code common.properties} or
     * {@code producer.properties}: a producer never re-bootstraps, so {@code send} never waits
     * {@code max.block.ms} for metadata it had (consumers and admin clients keep Kafka's default).
     */
    static final String PRODUCER_METADATA_RECOVERY = "none";
    /** Kafka's default {@code default.api.timeout.ms}: the bound of commits, closes and admin calls. */
    static final int DEFAULT_API_TIMEOUT_MS = 60_000;

    private static final Set<String> SERIALIZERS = Set.of(KEY_SERIALIZER_CLASS_CONFIG, VALUE_SERIALIZER_CLASS_CONFIG);
    private static final Set<String> DESERIALIZERS = Set.of(KEY_DESERIALIZER_CLASS_CONFIG, VALUE_DESERIALIZER_CLASS_CONFIG);

    private KafkaProperties() {
    }

    /** Properties of every client: brokers, client id, security, then {@code common.properties}. */
    static Map<String, Object> common(MqConfig config, String clientId) {
        CommonConfig common = config.common();
        requireBrokers(config);
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, String.join(",", common.brokers()));
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        props.putAll(SecurityProperties.of(common.sasl(), common.ssl(), config.source()));
        props.putAll(common.properties());
        return props;
    }

    /** The Kafka transport's own rule on a configuration: it needs brokers. */
    static void requireBrokers(MqConfig config) {
        if (config.common().brokers().isEmpty()) {
            throw new MqConfigException("common.brokers: expected at least one host:port of a Kafka broker but was [] ("
                    + config.source() + ")");
        }
    }

    /**
     * A producer's properties. Rejects serializers in pass-through properties and idempotence
     * combined with {@code acks} other than {@code -1}/{@code all}, wherever either was set.
     */
    static Map<String, Object> producer(MqConfig config, String clientId) {
        ProducerConfig p = config.producer();
        String source = config.source();
        Map<String, String> overrides = p.properties();
        reject(config.common().properties(), "common.properties", SERIALIZERS, source, "the transport sends bytes");
        reject(overrides, "producer.properties", SERIALIZERS, source, "the transport sends bytes");

        Map<String, Object> props = common(config, clientId);
        props.put(ACKS_CONFIG, p.requiredAcks() == -1 ? "all" : Integer.toString(p.requiredAcks()));
        props.put(ENABLE_IDEMPOTENCE_CONFIG, Boolean.toString(p.enableIdempotence()));
        props.put(COMPRESSION_TYPE_CONFIG, p.compression());
        props.put(BATCH_SIZE_CONFIG, Integer.toString(p.batchSize()));
        props.put(LINGER_MS_CONFIG, Integer.toString(p.lingerMs()));
        props.put(DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(p.deliveryTimeoutMs()));
        // Kafka refuses delivery.timeout.ms < linger.ms + request.timeout.ms; shrink the request
        // timeout with a short delivery bound instead of failing on a valid configuration.
        int requestTimeout = Math.max(1, Math.min(DEFAULT_REQUEST_TIMEOUT_MS, p.deliveryTimeoutMs() - p.lingerMs()));
        props.put(REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(requestTimeout));
        props.put(MAX_BLOCK_MS_CONFIG, Integer.toString(Math.min(DEFAULT_MAX_BLOCK_MS, p.deliveryTimeoutMs())));
        // Kafka's "rebootstrap" drops the cached metadata as soon as every known broker is away, and
        // each send then blocks its caller for max.block.ms; "none" keeps it, so sends are buffered
        // and fail at delivery.timeout.ms (docs/design.md, "The producer keeps its metadata").
        props.put(METADATA_RECOVERY_STRATEGY_CONFIG, PRODUCER_METADATA_RECOVERY);
        props.putAll(config.common().properties());
        props.putAll(overrides);
        props.put(KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());

        String acks = String.valueOf(props.get(ACKS_CONFIG)).trim().toLowerCase(Locale.ROOT);
        boolean idempotent = Boolean.parseBoolean(String.valueOf(props.get(ENABLE_IDEMPOTENCE_CONFIG)).trim());
        if (idempotent && !acks.equals("all") && !acks.equals("-1")) {
            throw new MqConfigException(where(ACKS_CONFIG, "producer", config, "producer.requiredAcks")
                    + ": expected -1 (all) while " + where(ENABLE_IDEMPOTENCE_CONFIG, "producer", config,
                    "producer.enableIdempotence") + " is true, but was [" + props.get(ACKS_CONFIG)
                    + "]; set requiredAcks: -1 or enableIdempotence: false (" + source + ")");
        }
        return props;
    }

    /**
     * A consumer's properties. Auto-commit is always off (offsets are committed after processing);
     * session and heartbeat settings are left out when {@code group.protocol=consumer} is chosen,
     * since that protocol takes them from the broker.
     */
    static Map<String, Object> consumer(MqConfig config, String clientId, String groupId) {
        ConsumerConfig c = config.consumer();
        String source = config.source();
        Map<String, String> overrides = c.properties();
        reject(config.common().properties(), "common.properties", DESERIALIZERS, source, "the transport reads bytes");
        reject(overrides, "consumer.properties", DESERIALIZERS, source, "the transport reads bytes");

        Map<String, Object> props = common(config, clientId);
        props.put(GROUP_ID_CONFIG, groupId);
        props.put(ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(AUTO_OFFSET_RESET_CONFIG, c.autoOffsetReset());
        props.put(SESSION_TIMEOUT_MS_CONFIG, Integer.toString(c.sessionTimeoutMs()));
        props.put(HEARTBEAT_INTERVAL_MS_CONFIG, Integer.toString(c.heartbeatIntervalMs()));
        props.putAll(config.common().properties());
        props.putAll(overrides);
        if (usesConsumerGroupProtocol(props)) {
            // KIP-848 members take both from the broker (group.consumer.*); the client refuses them
            for (String name : new String[] {SESSION_TIMEOUT_MS_CONFIG, HEARTBEAT_INTERVAL_MS_CONFIG}) {
                if (!overrides.containsKey(name) && !config.common().properties().containsKey(name)) {
                    props.remove(name);
                }
            }
        }
        props.put(KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());

        Object autoCommit = props.get(ENABLE_AUTO_COMMIT_CONFIG);
        if (!"false".equalsIgnoreCase(String.valueOf(autoCommit).trim())) {
            throw new MqConfigException(where(ENABLE_AUTO_COMMIT_CONFIG, "consumer", config, ENABLE_AUTO_COMMIT_CONFIG)
                    + ": expected false (offsets are committed only after the callback returned, every"
                    + " consumer.autoCommitIntervalMs) but was [" + autoCommit + "]; remove it (" + source + ")");
        }
        if (!groupId.equals(String.valueOf(props.get(GROUP_ID_CONFIG)))) {
            throw new MqConfigException(where(GROUP_ID_CONFIG, "consumer", config, GROUP_ID_CONFIG)
                    + ": expected the group given to Mq.newConsumer [" + groupId + "] but was ["
                    + props.get(GROUP_ID_CONFIG) + "]; remove it (" + source + ")");
        }
        return props;
    }

    /** An admin client's properties: the common ones only. */
    static Map<String, Object> admin(MqConfig config, String clientId) {
        return common(config, clientId);
    }

    /** Whether the new rebalance protocol of KIP-848 is chosen through pass-through properties. */
    static boolean usesConsumerGroupProtocol(Map<String, Object> props) {
        Object protocol = props.get(GROUP_PROTOCOL_CONFIG);
        return protocol != null && "consumer".equalsIgnoreCase(protocol.toString().trim());
    }

    /** An integer property, or {@code fallback} when absent or not a number (Kafka reports the latter). */
    static int intProperty(Map<String, Object> props, String name, int fallback) {
        Object value = props.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.toString().trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** The properties for a log line, masked by the one rule of {@link Secrets}. */
    static Map<String, Object> forLog(Map<String, Object> props) {
        return Secrets.masked(props);
    }

    private static void reject(Map<String, String> props, String key, Set<String> names, String source, String why) {
        for (String name : names) {
            if (props.containsKey(name)) {
                throw new MqConfigException(key + "." + name + ": not allowed (" + why
                        + "; encode and decode in the application) but was [" + props.get(name) + "] (" + source + ")");
            }
        }
    }

    /** Names where a property came from: the pass-through key if one set it, else the named key. */
    private static String where(String kafkaName, String section, MqConfig config, String namedKey) {
        Map<String, String> overrides = section.equals("producer") ? config.producer().properties()
                : config.consumer().properties();
        if (overrides.containsKey(kafkaName)) {
            return section + ".properties." + kafkaName;
        }
        if (config.common().properties().containsKey(kafkaName)) {
            return "common.properties." + kafkaName;
        }
        return namedKey;
    }
}
