package io.gochat.mq.kafka;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.config.Secrets;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one rule of {@link Secrets} against Kafka: every property kafka-clients itself types as a
 * password (enumerated from the producer, consumer and admin {@link ConfigDef}s of the version on
 * the class path, so a new one in a later version is tested too) and every name that looks like a
 * secret, masked both in {@code MqConfig.toString()} and in what the Kafka transport logs.
 */
class SecretMaskingTest {
    private static final List<String> NAMED_LIKE_SECRETS = List.of("db.password", "app.passwd", "ssh.passphrase",
            "oauth.client.secret", "vault.token", "cloud.credentials", "login.jaas", "client.certificate",
            "signing.private.pem", "basic.auth.user.info", "api.key", "ACCESS_KEY");

    static List<String> kafkaPasswords() {
        TreeSet<String> names = new TreeSet<>();
        for (ConfigDef def : List.of(ProducerConfig.configDef(), ConsumerConfig.configDef(), AdminClientConfig.configDef())) {
            def.configKeys().forEach((name, key) -> {
                if (key.type == ConfigDef.Type.PASSWORD) {
                    names.add(name);
                }
            });
        }
        return new ArrayList<>(names);
    }

    static Stream<String> secretNames() {
        return Stream.concat(kafkaPasswords().stream(), NAMED_LIKE_SECRETS.stream());
    }

    private static MqConfig.Builder base() {
        return MqConfig.builder().source("test kafka.yaml").common(c -> c.brokers("127.0.0.1:1"));
    }

    @Test
    @DisplayName("the enumeration finds Kafka's password-typed properties, also those without 'password' in the name")
    void enumeration() {
        assertThat(kafkaPasswords()).contains("sasl.jaas.config", "ssl.key.password", "ssl.keystore.key",
                "ssl.keystore.certificate.chain", "ssl.truststore.certificates",
                "sasl.oauthbearer.client.credentials.client.secret");
    }

    @ParameterizedTest
    @MethodSource("secretNames")
    @DisplayName("masked in MqConfig.toString and in the properties the Kafka producer, consumer and admin client log")
    void masked(String name) {
        String value = "value-" + UUID.randomUUID();
        assertThat(Secrets.isSecret(name)).as("the one rule covers %s", name).isTrue();
        MqConfig config = base().common(c -> c.property(name, value)).producer(p -> p.property(name, value))
                .consumer(c -> c.property(name, value)).build();

        assertThat(config.toString()).doesNotContain(value);
        for (Map<String, Object> props : List.of(KafkaProperties.producer(config, "id"),
                KafkaProperties.consumer(config, "id", "g"), KafkaProperties.admin(config, "id"))) {
            assertThat(props).containsEntry(name, value);
            Map<String, Object> shown = KafkaProperties.forLog(props);
            assertThat(shown).containsEntry(name, Secrets.MASK);
            assertThat(shown.toString()).doesNotContain(value);
        }
    }

    @Test
    @DisplayName("what real clients log on creation, through Mq and the transport, shows none of the secret values")
    void realClientsLogNoSecret() {
        Map<String, String> secrets = new LinkedHashMap<>();
        secretNames().forEach(name -> secrets.put(name, "value-" + UUID.randomUUID()));
        MqConfig config = base().common(c -> c.properties(secrets)).build();
        Logger mq = (Logger) LoggerFactory.getLogger("io.gochat.mq");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        mq.addAppender(events);
        try {
            try (Producer producer = Mq.newProducer("masking", Option.withTransport("kafka"), Option.withConfig(config));
                 Consumer consumer = Mq.newConsumer("masking", "masking-group", Option.withTransport("kafka"),
                         Option.withConfig(config));
                 AdminClient admin = Mq.newAdminClient("masking", Option.withTransport("kafka"), Option.withConfig(config))) {
                assertThat(List.of(producer, consumer, admin)).doesNotContainNull();
            }
        } finally {
            mq.detachAppender(events);
        }

        List<String> lines = new ArrayList<>();
        for (ILoggingEvent e : events.list) {
            lines.add(e.getFormattedMessage() + " " + e.getKeyValuePairs());
        }
        assertThat(lines).as("the created clients and their properties were logged")
                .anySatisfy(line -> assertThat(line).startsWith("mq client created").contains("ssl.keystore.key=******"))
                .anySatisfy(line -> assertThat(line).startsWith("kafka producer").contains("ssl.keystore.key=******"));
        assertThat(lines).allSatisfy(line -> assertThat(line).doesNotContain(secrets.values().toArray(new String[0])));
    }
}
