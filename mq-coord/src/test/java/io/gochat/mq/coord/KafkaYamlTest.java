package io.gochat.mq.coord;

import ch.qos.logback.classic.Level;
import io.gochat.mq.MqConfigException;
import io.gochat.mq.config.MqConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaYamlTest {
    static final String SOURCE = "file /etc/gochat/kafka.yaml";

    static String seed() {
        try (InputStream in = KafkaYamlTest.class.getResourceAsStream("seed-kafka.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @DisplayName("the seed's kafka.yaml reads into every value it sets, with no warning")
    void seedFile() {
        try (LogCapture logs = LogCapture.of("io.gochat.mq.coord")) {
            MqConfig config = KafkaYaml.parse(seed(), SOURCE);

            assertThat(config.source()).isEqualTo(SOURCE);
            assertThat(config.transport()).isNull();
            assertThat(config.common().brokers()).containsExactly("kafka-1:9092", "kafka-2:9092", "kafka-3:9092");
            assertThat(config.common().clientIdPrefix()).isEqualTo("gochat");
            assertThat(config.common().sasl().enabled()).isFalse();
            assertThat(config.common().ssl().enabled()).isFalse();
            assertThat(config.producer().requiredAcks()).isEqualTo(-1);
            assertThat(config.producer().enableIdempotence()).isTrue();
            assertThat(config.producer().compression()).isEqualTo("lz4");
            assertThat(config.producer().batchSize()).isEqualTo(16384);
            assertThat(config.producer().lingerMs()).isEqualTo(5);
            assertThat(config.consumer().autoCommitIntervalMs()).isEqualTo(5000);
            assertThat(config.consumer().autoOffsetReset()).isEqualTo("latest");
            assertThat(config.consumer().sessionTimeoutMs()).isEqualTo(30000);
            assertThat(config.consumer().heartbeatIntervalMs()).isEqualTo(10000);
            assertThat(logs.at(Level.WARN)).isEmpty();
        }
    }

    @Test
    @DisplayName("the keys beyond the seed are read: timeouts, transport, properties, SASL, TLS and consumer concurrency")
    void additions() throws IOException {
        java.nio.file.Path ca = java.nio.file.Files.createTempFile("ca", ".pem");
        try {
            MqConfig config = KafkaYaml.parse(String.join("\n",
                    "transport: kafka",
                    "common:",
                    "  brokers: [\"kafka-1:9092\"]",
                    "  clientIDPrefix: chat",
                    "  security:",
                    "    sasl: {mechanism: SCRAM-SHA-512, username: svc, password: pw}",
                    "    ssl:",
                    "      ca_cert_file: " + ca,
                    "      insecure_skip_verify: false",
                    "  properties:",
                    "    metadata.max.age.ms: 60000",
                    "    client.dns.lookup: use_all_dns_ips",
                    "producer:",
                    "  deliveryTimeoutMs: 60000",
                    "  closeTimeoutMs: 1000",
                    "  properties: {max.in.flight.requests.per.connection: 5, enable.metrics.push: false}",
                    "consumer:",
                    "  concurrency: 64",
                    "  maxPendingPerPartition: 500",
                    "  stallThresholdMs: 5000",
                    "  retry: {maxAttempts: 5, backoffMs: 200, maxBackoffMs: 60000, multiplier: 1.5}",
                    "  deadLetter:",
                    "    topic: '{topic}.dlt'",
                    "  properties:",
                    "    max.poll.records: 100",
                    ""), SOURCE);

            assertThat(config.transport()).isEqualTo("kafka");
            assertThat(config.common().clientIdPrefix()).isEqualTo("chat");
            assertThat(config.common().sasl().mechanism()).isEqualTo("SCRAM-SHA-512");
            assertThat(config.common().sasl().username()).isEqualTo("svc");
            assertThat(config.common().sasl().password()).isEqualTo("pw");
            assertThat(config.common().ssl().caCertFile()).isEqualTo(ca.toString());
            assertThat(config.common().properties()).containsExactly(
                    Map.entry("metadata.max.age.ms", "60000"), Map.entry("client.dns.lookup", "use_all_dns_ips"));
            assertThat(config.producer().deliveryTimeoutMs()).isEqualTo(60000);
            assertThat(config.producer().closeTimeoutMs()).isEqualTo(1000);
            assertThat(config.producer().properties()).containsExactly(
                    Map.entry("max.in.flight.requests.per.connection", "5"), Map.entry("enable.metrics.push", "false"));
            assertThat(config.consumer().properties()).containsExactly(Map.entry("max.poll.records", "100"));
            assertThat(config.consumer().concurrency()).isEqualTo(64);
            assertThat(config.consumer().maxPendingPerPartition()).isEqualTo(500);
            assertThat(config.consumer().stallThresholdMs()).isEqualTo(5000);
            assertThat(config.consumer().retryMaxAttempts()).isEqualTo(5);
            assertThat(config.consumer().retryBackoffMs()).isEqualTo(200);
            assertThat(config.consumer().retryMaxBackoffMs()).isEqualTo(60000);
            assertThat(config.consumer().retryMultiplier()).isEqualTo(1.5);
            assertThat(config.consumer().deadLetterTopicFor("gochat.push")).isEqualTo("gochat.push.dlt");
        } finally {
            java.nio.file.Files.delete(ca);
        }
    }

    @Test
    @DisplayName("services.<name> overrides only what it sets, for that service only")
    void serviceOverrides() {
        MqConfig config = KafkaYaml.parse(seed() + String.join("\n",
                "services:",
                "  im-gateway:",
                "    producer:",
                "      compression: zstd",
                "      lingerMs: 20",
                "    common:",
                "      clientIDPrefix: gw",
                "  im-logic:",
                "    consumer:",
                "      autoOffsetReset: earliest",
                ""), SOURCE);

        assertThat(config.serviceNames()).containsExactly("im-gateway", "im-logic");
        MqConfig gateway = config.forService("im-gateway");
        assertThat(gateway.producer().compression()).isEqualTo("zstd");
        assertThat(gateway.producer().lingerMs()).isEqualTo(20);
        assertThat(gateway.producer().batchSize()).isEqualTo(16384);
        assertThat(gateway.common().clientIdPrefix()).isEqualTo("gw");
        assertThat(gateway.common().brokers()).hasSize(3);
        assertThat(gateway.consumer().autoOffsetReset()).isEqualTo("latest");

        MqConfig logic = config.forService("im-logic");
        assertThat(logic.producer().compression()).isEqualTo("lz4");
        assertThat(logic.consumer().autoOffsetReset()).isEqualTo("earliest");

        MqConfig other = config.forService("im-push");
        assertThat(other.producer().compression()).isEqualTo("lz4");
        assertThat(other.consumer().autoOffsetReset()).isEqualTo("latest");
    }

    @Test
    @DisplayName("brokers may also be one comma-separated string")
    void commaSeparatedBrokers() {
        MqConfig config = KafkaYaml.parse("common:\n  brokers: \"kafka-1:9092, kafka-2:9092,\"\n", SOURCE);
        assertThat(config.common().brokers()).containsExactly("kafka-1:9092", "kafka-2:9092");
    }

    @Test
    @DisplayName("anchors, aliases and merge keys work within the limits")
    void anchorsAndMergeKeys() {
        MqConfig config = KafkaYaml.parse(String.join("\n",
                "x-fast: &fast {lingerMs: 0, compression: none}",
                "producer:",
                "  <<: *fast",
                "  batchSize: 1024",
                "services:",
                "  im-push:",
                "    producer: *fast",
                ""), SOURCE);
        assertThat(config.producer().lingerMs()).isZero();
        assertThat(config.producer().compression()).isEqualTo("none");
        assertThat(config.producer().batchSize()).isEqualTo(1024);
        assertThat(config.forService("im-push").producer().compression()).isEqualTo("none");
    }

    @Test
    @DisplayName("numbers are decimal: a leading zero is not octal, and quoted numbers are numbers")
    void decimalNumbers() {
        MqConfig config = KafkaYaml.parse("producer:\n  lingerMs: 010\n  batchSize: \"2048\"\n  requiredAcks: +1\n"
                + "  enableIdempotence: false\n", SOURCE);
        assertThat(config.producer().lingerMs()).isEqualTo(10);
        assertThat(config.producer().batchSize()).isEqualTo(2048);
        assertThat(config.producer().requiredAcks()).isEqualTo(1);
    }

    @Test
    @DisplayName("an empty section is the same as an absent one")
    void emptySections() {
        MqConfig config = KafkaYaml.parse("common:\nproducer:\nconsumer:\n  properties:\nservices:\n", SOURCE);
        assertThat(config.producer().compression()).isEqualTo("lz4");
        assertThat(config.consumer().properties()).isEmpty();
        assertThat(config.serviceNames()).isEmpty();
    }

    @Test
    @DisplayName("an unknown key is a WARN naming the key, the source and the nearest known key")
    void unknownKeys() {
        try (LogCapture logs = LogCapture.of("io.gochat.mq.coord")) {
            MqConfig config = KafkaYaml.parse(String.join("\n",
                    "producer:",
                    "  lingerMS: 50",
                    "  brokers: [\"a:1\"]",
                    "consumr:",
                    "  autoOffsetReset: earliest",
                    "services:",
                    "  im-gateway:",
                    "    producer: {compresion: zstd}",
                    "flavour: vanilla",
                    ""), SOURCE);

            assertThat(config.producer().lingerMs()).isEqualTo(5);
            assertThat(logs.at(Level.WARN)).extracting(e -> e.getFormattedMessage()).containsExactly(
                    "unknown key producer.lingerMS (" + SOURCE + "); did you mean lingerMs?",
                    "unknown key producer.brokers (" + SOURCE + "); did you mean common.brokers?",
                    "unknown key consumr (" + SOURCE + "); did you mean consumer?",
                    "unknown key services.im-gateway.producer.compresion (" + SOURCE + "); did you mean compression?",
                    "unknown key flavour (" + SOURCE + "); it is ignored");
            assertThat(LogCapture.value(logs.at(Level.WARN).get(0), "key")).isEqualTo("producer.lingerMS");
            assertThat(LogCapture.value(logs.at(Level.WARN).get(0), "suggestion")).isEqualTo("lingerMs");
            assertThat(LogCapture.value(logs.at(Level.WARN).get(0), "source")).isEqualTo(SOURCE);
        }
    }

    @Test
    @DisplayName("unknown keys are reported also when a rule then fails, since they often explain it")
    void unknownKeyBeforeFailure() {
        try (LogCapture logs = LogCapture.of("io.gochat.mq.coord")) {
            assertThatThrownBy(() -> KafkaYaml.parse("producer:\n  requiredAcks: 1\n  enableIdempotance: false\n", SOURCE))
                    .isInstanceOf(MqConfigException.class)
                    .hasMessageContaining("producer.requiredAcks");
            assertThat(logs.at(Level.WARN)).extracting(e -> e.getFormattedMessage())
                    .containsExactly("unknown key producer.enableIdempotance (" + SOURCE + "); did you mean enableIdempotence?");
        }
    }

    @Test
    @DisplayName("the schema knows every key of the seed and the additions")
    void knownKeys() {
        assertThat(KafkaYamlBinder.knownKeys()).containsExactlyInAnyOrder(
                "common.brokers", "common.clientIDPrefix", "common.security.sasl.mechanism",
                "common.security.sasl.username", "common.security.sasl.password", "common.security.ssl.ca_cert_file",
                "common.security.ssl.client_cert_file", "common.security.ssl.client_key_file",
                "common.security.ssl.insecure_skip_verify", "common.properties",
                "producer.requiredAcks", "producer.enableIdempotence", "producer.compression", "producer.batchSize",
                "producer.lingerMs", "producer.deliveryTimeoutMs", "producer.closeTimeoutMs", "producer.properties",
                "consumer.autoCommitIntervalMs", "consumer.autoOffsetReset", "consumer.sessionTimeoutMs",
                "consumer.heartbeatIntervalMs", "consumer.concurrency", "consumer.maxPendingPerPartition",
                "consumer.stallThresholdMs", "consumer.retry.maxAttempts", "consumer.retry.backoffMs",
                "consumer.retry.maxBackoffMs", "consumer.retry.multiplier", "consumer.deadLetter.topic", "consumer.properties", "transport", "services");
    }

    @Test
    @DisplayName("a parsed tree dumped to YAML reads back to the same configuration (the cache's format)")
    void dumpRoundTrip() {
        String yaml = seed().replace("  lingerMs: 5", "  lingerMs: 5\n  properties: {linger.ms: '7', x: true, y: 010}")
                + "services:\n  im-gateway:\n    producer: {compression: zstd}\ntransport: kafka\n";
        Map<String, Object> tree = KafkaYamlParser.parse(yaml, SOURCE);
        String dumped = KafkaYamlParser.dump(tree);
        assertThat(KafkaYamlParser.parse(dumped, "dump")).isEqualTo(tree);
        List<KafkaYamlBinder.UnknownKey> unknown = new ArrayList<>();
        MqConfig again = KafkaYamlBinder.bind(KafkaYamlParser.parse(dumped, "dump"), "dump", unknown);
        assertThat(again.toString().replace("dump", SOURCE)).isEqualTo(KafkaYaml.parse(yaml, SOURCE).toString());
    }
}
