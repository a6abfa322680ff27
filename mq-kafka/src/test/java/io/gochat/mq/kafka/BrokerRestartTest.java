package io.gochat.mq.kafka;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.MqClosedException;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.TestNames;
import io.gochat.mq.testkit.kafka.KafkaBrokerExtension;
import io.gochat.mq.testkit.kafka.KafkaBrokerSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A broker of its own, stopped and started while clients run. */
class BrokerRestartTest {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.dedicated(KafkaBrokerSpec.plaintext());

    private static MqConfig config() {
        return KafkaFixture.testConfig(KAFKA.broker());
    }

    private static String topic(String purpose, int partitions) {
        String topic = TestNames.topic(purpose);
        try (AdminClient admin = Mq.newAdminClient("restart", Option.withTransport("kafka"), Option.withConfig(config()))) {
            admin.createTopic(topic, partitions, 1);
        }
        return topic;
    }

    @Test
    @DisplayName("idempotent producers sending through a broker restart: nothing lost, nothing duplicated; a subscribed consumer waits and gets it all")
    void restartUnderLoad() throws Exception {
        String topic = topic("restart-load", 3);
        MqConfig config = config();
        Set<String> acked = ConcurrentHashMap.newKeySet();
        List<Throwable> sendErrors = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger attempted = new AtomicInteger();

        Map<String, Integer> consumed = new ConcurrentHashMap<>();
        AtomicReference<Throwable> subscribeError = new AtomicReference<>();
        Consumer consumer = Mq.newConsumer("restart", TestNames.group("restart"), Option.withTransport("kafka"),
                Option.withConfig(config.toBuilder().consumer(c -> c.autoOffsetReset("earliest").autoCommitIntervalMs(500)).build()));
        Thread consumerLoop = new Thread(() -> {
            try {
                consumer.subscribe(List.of(topic), m -> consumed.merge(m.valueAsString(), 1, Integer::sum));
            } catch (Throwable t) {
                subscribeError.set(t);
            }
        }, "restart-consumer");
        consumerLoop.start();

        List<Thread> senders = new ArrayList<>();
        try (Producer producer = Mq.newProducer("restart", Option.withTransport("kafka"), Option.withConfig(config))) {
            for (int t = 0; t < 2; t++) {
                int thread = t;
                Thread sender = new Thread(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String value = "p" + thread + "-" + i;
                        attempted.incrementAndGet();
                        producer.send(Message.of(topic, "key-" + (i % 10), value), e -> {
                            if (e == null) {
                                acked.add(value);
                            } else {
                                sendErrors.add(e);
                            }
                        });
                    }
                }, "sender-" + t);
                senders.add(sender);
                sender.start();
            }
            await("traffic before the restart").atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 3000);
            int beforeRestart = acked.size();

            KAFKA.broker().restart();

            await("traffic after the restart").atMost(Duration.ofSeconds(120))
                    .until(() -> acked.size() >= beforeRestart + 3000 || !sendErrors.isEmpty());
            stop.set(true);
            for (Thread sender : senders) {
                sender.join(120_000);
            }
        }
        // close() returned: every send has been acknowledged or has failed
        assertThat(sendErrors).as("sends that failed across the restart").isEmpty();
        assertThat(acked).hasSize(attempted.get());

        try {
            await("the consumer to get every acknowledged message").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(50)).until(() -> consumed.keySet().containsAll(acked));
        } finally {
            consumer.close();
            consumerLoop.join(60_000);
        }
        assertThat(subscribeError.get()).as("subscribe must wait for the broker, not fail").isNull();

        List<String> inTopic = readTopic(topic, 3);
        Map<String, Long> copies = inTopic.stream().collect(Collectors.groupingBy(v -> v, Collectors.counting()));
        Map<String, Long> duplicated = new HashMap<>();
        copies.forEach((v, n) -> {
            if (n > 1) {
                duplicated.put(v, n);
            }
        });
        System.out.println("broker restart test: " + acked.size() + " messages acknowledged across a restart, "
                + inTopic.size() + " records in the topic, " + duplicated.size() + " duplicated");
        assertThat(duplicated).as("records written twice (idempotence)").isEmpty();
        assertThat(Set.copyOf(inTopic)).isEqualTo(acked);
    }

    @Test
    @DisplayName("close() with the broker away returns within closeTimeoutMs and fails every pending send once")
    void closeWhileBrokerAway() throws Exception {
        String topic = topic("close-away", 1);
        MqConfig config = config().toBuilder().producer(p -> p.closeTimeoutMs(2000)).build();
        Producer producer = Mq.newProducer("restart", Option.withTransport("kafka"), Option.withConfig(config));
        producer.sendSync(Message.of(topic, "k", "before"));
        Map<Integer, AtomicInteger> calls = new ConcurrentHashMap<>();
        Map<Integer, Throwable> errors = new ConcurrentHashMap<>();
        AtomicInteger started = new AtomicInteger();
        KAFKA.broker().stop();
        Thread sender = new Thread(() -> {
            for (int i = 0; i < 50; i++) {
                int id = i;
                calls.put(id, new AtomicInteger());
                started.incrementAndGet();
                producer.send(Message.of(topic, "k", "v" + id), e -> {
                    calls.get(id).incrementAndGet();
                    if (e != null) {
                        errors.put(id, e);
                    }
                });
            }
        }, "sender");
        long closeTook;
        try {
            sender.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> started.get() >= 1);
            long t0 = System.nanoTime();
            producer.close();
            closeTook = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            sender.join(30_000);
        } finally {
            KAFKA.broker().start();
        }

        assertThat(closeTook).as("ms close() took with closeTimeoutMs=2000").isLessThan(10_000);
        assertThat(sender.isAlive()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.values().stream().allMatch(c -> c.get() >= 1));
        assertThat(calls).hasSize(50);
        calls.forEach((id, n) -> assertThat(n.get()).as("callbacks of message %s", id).isEqualTo(1));
        assertThat(errors).as("every message failed: the broker never saw it").hasSize(50);
        assertThat(errors.values()).allSatisfy(e -> assertThat(e).isInstanceOf(MqClosedException.class));
    }

    private static List<String> readTopic(String topic, int partitions) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> raw = new KafkaConsumer<>(KAFKA.broker().clientProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p))
                    .collect(Collectors.toList());
            raw.assign(tps);
            raw.seekToBeginning(tps);
            Map<TopicPartition, Long> end = raw.endOffsets(tps);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : raw.poll(Duration.ofMillis(200))) {
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                }
                return tps.stream().allMatch(tp -> raw.position(tp) >= end.get(tp));
            });
        }
        return values;
    }
}
