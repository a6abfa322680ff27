package io.gochat.mq.kafka;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.MqClosedException;
import io.gochat.mq.MqTimeoutException;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.TestNames;
import io.gochat.mq.testkit.kafka.KafkaBrokerExtension;
import io.gochat.mq.testkit.kafka.KafkaBrokerSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
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
        Semaphore inFlight = new Semaphore(2000);

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
                    for (int i = 0; !stop.get(); ) {
                        // bounded work in flight, as an application has: send() no longer blocks while the
                        // broker is away, and unbounded senders would fill Kafka's 32 MiB buffer meanwhile
                        if (!acquire(inFlight)) {
                            continue;
                        }
                        String value = "p" + thread + "-" + i;
                        int key = i++ % 10;
                        attempted.incrementAndGet();
                        producer.send(Message.of(topic, "key-" + key, value), e -> {
                            inFlight.release();
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

    private static boolean acquire(Semaphore permits) {
        try {
            return permits.tryAcquire(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("sender interrupted", e);
        }
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

    @Test
    @DisplayName("sends made well into an outage return at once and each fails once at the delivery timeout, naming the"
            + " unreachable brokers; sendSync fails within its bound; close() stays bounded")
    void sendsDuringOutageFailWithoutBlocking() throws Exception {
        String topic = topic("outage-fail", 2);
        int deliveryTimeoutMs = 6000;
        MqConfig config = config().toBuilder().producer(p -> p.deliveryTimeoutMs(deliveryTimeoutMs).closeTimeoutMs(2000)).build();
        String brokers = String.join(",", config.common().brokers());
        Producer producer = Mq.newProducer("restart", Option.withTransport("kafka"), Option.withConfig(config));
        Sends during = new Sends();
        Sends atClose = new Sends();
        Throwable syncError;
        long syncMs;
        long closeMs;
        try (producer; KafkaProducer<byte[], byte[]> control = rebootstrappingProducer(topic)) {
            producer.sendSync(Message.of(topic, "k", "before"));
            KAFKA.broker().stop();
            try {
                awaitRebootstrapBlocks(control, topic);
                for (int i = 0; i < 20; i++) {
                    during.send(producer, Message.of(topic, "key-" + (i % 4), "v" + i));
                }
                long t0 = System.nanoTime();
                syncError = catchThrowable(() -> producer.sendSync(Message.of(topic, "k", "sync")));
                syncMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                await("every callback of the sends during the outage").atMost(Duration.ofMillis(deliveryTimeoutMs + 20_000))
                        .until(() -> during.completed() == 20);
                for (int i = 0; i < 5; i++) {
                    atClose.send(producer, Message.of(topic, "key-" + i, "c" + i));
                }
                long c0 = System.nanoTime();
                producer.close();
                closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c0);
            } finally {
                control.close(Duration.ZERO);
                KAFKA.broker().start();
            }
        }
        System.out.println("outage test: slowest send " + during.slowestSendMs() + " ms, slowest callback "
                + during.slowestCallbackMs() + " ms after its send, sendSync " + syncMs + " ms, close " + closeMs + " ms");

        assertThat(during.slowestSendMs()).as("ms the slowest send() blocked (max.block.ms is %s)", deliveryTimeoutMs)
                .isLessThan(1000);
        during.assertEachCalledOnce(20);
        assertThat(during.errors()).as("every send during the outage failed").hasSize(20)
                .allSatisfy(e -> assertThat(e).isInstanceOf(MqTimeoutException.class)
                        .hasMessageContaining(topic)
                        .hasMessageContaining("no broker could be reached")
                        .hasMessageContaining(brokers)
                        .hasMessageNotContaining("does not exist"));
        assertThat(during.slowestCallbackMs()).as("ms from a send to its failure (deliveryTimeoutMs=%s)", deliveryTimeoutMs)
                .isLessThan(deliveryTimeoutMs + 4000);
        assertThat(syncError).isInstanceOf(MqTimeoutException.class).hasMessageContaining(brokers)
                .hasMessageNotContaining("does not exist");
        assertThat(syncMs).as("ms sendSync took (its bound: max.block.ms + deliveryTimeoutMs + 5 s = %s)",
                2 * deliveryTimeoutMs + 5000).isLessThan(deliveryTimeoutMs + 5000);
        assertThat(closeMs).as("ms close() took with closeTimeoutMs=2000").isLessThan(10_000);
        atClose.assertEachCalledOnce(5);
        assertThat(atClose.errors()).hasSize(5).allSatisfy(e -> assertThat(e).isInstanceOf(MqClosedException.class));
    }

    @Test
    @DisplayName("with the default configuration, sends made well into an outage return at once, and once the broker is"
            + " back within the delivery timeout every one is delivered, once")
    void sendsDuringOutageDeliveredWhenBrokerReturns() throws Exception {
        String topic = topic("outage-return", 3);
        Producer producer = Mq.newProducer("restart", Option.withTransport("kafka"), Option.withConfig(config()));
        Sends during = new Sends();
        try {
            producer.sendSync(Message.of(topic, "k", "before"));
            try (KafkaProducer<byte[], byte[]> control = rebootstrappingProducer(topic)) {
                KAFKA.broker().stop();
                try {
                    awaitRebootstrapBlocks(control, topic);
                    for (int i = 0; i < 30; i++) {
                        during.send(producer, Message.of(topic, "key-" + (i % 5), "v" + i));
                    }
                } finally {
                    control.close(Duration.ZERO);
                    KAFKA.broker().start();
                }
            }
            await("every send of the outage acknowledged").atMost(Duration.ofSeconds(60))
                    .until(() -> during.completed() == 30);
        } finally {
            producer.close();
        }
        System.out.println("outage test (defaults): slowest send " + during.slowestSendMs() + " ms");

        assertThat(during.slowestSendMs()).as("ms the slowest send() blocked (max.block.ms is 60000)").isLessThan(1000);
        during.assertEachCalledOnce(30);
        assertThat(during.errors()).as("sends that failed although the broker came back").isEmpty();
        List<String> inTopic = readTopic(topic, 3);
        List<String> expected = new ArrayList<>(List.of("before", "control"));
        IntStream.range(0, 30).forEach(i -> expected.add("v" + i));
        assertThat(inTopic).as("records in the topic: each once (idempotence), none lost").containsExactlyInAnyOrderElementsOf(expected);
    }

    /**
     * A plain producer with Kafka's {@code metadata.recovery.strategy=rebootstrap} that has sent to
     * {@code topic}: the control that shows when an outage is deep enough for Kafka's default to block.
     */
    private static KafkaProducer<byte[], byte[]> rebootstrappingProducer(String topic) throws Exception {
        Map<String, Object> props = new HashMap<>(KAFKA.broker().clientProperties());
        props.put("metadata.recovery.strategy", "rebootstrap");
        props.put("max.block.ms", "500");
        KafkaProducer<byte[], byte[]> control = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        control.send(new ProducerRecord<>(topic, "control".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        return control;
    }

    /**
     * Waits until the control producer has dropped its metadata (rebootstrapped with the brokers
     * away): from then on each of its sends blocks max.block.ms and fails with "not present in
     * metadata", the state in which issue 13's sends blocked for a minute each.
     */
    private static void awaitRebootstrapBlocks(KafkaProducer<byte[], byte[]> control, String topic) {
        await("a producer with metadata.recovery.strategy=rebootstrap to lose the topic's metadata")
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    Future<RecordMetadata> f = control.send(new ProducerRecord<>(topic, "probe".getBytes(StandardCharsets.UTF_8)));
                    if (!f.isDone()) {
                        return false;
                    }
                    Throwable failure = catchThrowable(f::get);
                    Throwable cause = failure == null ? null : failure.getCause();
                    return cause instanceof org.apache.kafka.common.errors.TimeoutException
                            && String.valueOf(cause.getMessage()).contains("not present in metadata");
                });
    }

    /** Sends through a producer and records, per send, how long send() took and each callback. */
    private static final class Sends {
        private final Map<Integer, AtomicInteger> calls = new ConcurrentHashMap<>();
        private final Map<Integer, Throwable> errors = new ConcurrentHashMap<>();
        private final Map<Integer, Long> callbackMs = new ConcurrentHashMap<>();
        private final AtomicLong slowestSendNanos = new AtomicLong();

        void send(Producer producer, Message message) {
            int id = calls.size();
            calls.put(id, new AtomicInteger());
            long t0 = System.nanoTime();
            producer.send(message, e -> {
                callbackMs.putIfAbsent(id, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                calls.get(id).incrementAndGet();
                if (e != null) {
                    errors.put(id, e);
                }
            });
            slowestSendNanos.accumulateAndGet(System.nanoTime() - t0, Math::max);
        }

        long completed() {
            return calls.values().stream().filter(n -> n.get() > 0).count();
        }

        Collection<Throwable> errors() {
            return errors.values();
        }

        long slowestSendMs() {
            return TimeUnit.NANOSECONDS.toMillis(slowestSendNanos.get());
        }

        long slowestCallbackMs() {
            return callbackMs.values().stream().mapToLong(Long::longValue).max().orElse(-1);
        }

        void assertEachCalledOnce(int sends) {
            assertThat(calls).hasSize(sends);
            calls.forEach((id, n) -> assertThat(n.get()).as("callbacks of send %s", id).isEqualTo(1));
        }
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
