package io.gochat.mq.inmemory;

import io.gochat.mq.Message;
import io.gochat.mq.Producer;
import io.gochat.mq.inmemory.junit.InMemoryMqExtension;
import io.gochat.mq.testkit.RecordingConsumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static io.gochat.mq.inmemory.Clients.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DisplayName("Consumer group rebalance")
@ExtendWith(InMemoryMqExtension.class)
class ConsumerGroupRebalanceTest {

    @Test
    @DisplayName("splits the partitions between two members and gives all to the one that stays")
    void splitAndTakeOver(InMemoryBroker broker) {
        Clients.createTopic("rebalance.split", 4);
        try (RecordingConsumer a = Clients.start("g", Clients.earliest(), "rebalance.split")) {
            await().atMost(TIMEOUT).until(() -> owned(broker, "g").equals(List.of(4)));
            RecordingConsumer b = Clients.start("g", Clients.earliest(), "rebalance.split");
            await().atMost(TIMEOUT).until(() -> owned(broker, "g").equals(List.of(2, 2)));
            assertThat(broker.assignment("g").values()).containsExactly(
                    List.of("rebalance.split-0", "rebalance.split-1"), List.of("rebalance.split-2", "rebalance.split-3"));

            b.close();
            await().atMost(TIMEOUT).until(() -> owned(broker, "g").equals(List.of(4)));
            assertThat(broker.members("g")).hasSize(1);
        }
        assertThat(broker.members("g")).isEmpty();
    }

    @Test
    @DisplayName("splits each topic among the members subscribed to it")
    void perTopicSubscriptions(InMemoryBroker broker) {
        Clients.createTopic("rebalance.shared", 2);
        Clients.createTopic("rebalance.only-a", 2);
        try (RecordingConsumer a = Clients.start("g", Clients.earliest(), "rebalance.shared", "rebalance.only-a");
             RecordingConsumer b = Clients.start("g", Clients.earliest(), "rebalance.shared")) {
            // a and b start on threads of their own, so either may join first
            await().atMost(TIMEOUT).until(() -> owned(broker, "g").stream().sorted().toList().equals(List.of(1, 3)));
            List<List<String>> owned = new ArrayList<>(broker.assignment("g").values());
            owned.sort(Comparator.comparing(List::size));
            assertThat(owned.get(1)).contains("rebalance.only-a-0", "rebalance.only-a-1");
            assertThat(owned.get(0)).singleElement().asString().startsWith("rebalance.shared-");
        }
    }

    @Test
    @DisplayName("loses nothing and repeats nothing while members join and leave under load")
    void nothingLostNothingRepeated(InMemoryBroker broker) {
        String topic = "rebalance.load";
        Clients.createTopic(topic, 4);
        List<RecordingConsumer> members = new CopyOnWriteArrayList<>();
        int sent = 0;
        try (Producer producer = Clients.producer()) {
            // Auto-commit is off: a member that hands a partition over must commit on revocation,
            // or the next owner would start over and the duplicate check below would fail.
            members.add(Clients.start("g", Clients.earliest(), topic));
            sent = sendChunk(producer, topic, sent);
            members.add(Clients.start("g", Clients.earliest(), topic));
            sent = sendChunk(producer, topic, sent);
            members.get(0).close();
            sent = sendChunk(producer, topic, sent);
            members.add(Clients.start("g", Clients.earliest(), topic));
            sent = sendChunk(producer, topic, sent);
            members.add(Clients.start("g", Clients.earliest(), topic));
            sent = sendChunk(producer, topic, sent);
            members.get(1).close();
            sent = sendChunk(producer, topic, sent);
            members.add(Clients.start("g", Clients.earliest(), topic));
            sent = sendChunk(producer, topic, sent);
        }
        int total = sent;
        await().atMost(TIMEOUT).until(() -> received(members).size() >= total);
        members.forEach(RecordingConsumer::close);

        Map<String, Long> counts = received(members).stream()
                .collect(Collectors.groupingBy(Message::valueAsString, Collectors.counting()));
        assertThat(counts.keySet()).as("every message sent was received")
                .isEqualTo(IntStream.range(0, total).mapToObj(Integer::toString).collect(Collectors.toSet()));
        assertThat(counts.entrySet().stream().filter(e -> e.getValue() != 1).toList())
                .as("messages received more than once").isEmpty();
        for (int p = 0; p < 4; p++) {
            assertThat(broker.committedOffset("g", topic, p)).hasValue(broker.logEndOffset(topic, p));
        }
    }

    @Test
    @DisplayName("moves a partition only after its owner finished the message in hand and committed it")
    void revocationWaitsForTheMessageInHand(InMemoryBroker broker) throws Exception {
        String topic = "rebalance.in-hand";
        Clients.createTopic(topic, 2);
        String key = keyOnPartition(1, 2);
        try (Producer producer = Clients.producer()) {
            for (int i = 0; i < 100; i++) {
                producer.sendSync(Message.of(topic, key, Integer.toString(i)));
            }
        }
        CountDownLatch inHand = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RecordingConsumer first = RecordingConsumer.start(Clients.consumer("g", Clients.earliest()), List.of(topic),
                message -> {
                    if (message.offset() == 10) {
                        inHand.countDown();
                        release.await();
                    }
                });
        assertThat(inHand.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        RecordingConsumer second = Clients.start("g", Clients.earliest(), topic);
        // The range assignor moves partition 1 to the newcomer, but its owner is mid-message.
        await().atMost(TIMEOUT).until(() -> broker.assignment("g").size() == 2);
        await().during(Duration.ofMillis(300)).atMost(TIMEOUT).until(() ->
                second.count() == 0 && broker.committedOffset("g", topic, 1).equals(OptionalLong.of(0)));
        assertThat(new ArrayList<>(broker.assignment("g").values()).get(0))
                .as("partitions of the member with the message in hand").contains(topic + "-1");

        release.countDown();
        second.awaitCount(89, TIMEOUT);
        assertThat(first.received()).extracting(Message::offset)
                .containsExactlyElementsOf(LongStream.rangeClosed(0, 10).boxed().toList());
        assertThat(second.received()).extracting(Message::offset)
                .containsExactlyElementsOf(LongStream.range(11, 100).boxed().toList());
        assertThat(broker.assignment("g").values()).containsExactly(List.of(topic + "-0"), List.of(topic + "-1"));
        first.close();
        second.close();
        assertThat(broker.committedOffset("g", topic, 1)).hasValue(100);
    }

    @Test
    @DisplayName("hands a partition over in offset order: the new owner starts where the old one stopped")
    void handOverKeepsOffsetOrder(InMemoryBroker broker) throws Exception {
        String topic = "rebalance.order";
        Clients.createTopic(topic, 1);
        try (Producer producer = Clients.producer()) {
            for (int i = 0; i < 5_000; i++) {
                producer.sendSync(Message.of(topic, "k", Integer.toString(i)));
            }
        }
        RecordingConsumer first = Clients.start("g", Clients.earliest(), topic);
        first.awaitCount(1, TIMEOUT);
        first.close();
        try (RecordingConsumer second = Clients.start("g", Clients.earliest(), topic)) {
            second.awaitCount(5_000 - first.count(), TIMEOUT);
            List<Long> offsets = new ArrayList<>();
            first.received().forEach(m -> offsets.add(m.offset()));
            second.received().forEach(m -> offsets.add(m.offset()));
            assertThat(offsets).containsExactlyElementsOf(IntStream.range(0, 5_000).mapToObj(i -> (long) i).toList());
        }
    }

    private static List<Integer> owned(InMemoryBroker broker, String group) {
        return broker.assignment(group).values().stream().map(List::size).toList();
    }

    private static List<Message> received(List<RecordingConsumer> members) {
        List<Message> all = new ArrayList<>();
        members.forEach(m -> all.addAll(m.received()));
        return all;
    }

    private static int sendChunk(Producer producer, String topic, int from) {
        int to = from + 10_000;
        for (int i = from; i < to; i++) {
            producer.sendSync(Message.of(topic, "key-" + (i % 97), Integer.toString(i)));
        }
        return to;
    }

    /** A key that Kafka's partitioner puts on {@code partition} of {@code partitions}. */
    static String keyOnPartition(int partition, int partitions) {
        for (int i = 0; ; i++) {
            String key = "key-" + i;
            if (KeyPartitioner.partition(key.getBytes(StandardCharsets.UTF_8), partitions) == partition) {
                return key;
            }
        }
    }
}
