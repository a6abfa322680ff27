package io.gochat.mq.coord;

import io.gochat.mq.Mq;
import io.gochat.mq.MqConfigException;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A {@code kafka.yaml} without brokers, loaded by this module: whether that is enough is the chosen
 * transport's answer ({@code TransportProvider.validate}), the same however the transport was chosen.
 * The in-memory, Kafka and recording transports are all on this test class path.
 */
class TransportValidationTest {
    private static final List<String> PROPERTIES = List.of("mq.config.file", "mq.consul.addr", "mq.transport");
    private static final String NO_BROKERS = "producer:\n  lingerMs: 1\n";

    @TempDir
    Path dir;
    private final Map<String, String> saved = new HashMap<>();

    @BeforeEach
    void setUp() {
        PROPERTIES.forEach(p -> saved.put(p, System.getProperty(p)));
        PROPERTIES.forEach(System::clearProperty);
    }

    @AfterEach
    void tearDown() {
        saved.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
    }

    private Path yaml(String text) throws IOException {
        Path file = dir.resolve("kafka.yaml");
        Files.writeString(file, text);
        System.setProperty("mq.config.file", file.toString());
        return file;
    }

    @Test
    @DisplayName("Option.withTransport(\"inmemory\") runs on a kafka.yaml without brokers")
    void inMemoryByOption() throws IOException {
        yaml(NO_BROKERS);
        try (Producer producer = Mq.newProducer("svc", Option.withTransport("inmemory"))) {
            assertThat(producer.getClass().getName()).isEqualTo("io.gochat.mq.inmemory.InMemoryProducer");
        }
    }

    @Test
    @DisplayName("-Dmq.transport=inmemory runs on the same kafka.yaml without brokers")
    void inMemoryBySystemProperty() throws IOException {
        yaml(NO_BROKERS);
        System.setProperty("mq.transport", "inmemory");
        try (Producer producer = Mq.newProducer("svc")) {
            assertThat(producer.getClass().getName()).isEqualTo("io.gochat.mq.inmemory.InMemoryProducer");
        }
    }

    @Test
    @DisplayName("the transport key of the file itself picks inmemory just as well")
    void inMemoryByTransportKey() throws IOException {
        yaml("transport: inmemory\n" + NO_BROKERS);
        try (Producer producer = Mq.newProducer("svc")) {
            assertThat(producer.getClass().getName()).isEqualTo("io.gochat.mq.inmemory.InMemoryProducer");
        }
    }

    @Test
    @DisplayName("a transport with no rule on brokers (the recording one) gets the configuration as loaded")
    void transportWithoutRule() throws IOException {
        yaml(NO_BROKERS);
        RecordingTransport.SPECS.clear();
        Mq.newProducer("svc", Option.withTransport(RecordingTransport.NAME)).close();
        assertThat(RecordingTransport.SPECS).singleElement()
                .satisfies(spec -> assertThat(spec.config().common().brokers()).isEmpty());
    }

    @Test
    @DisplayName("the Kafka transport refuses it, naming common.brokers and the file, by option and by system property")
    void kafkaNeedsBrokers() throws IOException {
        Path file = yaml(NO_BROKERS);
        String expected = "common.brokers: expected at least one host:port of a Kafka broker but was [] (file "
                + file.toAbsolutePath() + ")";
        assertThatThrownBy(() -> Mq.newProducer("svc", Option.withTransport("kafka")))
                .isInstanceOf(MqConfigException.class).hasMessage(expected);
        System.setProperty("mq.transport", "kafka");
        assertThatThrownBy(() -> Mq.newConsumer("svc", "group"))
                .isInstanceOf(MqConfigException.class).hasMessage(expected);
    }

    @Test
    @DisplayName("the Kafka transport checks the configuration merged for the service: one service's brokers serve only it")
    void kafkaChecksTheServicesConfiguration() throws IOException {
        Path file = yaml("services:\n  im-gateway:\n    common:\n      brokers: [\"127.0.0.1:1\"]\n");
        try (Producer producer = Mq.newProducer("im-gateway", Option.withTransport("kafka"))) {
            assertThat(producer.getClass().getName()).isEqualTo("io.gochat.mq.kafka.KafkaMqProducer");
        }
        assertThatThrownBy(() -> Mq.newProducer("im-logic", Option.withTransport("kafka")))
                .isInstanceOf(MqConfigException.class)
                .hasMessage("common.brokers: expected at least one host:port of a Kafka broker but was [] (file "
                        + file.toAbsolutePath() + ")");
    }
}
