package io.gochat.mq.inmemory;

import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.inmemory.junit.InMemoryMqExtension;
import io.gochat.mq.testkit.RecordingConsumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

import static io.gochat.mq.inmemory.Clients.TIMEOUT;
import static io.gochat.mq.inmemory.CommittedOffsetsTest.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@DisplayName("Crash injection")
@ExtendWith(InMemoryMqExtension.class)
class CrashTest {

    @Test
    @DisplayName("a crashed consumer commits nothing more, leaves the group, and the next member gets its messages again")
    void crashRedelivers(InMemoryBroker broker) {
        String topic = "crash.redeliver";
        Clients.createTopic(topic, 1);
        send(topic, 10);
        RecordingConsumer victim = Clients.start("g", Clients.earliest(), topic);
        victim.awaitCount(10, TIMEOUT);

        broker.crash(victim.consumer());

        assertThat(victim.awaitTermination(TIMEOUT)).as("subscribe returns normally").isEmpty();
        assertThat(broker.members("g")).isEmpty();
        assertThat(broker.committedOffset("g", topic, 0)).as("only the starting point was committed").hasValue(0);
        try (RecordingConsumer next = Clients.start("g", Clients.earliest(), topic)) {
            next.awaitCount(10, TIMEOUT);
            assertThat(next.received()).extracting(Message::valueAsString)
                    .containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        }
    }

    @Test
    @DisplayName("a crash from inside the callback stops at once: no further callback, no commit, subscribe returns")
    void crashInsideCallback(InMemoryBroker broker) {
        String topic = "crash.inside";
        Clients.createTopic(topic, 1);
        send(topic, 10);
        Consumer consumer = Clients.consumer("g", Clients.earliest());
        RecordingConsumer victim = RecordingConsumer.start(consumer, List.of(topic), message -> {
            if (message.offset() == 4) {
                broker.crash(consumer);
            }
        });

        assertThat(victim.awaitTermination(TIMEOUT)).isEmpty();
        assertThat(victim.received()).extracting(Message::offset).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(broker.committedOffset("g", topic, 0)).hasValue(0);
        consumer.close();
        assertThat(broker.committedOffset("g", topic, 0)).as("close after a crash commits nothing").hasValue(0);
    }

    @Test
    @DisplayName("what was committed before the crash stays: the next member starts there")
    void committedBeforeCrashIsKept(InMemoryBroker broker) {
        String topic = "crash.committed";
        Clients.createTopic(topic, 1);
        send(topic, 6);
        RecordingConsumer victim = Clients.start("g", Clients.config("earliest", 20), topic);
        victim.awaitCount(6, TIMEOUT);
        await().atMost(TIMEOUT).until(() -> broker.committedOffset("g", topic, 0).equals(OptionalLong.of(6)));
        broker.crash(victim.consumer());
        victim.awaitTermination(TIMEOUT);

        send(topic, 6, 2);
        try (RecordingConsumer next = Clients.start("g", Clients.earliest(), topic)) {
            next.awaitCount(2, TIMEOUT);
            await().during(Duration.ofMillis(200)).atMost(TIMEOUT).until(() -> next.count() == 2);
            assertThat(next.received()).extracting(Message::valueAsString).containsExactly("6", "7");
        }
    }

    @Test
    @DisplayName("the partitions of a crashed member go to the members that remain")
    void partitionsMoveToSurvivors(InMemoryBroker broker) {
        String topic = "crash.survivor";
        Clients.createTopic(topic, 4);
        try (RecordingConsumer survivor = Clients.start("g", Clients.earliest(), topic)) {
            RecordingConsumer victim = Clients.start("g", Clients.earliest(), topic);
            await().atMost(TIMEOUT).until(() -> broker.assignment("g").values().stream().allMatch(p -> p.size() == 2));
            broker.crash(victim.consumer());
            victim.awaitTermination(TIMEOUT);
            await().atMost(TIMEOUT).until(() -> broker.assignment("g").values().stream().map(List::size).toList()
                    .equals(List.of(4)));
            send(topic, 20);
            survivor.awaitCount(20, TIMEOUT);
        }
    }

    @Test
    @DisplayName("crashing a consumer that never subscribed closes it")
    void crashBeforeSubscribe(InMemoryBroker broker) {
        Consumer consumer = Clients.consumer("g", Clients.earliest());
        broker.crash(consumer);
        assertThatThrownBy(() -> consumer.subscribe(List.of("t"), m -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
    }

    @Test
    @DisplayName("refuses to crash a consumer of another broker")
    void foreignConsumer(InMemoryBroker broker) {
        try (InMemoryBroker other = InMemoryBroker.builder().name("crash-other").build()) {
            Consumer consumer = Mq.newConsumer("svc", "g", Option.withTransport("inmemory"), Option.withConfig(
                    MqConfig.builder().common(c -> c.property(InMemoryBroker.BROKER_PROPERTY, "crash-other")).build()));
            assertThatThrownBy(() -> broker.crash(consumer))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("in-memory broker 'default'");
            other.crash(consumer);
        }
    }
}
