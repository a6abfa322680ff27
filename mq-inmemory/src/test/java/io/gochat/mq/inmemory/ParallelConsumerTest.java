package io.gochat.mq.inmemory;

import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.inmemory.junit.InMemoryMqExtension;
import io.gochat.mq.testkit.RecordingConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import static io.gochat.mq.inmemory.Clients.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DisplayName("Parallel consumption (consumer.concurrency > 1)")
@ExtendWith(InMemoryMqExtension.class)
class ParallelConsumerTest {
    private final List<CountDownLatch> gates = new CopyOnWriteArrayList<>();

    @AfterEach
    void openGates() {
        gates.forEach(CountDownLatch::countDown);
    }

    private CountDownLatch gate() {
        CountDownLatch gate = new CountDownLatch(1);
        gates.add(gate);
        return gate;
    }

    private static MqConfig parallel(int concurrency, int maxPending, int commitIntervalMs) {
        return MqConfig.builder().consumer(c -> c.autoOffsetReset("earliest").autoCommitIntervalMs(commitIntervalMs)
                .concurrency(concurrency).maxPendingPerPartition(maxPending).sessionTimeoutMs(6000)
                .heartbeatIntervalMs(1000)).build();
    }

    private static void awaitLatch(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as("latch opened in time").isTrue();
    }

    /** Sends {@code key:seq} values; returns them in send order. */
    private static List<String> sendKeyed(String topic, int count, int keys, long seed) {
        Random random = new Random(seed);
        Map<String, AtomicInteger> seq = new ConcurrentHashMap<>();
        List<String> values = new ArrayList<>();
        try (Producer producer = Clients.producer()) {
            for (int i = 0; i < count; i++) {
                String key = "user-" + random.nextInt(keys);
                String value = key + ":" + seq.computeIfAbsent(key, k -> new AtomicInteger()).getAndIncrement();
                producer.sendSync(Message.of(topic, key, value));
                values.add(value);
            }
        }
        return values;
    }

    @Test
    @DisplayName("4,000 messages of 200 keys under random callback delays: each key in send order, each message once, never two of a key at once")
    void perKeyOrder(InMemoryBroker broker) {
        String topic = "parallel.order";
        Clients.createTopic(topic, 3);
        List<String> values = sendKeyed(topic, 4000, 200, 7);
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger maxAtOnce = new AtomicInteger();
        AtomicInteger atOnce = new AtomicInteger();
        RecordingConsumer recording = RecordingConsumer.start(Clients.consumer("g", parallel(16, 100, 50)),
                List.of(topic), m -> {
                    maxAtOnce.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
                    if (running.computeIfAbsent(m.keyAsString(), k -> new AtomicInteger()).incrementAndGet() > 1) {
                        overlaps.incrementAndGet();
                    }
                    LockSupport.parkNanos(ThreadLocalRandom.current().nextInt(300_000));
                    running.get(m.keyAsString()).decrementAndGet();
                    atOnce.decrementAndGet();
                });
        recording.awaitCount(values.size(), TIMEOUT);
        recording.close();

        List<String> received = recording.received().stream().map(Message::valueAsString).toList();
        assertThat(received).containsExactlyInAnyOrderElementsOf(values);
        Map<String, List<Integer>> perKey = recording.received().stream().collect(Collectors.groupingBy(
                Message::keyAsString, Collectors.mapping(m -> Integer.parseInt(m.valueAsString().split(":")[1]),
                        Collectors.toList())));
        perKey.forEach((key, seqs) -> assertThat(seqs).as("order of %s", key).isSorted());
        assertThat(overlaps.get()).as("callbacks of one key at once").isZero();
        assertThat(maxAtOnce.get()).as("callbacks at once").isBetween(2, 16);
        long committed = 0;
        for (int p = 0; p < 3; p++) {
            committed += broker.committedOffset("g", topic, p).orElse(0);
        }
        assertThat(committed).as("close committed everything").isEqualTo(values.size());
    }

    @Test
    @DisplayName("two keys overlap: the first key's callback waits for a latch only the second key's callback opens")
    void differentKeysOverlap() {
        String topic = "parallel.overlap";
        Clients.createTopic(topic, 1);
        CountDownLatch openedByB = gate();
        try (Producer producer = Clients.producer()) {
            producer.sendSync(Message.of(topic, "a", "a"));
            producer.sendSync(Message.of(topic, "b", "b"));
        }
        try (RecordingConsumer recording = RecordingConsumer.start(Clients.consumer("g", parallel(4, 1000, 600_000)),
                List.of(topic), m -> {
                    if ("a".equals(m.keyAsString())) {
                        awaitLatch(openedByB);
                    } else {
                        openedByB.countDown();
                    }
                })) {
            recording.awaitCount(2, TIMEOUT);
            // RecordingConsumer records before the callback: both started, and a's returned only after b's opened it
            assertThat(openedByB.getCount()).isZero();
        }
    }

    @Test
    @DisplayName("a slow message at offset k holds the commit at k while later ones finish; a crash then redelivers from k, nothing lost")
    void slowOffsetHoldsCommitThenCrash(InMemoryBroker broker) {
        String topic = "parallel.slow";
        Clients.createTopic(topic, 1);
        CommittedOffsetsTest.send(topic, 20); // keys k0..k19
        CountDownLatch never = gate();
        AtomicInteger done = new AtomicInteger();
        Consumer victim = Clients.consumer("g", parallel(8, 1000, 20));
        RecordingConsumer recording = RecordingConsumer.start(victim, List.of(topic), m -> {
            if (m.offset() == 5) {
                awaitLatch(never);
            }
            done.incrementAndGet();
        });
        await().atMost(TIMEOUT).until(() -> done.get() == 19);
        await("the commit to reach the slow offset").atMost(TIMEOUT)
                .until(() -> broker.committedOffset("g", topic, 0).equals(OptionalLong.of(5)));
        await().during(java.time.Duration.ofMillis(200)).atMost(TIMEOUT)
                .until(() -> broker.committedOffset("g", topic, 0).equals(OptionalLong.of(5)));

        broker.crash(victim);
        assertThat(recording.awaitTermination(TIMEOUT)).isEmpty();
        try (RecordingConsumer next = Clients.start("g", Clients.earliest(), topic)) {
            next.awaitCount(15, TIMEOUT);
            assertThat(next.received()).extracting(Message::offset)
                    .containsExactly(5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L);
        }
    }

    @Test
    @DisplayName("a key that never finishes keeps its partition at maxPendingPerPartition while the other partition goes on")
    void stuckKeyHoldsOnlyItsPartition(InMemoryBroker broker) throws Exception {
        String topic = "parallel.stuck";
        Clients.createTopic(topic, 2);
        CountDownLatch never = gate();
        Map<Integer, AtomicInteger> started = new ConcurrentHashMap<>();
        // every message of partition 0 has the stuck key's partition; find keys for each partition
        List<String> keys0 = new ArrayList<>();
        List<String> keys1 = new ArrayList<>();
        for (int i = 0; keys0.size() < 100 || keys1.size() < 100; i++) {
            String key = "k" + i;
            (KeyPartitioner.partition(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), 2) == 0 ? keys0 : keys1).add(key);
        }
        try (Producer producer = Clients.producer()) {
            for (int i = 0; i < 100; i++) {
                producer.sendSync(Message.of(topic, keys0.get(i), "p0-" + i));
                producer.sendSync(Message.of(topic, keys1.get(i), "p1-" + i));
            }
        }
        RecordingConsumer recording = RecordingConsumer.start(Clients.consumer("g", parallel(8, 10, 20)),
                List.of(topic), m -> {
                    started.computeIfAbsent(m.partition(), p -> new AtomicInteger()).incrementAndGet();
                    if (m.partition() == 0 && m.offset() == 0) {
                        awaitLatch(never);
                    }
                });
        await("the other partition to finish").atMost(TIMEOUT)
                .until(() -> broker.committedOffset("g", topic, 1).equals(OptionalLong.of(100)));
        await("partition 0 to hold its window").during(java.time.Duration.ofMillis(300)).atMost(TIMEOUT)
                .until(() -> started.get(0).get() == 10);
        assertThat(broker.committedOffset("g", topic, 0)).hasValue(0);
        never.countDown();
        await("partition 0 to go on once the key returns").atMost(TIMEOUT)
                .until(() -> broker.committedOffset("g", topic, 0).equals(OptionalLong.of(100)));
        recording.close();
    }

    @Test
    @DisplayName("close waits for the callbacks in hand and commits them")
    void closeWaitsAndCommits(InMemoryBroker broker) throws Exception {
        String topic = "parallel.close";
        Clients.createTopic(topic, 1);
        CommittedOffsetsTest.send(topic, 10);
        CountDownLatch release = gate();
        CountDownLatch inSlow = new CountDownLatch(1);
        AtomicInteger done = new AtomicInteger();
        RecordingConsumer recording = RecordingConsumer.start(Clients.consumer("g", parallel(16, 1000, 600_000)),
                List.of(topic), m -> {
                    if (m.offset() == 9) {
                        inSlow.countDown();
                        awaitLatch(release);
                    }
                    done.incrementAndGet();
                });
        awaitLatch(inSlow);
        await().atMost(TIMEOUT).until(() -> done.get() == 9);
        Thread closer = new Thread(recording::close, "closer");
        closer.start();
        await("close to be waiting").during(java.time.Duration.ofMillis(100)).atMost(TIMEOUT).until(closer::isAlive);
        release.countDown();
        closer.join(TIMEOUT.toMillis());
        assertThat(closer.isAlive()).isFalse();
        assertThat(done.get()).isEqualTo(10);
        assertThat(broker.committedOffset("g", topic, 0)).as("the callback in hand was committed").hasValue(10);
    }

    @Test
    @DisplayName("members join and leave while 3,000 messages stream at concurrency 8: nothing lost")
    void churn(InMemoryBroker broker) throws Exception {
        String topic = "parallel.churn";
        Clients.createTopic(topic, 4);
        Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
        List<RecordingConsumer> members = new ArrayList<>();
        MqConfig config = parallel(8, 50, 20);
        List<String> values = new ArrayList<>();
        try (Producer producer = Clients.producer()) {
            for (int i = 0; i < 3000; i++) {
                if (i == 0 || i == 1000) {
                    members.add(RecordingConsumer.start(Clients.consumer("g", config), List.of(topic),
                            m -> handled.computeIfAbsent(m.valueAsString(), v -> new AtomicInteger()).incrementAndGet()));
                    // the member must have joined before anyone closes it: close() before subscribe
                    // makes subscribe throw, which is the contract, not churn
                    int joined = members.size();
                    await("member " + joined + " joined").atMost(TIMEOUT).until(() -> broker.members("g").size() == joined);
                } else if (i == 2000) {
                    members.get(0).close();
                }
                String value = "m-" + i;
                producer.sendSync(Message.of(topic, "user-" + (i % 97), value));
                values.add(value);
            }
        }
        await("every message handled").atMost(TIMEOUT).until(() -> handled.keySet().containsAll(values));
        members.forEach(RecordingConsumer::close);
        assertThat(handled.keySet()).containsExactlyInAnyOrderElementsOf(values);
    }
}
