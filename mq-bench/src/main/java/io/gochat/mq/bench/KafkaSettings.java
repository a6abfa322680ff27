package io.gochat.mq.bench;

import io.gochat.mq.config.MqConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.Properties;

/**
 * One set of client settings, in both forms: the {@link MqConfig} the library is given, and the
 * {@code Properties} a raw {@code KafkaProducer}/{@code KafkaConsumer} is given. The raw form
 * repeats, key by key, what the {@code kafka} transport derives from the same {@link MqConfig}
 * (mq-kafka's {@code KafkaProperties}), so the two sides of a comparison differ only in the
 * code between the caller and the Kafka client. Immutable.
 */
final class KafkaSettings {
    private final String bootstrap;
    private final MqConfig config;

    /** The seed's defaults on {@code bootstrap}, with groups starting at {@code autoOffsetReset}. */
    KafkaSettings(String bootstrap, String autoOffsetReset) {
        this.bootstrap = bootstrap;
        this.config = MqConfig.builder()
                .source("mq-bench")
                .common(c -> c.brokers(bootstrap.split(",")))
                .consumer(c -> c.autoOffsetReset(autoOffsetReset))
                .build();
    }

    MqConfig config() {
        return config;
    }

    /** The same settings with {@code consumer.concurrency} set: how many callbacks of a consumer may run at once. */
    MqConfig config(int concurrency) {
        return config.toBuilder().consumer(c -> c.concurrency(concurrency)).build();
    }

    /** Raw producer settings equal to the library's for {@code serviceName}. */
    Properties rawProducer(String serviceName) {
        io.gochat.mq.config.ProducerConfig p = config.producer();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId(serviceName) + "-raw");
        props.put(ProducerConfig.ACKS_CONFIG, p.requiredAcks() == -1 ? "all" : Integer.toString(p.requiredAcks()));
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, Boolean.toString(p.enableIdempotence()));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, p.compression());
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(p.batchSize()));
        props.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(p.lingerMs()));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(p.deliveryTimeoutMs()));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                Integer.toString(Math.max(1, Math.min(30_000, p.deliveryTimeoutMs() - p.lingerMs()))));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Integer.toString(Math.min(60_000, p.deliveryTimeoutMs())));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    /** Raw consumer settings equal to the library's for {@code serviceName} in {@code groupId}. */
    Properties rawConsumer(String serviceName, String groupId) {
        io.gochat.mq.config.ConsumerConfig c = config.consumer();
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId(serviceName) + "-raw");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, c.autoOffsetReset());
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.toString(c.sessionTimeoutMs()));
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Integer.toString(c.heartbeatIntervalMs()));
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    /**
     * The name of the I/O thread of a producer for {@code serviceName}: the library's (the first of
     * that service in this JVM) or the raw one of {@link #rawProducer}.
     */
    String producerIoThread(String serviceName, boolean raw) {
        return org.apache.kafka.clients.producer.KafkaProducer.NETWORK_THREAD_PREFIX + " | " + clientId(serviceName)
                + (raw ? "-raw" : "");
    }

    /** How often processed offsets are committed, by the library and by the raw loop alike. */
    long commitIntervalMs() {
        return config.consumer().autoCommitIntervalMs();
    }

    /** How long a poll waits when there is nothing to read: the library's choice, copied. */
    static java.time.Duration pollTimeout(long commitIntervalMs) {
        return java.time.Duration.ofMillis(Math.min(commitIntervalMs, 1000));
    }

    private String clientId(String serviceName) {
        return config.common().clientIdPrefix() + "-" + serviceName;
    }
}
