package io.gochat.mq.inmemory;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.MqClosedException;
import io.gochat.mq.MqException;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.inmemory.junit.InMemoryMqExtension;
import io.gochat.mq.spi.TransportProvider;
import io.gochat.mq.testkit.RecordingConsumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ServiceLoader;

import static io.gochat.mq.inmemory.Clients.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("In-memory broker")
@ExtendWith(InMemoryMqExtension.class)
class InMemoryBrokerTest {

    @Test
    @DisplayName("is found by ServiceLoader as the inmemory transport that needs no configuration")
    void registeredProvider() {
        assertThat(ServiceLoader.load(TransportProvider.class)).anySatisfy(provider -> {
            assertThat(provider).isInstanceOf(InMemoryTransportProvider.class);
            assertThat(provider.name()).isEqualTo("inmemory");
            assertThat(provider.requiresConfiguration()).isFalse();
        });
    }

    @Test
    @DisplayName("creates a topic on first send with the default partition count, offsets from 0 and broker timestamps")
    void autoCreateOnSend(InMemoryBroker broker) {
        long before = System.currentTimeMillis();
        try (Producer producer = Clients.producer()) {
            producer.sendSync(Message.of("broker.auto", "k", "a"));
            producer.sendSync(Message.of("broker.auto", "k", "b"));
        }
        long after = System.currentTimeMillis();

        assertThat(broker.topics()).containsExactly("broker.auto");
        assertThat(broker.partitions("broker.auto")).isEqualTo(4);
        assertThat(broker.messages("broker.auto")).extracting(Message::offset).containsExactly(0L, 1L);
        assertThat(broker.messages("broker.auto")).allSatisfy(m -> assertThat(m.timestamp()).isBetween(before, after));
    }

    @Test
    @DisplayName("creates a topic on subscribe")
    void autoCreateOnSubscribe(InMemoryBroker broker) {
        try (RecordingConsumer consumer = Clients.start("g", Clients.earliest(), "broker.sub")) {
            org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> broker.topics().contains("broker.sub"));
            assertThat(broker.partitions("broker.sub")).isEqualTo(4);
        }
    }

    @Test
    @DisplayName("createTopic uses the partitions given, and a second call leaves the topic as it is")
    void createTopic(InMemoryBroker broker) {
        try (AdminClient admin = Clients.admin()) {
            admin.createTopic("broker.created", 7, 3);
            admin.createTopic("broker.created", 2, 1);
        }
        assertThat(broker.partitions("broker.created")).isEqualTo(7);
    }

    @Test
    @DisplayName("createTopic rejects bad arguments with IllegalArgumentException and bad names with MqException")
    void createTopicRejects(InMemoryBroker broker) {
        AdminClient admin = Clients.admin();
        assertThatThrownBy(() -> admin.createTopic("t", 0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("partitions of topic t: expected at least 1 but was 0");
        assertThatThrownBy(() -> admin.createTopic("t", 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> admin.createTopic(" ", 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> admin.createTopic("..", 1, 1)).isInstanceOf(MqException.class)
                .hasMessageContaining("'.' and '..' are not allowed");
        assertThatThrownBy(() -> admin.createTopic("a/b", 1, 1)).isInstanceOf(MqException.class)
                .hasMessageContaining("[a/b]");
        admin.close();
        assertThatThrownBy(() -> admin.createTopic("t", 1, 1)).isInstanceOf(MqClosedException.class);
        assertThat(broker.topics()).isEmpty();
    }

    @Test
    @DisplayName("the inspection methods explain unknown topics and partitions")
    void inspectionOfUnknowns(InMemoryBroker broker) {
        Clients.createTopic("broker.known", 2);
        assertThat(broker.messages("broker.unknown")).isEmpty();
        assertThat(broker.committedOffset("g", "broker.unknown", 0)).isEmpty();
        assertThat(broker.members("nobody")).isEmpty();
        assertThat(broker.assignment("nobody")).isEmpty();
        assertThatThrownBy(() -> broker.partitions("broker.unknown")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("No topic 'broker.unknown'").hasMessageContaining("[broker.known]");
        assertThatThrownBy(() -> broker.messages("broker.known", 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("partition of topic broker.known: expected 0..1 but was 2");
    }

    @Test
    @DisplayName("clients created separately share the default broker")
    void defaultBrokerIsShared(InMemoryBroker broker) {
        assertThat(broker).isSameAs(InMemoryBroker.getDefault());
        try (Producer producer = Mq.newProducer("a", Option.withTransport("inmemory"));
             RecordingConsumer consumer = RecordingConsumer.start(
                     Mq.newConsumer("b", "g", Option.withTransport("inmemory"), Option.withConfig(Clients.earliest())),
                     java.util.List.of("broker.shared"))) {
            producer.sendSync(Message.of("broker.shared", "k", "hello"));
            consumer.awaitCount(1, TIMEOUT);
            assertThat(consumer.received().get(0).valueAsString()).isEqualTo("hello");
        }
    }

    @Test
    @DisplayName("the common property inmemory.broker picks a named broker apart from the default")
    void namedBroker(InMemoryBroker broker) {
        MqConfig orders = MqConfig.builder().common(c -> c.property(InMemoryBroker.BROKER_PROPERTY, "orders")).build();
        try (Producer producer = Mq.newProducer("svc", Option.withTransport("inmemory"), Option.withConfig(orders))) {
            producer.sendSync(Message.of("broker.named", "k", "v"));
            InMemoryBroker named = InMemoryBroker.named("orders");
            assertThat(named).isNotSameAs(broker);
            assertThat(named.name()).isEqualTo("orders");
            assertThat(named.messages("broker.named")).hasSize(1);
            assertThat(broker.topics()).isEmpty();
        } finally {
            InMemoryBroker.named("orders").close();
        }
    }

    @Test
    @DisplayName("resetDefault closes the default broker and the next one starts empty")
    void resetDefault() {
        InMemoryBroker first = InMemoryBroker.getDefault();
        Clients.createTopic("broker.reset", 1);
        InMemoryBroker.resetDefault();

        assertThat(first.isClosed()).isTrue();
        InMemoryBroker second = InMemoryBroker.getDefault();
        assertThat(second).isNotSameAs(first);
        assertThat(second.topics()).isEmpty();
    }

    @Test
    @DisplayName("the builder checks its values and refuses to replace a running broker")
    void builder() {
        assertThatThrownBy(() -> InMemoryBroker.builder().defaultPartitions(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("defaultPartitions: expected at least 1 but was 0");
        assertThatThrownBy(() -> InMemoryBroker.builder().retentionPerPartition(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retentionPerPartition: expected 1..1073741824 messages but was 0");
        assertThatThrownBy(() -> InMemoryBroker.builder().retentionBytesPerPartition(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retentionBytesPerPartition: expected at least 1 byte but was 0");
        assertThatThrownBy(() -> InMemoryBroker.builder().name(" ")).isInstanceOf(IllegalArgumentException.class);
        InMemoryBroker.getDefault();
        assertThatThrownBy(() -> InMemoryBroker.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'default' is already running")
                .hasMessageContaining("resetDefault()");

        try (InMemoryBroker custom = InMemoryBroker.builder().name("custom").defaultPartitions(2).build()) {
            assertThat(InMemoryBroker.named("custom")).isSameAs(custom);
            assertThat(custom.defaultPartitions()).isEqualTo(2);
        }
        assertThat(InMemoryBroker.named("custom").defaultPartitions()).as("a closed broker is replaced").isEqualTo(4);
        InMemoryBroker.named("custom").close();
    }
}
