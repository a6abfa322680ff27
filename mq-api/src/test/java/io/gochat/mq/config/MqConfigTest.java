package io.gochat.mq.config;

import io.gochat.mq.MqConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MqConfigTest {

    private static MqConfigException invalid(Consumer<MqConfig.Builder> change) {
        MqConfig.Builder b = MqConfig.builder().source("test source");
        change.accept(b);
        try {
            b.build();
        } catch (MqConfigException e) {
            assertThat(e.getMessage()).endsWith("(test source)");
            return e;
        }
        throw new AssertionError("expected MqConfigException");
    }

    @Test
    @DisplayName("the defaults are the seed's kafka.yaml values")
    void seedDefaults() {
        MqConfig c = MqConfig.defaults();
        assertThat(c.common().brokers()).isEmpty();
        assertThat(c.common().clientIdPrefix()).isEqualTo("gochat");
        assertThat(c.common().sasl().enabled()).isFalse();
        assertThat(c.common().ssl().enabled()).isFalse();
        assertThat(c.producer().requiredAcks()).isEqualTo(-1);
        assertThat(c.producer().enableIdempotence()).isTrue();
        assertThat(c.producer().compression()).isEqualTo("lz4");
        assertThat(c.producer().batchSize()).isEqualTo(16384);
        assertThat(c.producer().lingerMs()).isEqualTo(5);
        assertThat(c.consumer().autoCommitIntervalMs()).isEqualTo(5000);
        assertThat(c.consumer().autoOffsetReset()).isEqualTo("latest");
        assertThat(c.consumer().sessionTimeoutMs()).isEqualTo(30000);
        assertThat(c.consumer().heartbeatIntervalMs()).isEqualTo(10000);
        assertThat(c.consumer().concurrency()).isEqualTo(1);
        assertThat(c.consumer().maxPendingPerPartition()).isEqualTo(1000);
        assertThat(c.consumer().stallThresholdMs()).isEqualTo(30000);
        assertThat(c.transport()).isNull();
    }

    @Test
    @DisplayName("each invalid value is named with its key, its value and what is allowed")
    void validationMessages() {
        assertThat(invalid(b -> b.producer(p -> p.compression("lz5"))))
                .hasMessage("producer.compression: expected one of [none, gzip, snappy, lz4, zstd] but was [lz5] (test source)");
        assertThat(invalid(b -> b.producer(p -> p.requiredAcks(2).enableIdempotence(false))))
                .hasMessageStartingWith("producer.requiredAcks: expected one of [-1, 0, 1] but was [2]");
        assertThat(invalid(b -> b.producer(p -> p.requiredAcks(1))))
                .hasMessageStartingWith("producer.requiredAcks: expected -1 while producer.enableIdempotence is true");
        assertThat(invalid(b -> b.producer(p -> p.batchSize(0))))
                .hasMessageStartingWith("producer.batchSize: expected a positive number but was [0]");
        assertThat(invalid(b -> b.producer(p -> p.lingerMs(-1))))
                .hasMessageStartingWith("producer.lingerMs: expected zero or a positive number but was [-1]");
        assertThat(invalid(b -> b.consumer(c -> c.autoOffsetReset("newest"))))
                .hasMessageStartingWith("consumer.autoOffsetReset: expected one of [earliest, latest] but was [newest]");
        assertThat(invalid(b -> b.consumer(c -> c.heartbeatIntervalMs(10001))))
                .hasMessageStartingWith("consumer.heartbeatIntervalMs: expected at most a third of consumer.sessionTimeoutMs (10000) but was [10001]");
        assertThat(invalid(b -> b.consumer(c -> c.concurrency(0))))
                .hasMessageStartingWith("consumer.concurrency: expected an integer from 1 to 1024 but was [0]");
        assertThat(invalid(b -> b.consumer(c -> c.concurrency(1025))))
                .hasMessageStartingWith("consumer.concurrency: expected an integer from 1 to 1024 but was [1025]");
        assertThat(invalid(b -> b.consumer(c -> c.maxPendingPerPartition(0))))
                .hasMessageStartingWith("consumer.maxPendingPerPartition: expected a positive number but was [0]");
        assertThat(invalid(b -> b.consumer(c -> c.stallThresholdMs(-5))))
                .hasMessageStartingWith("consumer.stallThresholdMs: expected a positive number but was [-5]");
        assertThat(invalid(b -> b.consumer(c -> c.autoCommitIntervalMs(0))))
                .hasMessageStartingWith("consumer.autoCommitIntervalMs: expected a positive number but was [0]");
        assertThat(invalid(b -> b.common(c -> c.brokers("kafka-1"))))
                .hasMessageStartingWith("common.brokers[0]: expected host:port with a port in 1..65535 but was [kafka-1]");
        assertThat(invalid(b -> b.common(c -> c.brokers("kafka-1:9092", "kafka-2:99999"))))
                .hasMessageStartingWith("common.brokers[1]:");
        assertThat(invalid(b -> b.common(c -> c.clientIdPrefix(" "))))
                .hasMessageStartingWith("common.clientIDPrefix: expected a non-blank string");
        assertThat(invalid(b -> b.common(c -> c.sasl(s -> s.mechanism("GSSAPI").username("u").password("p")))))
                .hasMessageStartingWith("common.security.sasl.mechanism: expected one of [PLAIN, SCRAM-SHA-256, SCRAM-SHA-512] but was [GSSAPI]");
        assertThat(invalid(b -> b.common(c -> c.sasl(s -> s.mechanism("PLAIN").password("p")))))
                .hasMessageStartingWith("common.security.sasl.username:");
        assertThat(invalid(b -> b.common(c -> c.ssl(s -> s.caCertFile("/nonexistent/ca.pem")))))
                .hasMessageStartingWith("common.security.ssl.ca_cert_file: expected a readable PEM file but was [/nonexistent/ca.pem]");
    }

    @Test
    @DisplayName("the heartbeat may be exactly a third of the session timeout, as in the seed")
    void heartbeatAtAThird() {
        MqConfig c = MqConfig.builder().consumer(k -> k.sessionTimeoutMs(6000).heartbeatIntervalMs(2000)).build();
        assertThat(c.consumer().heartbeatIntervalMs()).isEqualTo(2000);
    }

    @Test
    @DisplayName("an SSL client certificate needs its key")
    void sslPairs(@TempDir Path dir) throws Exception {
        Path cert = Files.writeString(dir.resolve("client.pem"), "x");
        assertThat(invalid(b -> b.common(c -> c.ssl(s -> s.clientCertFile(cert.toString())))))
                .hasMessageStartingWith("common.security.ssl.client_cert_file/client_key_file: expected both or neither");
        MqConfig ok = MqConfig.builder().common(c -> c.ssl(s -> s.caCertFile(cert.toString()))).build();
        assertThat(ok.common().ssl().enabled()).isTrue();
    }

    @Test
    @DisplayName("a service override changes only the keys it sets, for that service only")
    void serviceOverrides() {
        MqConfig c = MqConfig.builder()
                .common(k -> k.brokers("kafka-1:9092").property("a", "1"))
                .producer(p -> p.lingerMs(7))
                .service("im-gateway", s -> s.producer(p -> p.compression("zstd")).common(k -> k.property("b", "2")))
                .build();
        MqConfig gateway = c.forService("im-gateway");
        assertThat(gateway.producer().compression()).isEqualTo("zstd");
        assertThat(gateway.producer().lingerMs()).isEqualTo(7);
        assertThat(gateway.common().brokers()).containsExactly("kafka-1:9092");
        assertThat(gateway.common().properties()).containsEntry("a", "1").containsEntry("b", "2");
        MqConfig logic = c.forService("im-logic");
        assertThat(logic.producer().compression()).isEqualTo("lz4");
        assertThat(logic.common().properties()).containsOnlyKeys("a");
        assertThat(c.serviceNames()).containsExactly("im-gateway");
        assertThat(c.toBuilder().build().forService("im-gateway").producer().compression()).isEqualTo("zstd");
    }

    @Test
    @DisplayName("an invalid override is reported under services.<name>")
    void invalidOverride() {
        assertThat(invalid(b -> b.service("im-gateway", s -> s.producer(p -> p.compression("brotli")))))
                .hasMessageStartingWith("services.im-gateway.producer.compression: expected one of");
    }

    @Test
    @DisplayName("toString masks the SASL password and secret-looking properties")
    void masksSecrets() {
        MqConfig c = MqConfig.builder()
                .common(k -> k.sasl(s -> s.mechanism("PLAIN").username("alice").password("hunter2"))
                        .property("sasl.jaas.config", "x password=\"hunter2\";"))
                .producer(p -> p.property("ssl.key.password", "hunter2")
                        .property("sasl.oauthbearer.assertion.private.key.passphrase", "hunter2"))
                .build();
        assertThat(c.toString()).contains("alice", "******").doesNotContain("hunter2");
        assertThat(c.common().sasl().password()).isEqualTo("hunter2");
    }

    @Test
    @DisplayName("pass-through properties are immutable copies")
    void propertiesImmutable() {
        MqConfig c = MqConfig.builder().consumer(k -> k.properties(java.util.Map.of("max.poll.records", "10"))).build();
        assertThatThrownBy(() -> c.consumer().properties().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(c.consumer().properties()).containsEntry("max.poll.records", "10");
        assertThat(SaslConfig.MECHANISMS).isEqualTo(List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"));
    }
}
