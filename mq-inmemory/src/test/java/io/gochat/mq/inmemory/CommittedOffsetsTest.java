package io.gochat.mq.inmemory;

import io.gochat.mq.Message;
import io.gochat.mq.Producer;
import io.gochat.mq.inmemory.junit.InMemoryMqExtension;
import io.gochat.mq.testkit.RecordingConsumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.gochat.mq.inmemory.Clients.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DisplayName("Committed offsets")
@ExtendWith(InMemoryMqExtension.class)
class CommittedOffsetsTest {

    @Test
    @DisplayName("an offset is committed only after the callback for that message returned")
    void commitAfterCallbackReturned(InMemoryBroker broker) throws Exception {
        String topic = "commit.after";
        Clients.createTopic(topic, 1);
        CountDownLatch inHand = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (RecordingConsumer consumer = RecordingConsumer.start(Clients.consumer("g", Clients.config("earliest", 20)),
                List.of(topic), message -> {
                    if (message.offset() == 1) {
                        inHand.countDown();
                        release.await();
                    }
                })) {
            send(topic, 1);
            await().atMost(TIMEOUT).until(() -> broker.committedOffset("g", topic, 0).equals(OptionalLong.of(1)));

            send(topic, 1, 1);
            assertThat(inHand.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            // Auto-commit is due every 20 ms, but offset 1 is in hand: it must not be committed.
            await().during(Duration.ofMillis(300)).atMost(TIMEOUT)
                    .until(() -> broker.committedOffset("g", topic, 0).equals(OptionalLong.of(1)));

            release.countDown();
            await().atMost(TIMEOUT).until(() -> broker.committedOffset("g", topic, 0).equals(OptionalLong.of(2)));
            assertThat(consumer.count()).isEqualTo(2);
        } finally {
            release.countDown();
        }
    }

    @Test
    @DisplayName("a callback that throws is logged, counts as processed, and consumption goes on")
    void throwingCallbackCountsAsProcessed(InMemoryBroker broker) {
        String topic = "commit.throwing";
        Clients.createTopic(topic, 1);
        send(topic, 5);
        try (LogCapture logs = LogCapture.of("io.gochat.mq.consumer");
             RecordingConsumer consumer = RecordingConsumer.start(Clients.consumer("g", Clients.config("earliest", 20)),
                List.of(topic), message -> {
                    if (message.offset() % 2 == 0) {
                        throw new IllegalStateException("boom at " + message.offset());
                    }
                })) {
            consumer.awaitCount(5, TIMEOUT);
            await().atMost(TIMEOUT).until(() -> broker.committedOffset("g", topic, 0).equals(OptionalLong.of(5)));
            assertThat(consumer.isRunning()).isTrue();
            assertThat(logs.events()).filteredOn(e -> e.getFormattedMessage().startsWith("consume callback failed"))
                    .extracting(e -> e.getThrowableProxy().getMessage())
                    .containsExactly("boom at 0", "boom at 2", "boom at 4");
        }
    }

    @Test
    @DisplayName("close commits what was processed, and the next member of the group starts right after it")
    void closeCommitsAndNextMemberContinues(InMemoryBroker broker) {
        String topic = "commit.close";
        Clients.createTopic(topic, 2);
        send(topic, 10);
        RecordingConsumer first = Clients.start("g", Clients.earliest(), topic);
        first.awaitCount(10, TIMEOUT);
        assertThat(broker.committedOffset("g", topic, 0).getAsLong() + broker.committedOffset("g", topic, 1).getAsLong())
                .as("nothing committed before close: auto-commit is off").isZero();
        first.close();
        assertThat(broker.committedOffset("g", topic, 0)).hasValue(broker.logEndOffset(topic, 0));
        assertThat(broker.committedOffset("g", topic, 1)).hasValue(broker.logEndOffset(topic, 1));

        send(topic, 10, 10);
        try (RecordingConsumer second = Clients.start("g", Clients.earliest(), topic)) {
            second.awaitCount(10, TIMEOUT);
            await().during(Duration.ofMillis(200)).atMost(TIMEOUT).until(() -> second.count() == 10);
            assertThat(second.received()).extracting(Message::valueAsString)
                    .containsExactlyInAnyOrder("10", "11", "12", "13", "14", "15", "16", "17", "18", "19");
        }
    }

    @Test
    @DisplayName("commits every autoCommitIntervalMs while the consumer keeps running")
    void periodicCommit(InMemoryBroker broker) {
        String topic = "commit.periodic";
        Clients.createTopic(topic, 1);
        try (RecordingConsumer consumer = Clients.start("g", Clients.config("earliest", 50), topic)) {
            send(topic, 7);
            consumer.awaitCount(7, TIMEOUT);
            await().atMost(TIMEOUT).until(() -> broker.committedOffset("g", topic, 0).equals(OptionalLong.of(7)));
            send(topic, 7, 3);
            await().atMost(TIMEOUT).until(() -> broker.committedOffset("g", topic, 0).equals(OptionalLong.of(10)));
            assertThat(consumer.isRunning()).isTrue();
        }
    }

    @Test
    @DisplayName("a new group with earliest reads what is retained; with latest only what comes after it joined")
    void autoOffsetReset(InMemoryBroker broker) {
        String topic = "commit.reset";
        Clients.createTopic(topic, 1);
        send(topic, 3);
        try (RecordingConsumer early = Clients.start("early", Clients.config("earliest", 50), topic);
             RecordingConsumer late = Clients.start("late", Clients.config("latest", 50), topic)) {
            // A group that takes a partition commits its starting point at once.
            await().atMost(TIMEOUT).until(() -> broker.committedOffset("late", topic, 0).isPresent());
            assertThat(broker.committedOffset("late", topic, 0)).hasValue(3);
            send(topic, 3, 2);
            early.awaitCount(5, TIMEOUT);
            late.awaitCount(2, TIMEOUT);
            assertThat(early.received()).extracting(Message::valueAsString).containsExactly("0", "1", "2", "3", "4");
            assertThat(late.received()).extracting(Message::valueAsString).containsExactly("3", "4");
        }
    }

    @Test
    @DisplayName("groups keep their own offsets on the same topic")
    void groupsAreIndependent(InMemoryBroker broker) {
        String topic = "commit.groups";
        Clients.createTopic(topic, 1);
        send(topic, 4);
        RecordingConsumer a = Clients.start("a", Clients.earliest(), topic);
        a.awaitCount(4, TIMEOUT);
        a.close();
        try (RecordingConsumer b = Clients.start("b", Clients.earliest(), topic)) {
            b.awaitCount(4, TIMEOUT);
        }
        assertThat(broker.committedOffset("a", topic, 0)).hasValue(4);
        assertThat(broker.committedOffset("b", topic, 0)).hasValue(4);
        assertThat(broker.committedOffset("c", topic, 0)).isEmpty();
        assertThat(broker.groups()).containsExactly("a", "b");
    }

    static void send(String topic, int count) {
        send(topic, 0, count);
    }

    static void send(String topic, int from, int count) {
        try (Producer producer = Clients.producer()) {
            for (int i = from; i < from + count; i++) {
                producer.sendSync(Message.of(topic, "k" + i, Integer.toString(i)));
            }
        }
    }
}
