package io.gochat.mq.kafka;

import io.gochat.mq.MqConfigException;
import io.gochat.mq.config.MqConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The mapping of kafka.yaml's keys to Kafka client properties; no broker needed. */
class KafkaPropertiesTest {
    private static MqConfig.Builder base() {
        return MqConfig.builder().source("test kafka.yaml").common(c -> c.brokers("kafka-1:9092", "kafka-2:9092"));
    }

    @Test
    @DisplayName("producer defaults map to acks=all, idempotence, lz4, 16 KiB batches, 5 ms linger and client id <prefix>-<service>")
    void producerDefaults() {
        Map<String, Object> p = KafkaProperties.producer(base().build(), "gochat-im-gateway");

        assertThat(p).containsEntry("bootstrap.servers", "kafka-1:9092,kafka-2:9092")
                .containsEntry("client.id", "gochat-im-gateway")
                .containsEntry("acks", "all")
                .containsEntry("enable.idempotence", "true")
                .containsEntry("compression.type", "lz4")
                .containsEntry("batch.size", "16384")
                .containsEntry("linger.ms", "5")
                .containsEntry("delivery.timeout.ms", "120000")
                .containsEntry("security.protocol", "PLAINTEXT");
    }

    @Test
    @DisplayName("every named producer key is mapped to its Kafka property")
    void producerKeysMapped() {
        MqConfig config = base().producer(p -> p.requiredAcks(1).enableIdempotence(false).compression("zstd")
                .batchSize(65536).lingerMs(20).deliveryTimeoutMs(45_000)).build();

        Map<String, Object> p = KafkaProperties.producer(config, "id");

        assertThat(p).containsEntry("acks", "1").containsEntry("enable.idempotence", "false")
                .containsEntry("compression.type", "zstd").containsEntry("batch.size", "65536")
                .containsEntry("linger.ms", "20").containsEntry("delivery.timeout.ms", "45000")
                .containsEntry("max.block.ms", "45000");
    }

    @Test
    @DisplayName("a short delivery bound shrinks request.timeout.ms so Kafka accepts it")
    void shortDeliveryTimeout() {
        Map<String, Object> p = KafkaProperties.producer(base().producer(x -> x.deliveryTimeoutMs(5000).lingerMs(10)).build(), "id");

        assertThat(p).containsEntry("request.timeout.ms", "4990").containsEntry("max.block.ms", "5000");
    }

    @Test
    @DisplayName("pass-through properties are applied last: common.properties, then producer.properties")
    void passThroughLast() {
        MqConfig config = base()
                .common(c -> c.property("linger.ms", "7").property("client.dns.lookup", "use_all_dns_ips"))
                .producer(p -> p.lingerMs(1).property("linger.ms", "50").property("max.request.size", "2097152"))
                .build();

        Map<String, Object> p = KafkaProperties.producer(config, "id");

        assertThat(p).containsEntry("linger.ms", "50").containsEntry("max.request.size", "2097152")
                .containsEntry("client.dns.lookup", "use_all_dns_ips");
    }

    @Test
    @DisplayName("a producer does not re-bootstrap by default (send would block max.block.ms once every broker is away);"
            + " common.properties and producer.properties override it; consumers and admin clients keep Kafka's default")
    void producerMetadataRecovery() {
        assertThat(KafkaProperties.producer(base().build(), "id")).containsEntry("metadata.recovery.strategy", "none");
        assertThat(KafkaProperties.producer(base().common(c -> c.property("metadata.recovery.strategy", "rebootstrap"))
                .build(), "id")).containsEntry("metadata.recovery.strategy", "rebootstrap");
        assertThat(KafkaProperties.producer(base().common(c -> c.property("metadata.recovery.strategy", "rebootstrap"))
                .producer(p -> p.property("metadata.recovery.strategy", "none")).build(), "id"))
                .containsEntry("metadata.recovery.strategy", "none");
        assertThat(KafkaProperties.producer(base().producer(p -> p.property("metadata.recovery.strategy", "rebootstrap"))
                .build(), "id")).containsEntry("metadata.recovery.strategy", "rebootstrap");
        assertThat(KafkaProperties.consumer(base().build(), "id", "group")).doesNotContainKey("metadata.recovery.strategy");
        assertThat(KafkaProperties.admin(base().build(), "id")).doesNotContainKey("metadata.recovery.strategy");
    }

    @Test
    @DisplayName("idempotence with acks other than -1 through pass-through properties is rejected, naming both keys")
    void idempotenceContradiction() {
        MqConfig config = base().producer(p -> p.property("acks", "1")).build();

        assertThatThrownBy(() -> KafkaProperties.producer(config, "id"))
                .isInstanceOf(MqConfigException.class)
                .hasMessageContaining("producer.properties.acks")
                .hasMessageContaining("producer.enableIdempotence")
                .hasMessageContaining("[1]")
                .hasMessageContaining("test kafka.yaml");
    }

    @Test
    @DisplayName("idempotence turned on through pass-through properties with requiredAcks 1 is rejected too")
    void idempotenceOnThroughProperties() {
        MqConfig config = base().producer(p -> p.requiredAcks(1).enableIdempotence(false)
                .property("enable.idempotence", "true")).build();

        assertThatThrownBy(() -> KafkaProperties.producer(config, "id"))
                .isInstanceOf(MqConfigException.class)
                .hasMessageContaining("producer.requiredAcks")
                .hasMessageContaining("producer.properties.enable.idempotence");
    }

    @Test
    @DisplayName("serializers in pass-through properties are refused: the transport sends bytes")
    void serializersRefused() {
        MqConfig config = base().producer(p -> p.property("value.serializer", "com.example.Json")).build();

        assertThatThrownBy(() -> KafkaProperties.producer(config, "id"))
                .isInstanceOf(MqConfigException.class)
                .hasMessageContaining("producer.properties.value.serializer")
                .hasMessageContaining("com.example.Json");
    }

    @Test
    @DisplayName("consumers never use Kafka's auto-commit, and get session, heartbeat and offset reset")
    void consumerDefaults() {
        MqConfig config = base().consumer(c -> c.sessionTimeoutMs(12_000).heartbeatIntervalMs(3000)
                .autoOffsetReset("earliest")).build();

        Map<String, Object> c = KafkaProperties.consumer(config, "gochat-im-logic", "im-logic-group");

        assertThat(c).containsEntry("group.id", "im-logic-group").containsEntry("enable.auto.commit", "false")
                .containsEntry("auto.offset.reset", "earliest").containsEntry("session.timeout.ms", "12000")
                .containsEntry("heartbeat.interval.ms", "3000").containsEntry("client.id", "gochat-im-logic");
    }

    @Test
    @DisplayName("turning Kafka's auto-commit on through pass-through properties is rejected")
    void autoCommitRejected() {
        MqConfig config = base().consumer(c -> c.property("enable.auto.commit", "true")).build();

        assertThatThrownBy(() -> KafkaProperties.consumer(config, "id", "g"))
                .isInstanceOf(MqConfigException.class)
                .hasMessageContaining("consumer.properties.enable.auto.commit")
                .hasMessageContaining("expected false");
    }

    @Test
    @DisplayName("with group.protocol=consumer the session and heartbeat settings are not sent (the broker owns them)")
    void consumerGroupProtocol() {
        MqConfig config = base().consumer(c -> c.property("group.protocol", "consumer")).build();

        Map<String, Object> c = KafkaProperties.consumer(config, "id", "g");

        assertThat(c).containsEntry("group.protocol", "consumer")
                .doesNotContainKeys("session.timeout.ms", "heartbeat.interval.ms");
    }

    @Test
    @DisplayName("empty common.brokers is a configuration error naming the key and the source")
    void emptyBrokers() {
        MqConfig config = MqConfig.builder().source("consul config/dev/global/kafka.yaml").build();

        assertThatThrownBy(() -> KafkaProperties.admin(config, "id"))
                .isInstanceOf(MqConfigException.class)
                .hasMessageContaining("common.brokers")
                .hasMessageContaining("consul config/dev/global/kafka.yaml");
    }

    @Test
    @DisplayName("SCRAM maps to SASL_PLAINTEXT with a JAAS line; logs mask it and never show the password")
    void scram() {
        MqConfig config = base().common(c -> c.sasl(s -> s.mechanism("SCRAM-SHA-512").username("alice")
                .password("Sup3r\"pw\\x"))).build();

        Map<String, Object> p = KafkaProperties.producer(config, "id");

        assertThat(p).containsEntry("security.protocol", "SASL_PLAINTEXT").containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat((String) p.get("sasl.jaas.config"))
                .isEqualTo("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\"Sup3r\\\"pw\\\\x\";");
        assertThat(KafkaProperties.forLog(p).toString()).doesNotContain("Sup3r").contains("sasl.jaas.config=******");
        assertThat(config.toString()).doesNotContain("Sup3r");
    }

    @Test
    @DisplayName("PLAIN over TLS maps to SASL_SSL with the CA as a PEM trust store")
    void saslOverTls(@TempDir Path dir) throws IOException {
        Path ca = pem(dir, "ca.pem", "CERTIFICATE");
        MqConfig config = base().common(c -> c.sasl(s -> s.mechanism("PLAIN").username("u").password("pw"))
                .ssl(s -> s.caCertFile(ca.toString()))).build();

        Map<String, Object> p = KafkaProperties.consumer(config, "id", "g");

        assertThat(p).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("ssl.truststore.type", "PEM").containsKey("ssl.truststore.certificates")
                .doesNotContainKey("ssl.keystore.key");
        assertThat((String) p.get("sasl.jaas.config")).startsWith("org.apache.kafka.common.security.plain.PlainLoginModule");
    }

    @Test
    @DisplayName("mutual TLS maps the client certificate and PKCS#8 key to a PEM key store, masked in logs")
    void mutualTls(@TempDir Path dir) throws IOException {
        Path ca = pem(dir, "ca.pem", "CERTIFICATE");
        Path cert = pem(dir, "client.pem", "CERTIFICATE");
        Path key = pem(dir, "client-key.pem", "PRIVATE KEY");
        MqConfig config = base().common(c -> c.ssl(s -> s.caCertFile(ca.toString()).clientCertFile(cert.toString())
                .clientKeyFile(key.toString()))).build();

        Map<String, Object> p = KafkaProperties.admin(config, "id");

        assertThat(p).containsEntry("security.protocol", "SSL").containsEntry("ssl.keystore.type", "PEM")
                .containsEntry("ssl.keystore.key", Files.readString(key));
        assertThat(KafkaProperties.forLog(p).get("ssl.keystore.key")).isEqualTo("******");
    }

    @Test
    @DisplayName("logs mask every value Kafka types as a password, also pass-through ones without 'password' in the name,"
            + " certificates included")
    void logsMaskEveryKafkaSecret() {
        MqConfig config = base()
                .common(c -> c.property("sasl.oauthbearer.assertion.private.key.passphrase", "Passphr4se")
                        .property("ssl.truststore.certificates", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"))
                .consumer(c -> c.property("sasl.oauthbearer.client.credentials.client.secret", "S3cretValue")
                        .property("ssl.keystore.certificate.chain", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
                                + "\n-----BEGIN PRIVATE KEY-----\nK3yBytes\n-----END PRIVATE KEY-----"))
                .build();

        Map<String, Object> shown = KafkaProperties.forLog(KafkaProperties.consumer(config, "id", "g"));

        assertThat(shown.toString()).doesNotContain("Passphr4se").doesNotContain("S3cretValue").doesNotContain("K3yBytes");
        assertThat(shown).containsEntry("sasl.oauthbearer.assertion.private.key.passphrase", "******")
                .containsEntry("sasl.oauthbearer.client.credentials.client.secret", "******")
                .containsEntry("ssl.keystore.certificate.chain", "******");
        assertThat(shown).containsEntry("ssl.truststore.certificates", "******");

        // not PEM at all: hidden by its name, as Kafka types it as a password
        Map<String, Object> opaque = KafkaProperties.forLog(KafkaProperties.consumer(base()
                .consumer(c -> c.property("ssl.keystore.certificate.chain", "OpaqueChainValue")).build(), "id", "g"));
        assertThat(opaque).containsEntry("ssl.keystore.certificate.chain", "******");
    }

    @Test
    @DisplayName("a PKCS#1 client key is refused with the command that converts it")
    void pkcs1KeyRefused(@TempDir Path dir) throws IOException {
        Path cert = pem(dir, "client.pem", "CERTIFICATE");
        Path key = pem(dir, "client-key.pem", "RSA PRIVATE KEY");
        MqConfig config = base().common(c -> c.ssl(s -> s.clientCertFile(cert.toString()).clientKeyFile(key.toString()))).build();

        assertThatThrownBy(() -> KafkaProperties.admin(config, "id"))
                .isInstanceOf(MqConfigException.class)
                .hasMessageContaining("common.security.ssl.client_key_file")
                .hasMessageContaining(key.toString())
                .hasMessageContaining("openssl pkcs8 -topk8");
    }

    @Test
    @DisplayName("a CA file without a certificate is refused naming the key and the file")
    void caWithoutCertificate(@TempDir Path dir) throws IOException {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
        MqConfig config = base().common(c -> c.ssl(s -> s.caCertFile(ca.toString()))).build();

        assertThatThrownBy(() -> KafkaProperties.admin(config, "id"))
                .isInstanceOf(MqConfigException.class)
                .hasMessageContaining("common.security.ssl.ca_cert_file")
                .hasMessageContaining(ca.toString());
    }

    @Test
    @DisplayName("insecure_skip_verify installs the trust-everything engine and turns host name checks off")
    void insecureSkipVerify() {
        MqConfig config = base().common(c -> c.ssl(s -> s.insecureSkipVerify(true))).build();

        Map<String, Object> p = KafkaProperties.producer(config, "id");

        assertThat(p).containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.engine.factory.class", io.gochat.mq.kafka.internal.InsecureSslEngineFactory.class)
                .containsEntry("ssl.endpoint.identification.algorithm", "");
    }

    @Test
    @DisplayName("two live clients of one service get distinct client ids; a released id is reused")
    void clientIds() {
        String first = ClientIds.acquire("gochat-ids-test", "producer");
        String second = ClientIds.acquire("gochat-ids-test", "producer");
        String consumer = ClientIds.acquire("gochat-ids-test", "consumer");

        assertThat(first).isEqualTo("gochat-ids-test");
        assertThat(second).isEqualTo("gochat-ids-test-2");
        assertThat(consumer).isEqualTo("gochat-ids-test");
        ClientIds.release("gochat-ids-test", "producer", first);
        assertThat(ClientIds.acquire("gochat-ids-test", "producer")).isEqualTo("gochat-ids-test");
    }

    private static Path pem(Path dir, String name, String type) throws IOException {
        return Files.writeString(dir.resolve(name), "-----BEGIN " + type + "-----\nAAAA\n-----END " + type + "-----\n");
    }
}
