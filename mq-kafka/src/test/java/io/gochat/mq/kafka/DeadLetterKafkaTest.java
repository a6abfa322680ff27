package io.gochat.mq.kafka;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.RecordingConsumer;
import io.gochat.mq.testkit.TestNames;
import io.gochat.mq.testkit.kafka.KafkaBrokerExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Retry and dead letters (issue 10) where only a real broker shows the behaviour. */
class DeadLetterKafkaTest {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

    private static final int PARTITIONS = 2;
    private static final int OTHERS = 20;

    @Test
    @DisplayName("a dead-letter topic missing with auto-creation off: nothing committed past the message, the reason logged and"
            + " the dead letter tried again; once the topic exists the dead letter arrives once and the key goes on")
    void missingDeadLetterTopic() throws Exception {
        String topic = TestNames.topic("dlt-missing");
        MqConfig config = DeadLetterScenario.deadLettering(KafkaFixture.testConfig(KAFKA.broker()));
        try (Admin admin = Admin.create(KAFKA.broker().clientProperties())) {
            DeadLetterScenario.unwritableThenWritable(KAFKA.broker(), admin, config, topic, TestNames.group("dlt-missing"),
                    () -> DeadLetterScenario.createTopic(KAFKA.broker(), topic + ".dlt", 1), "the topic does not exist");
        }
    }

    @Test
    @DisplayName("close() while a dead letter waits for its missing topic (max.block.ms 60 s) returns within seconds;"
            + " nothing committed, the next member gets the message again")
    void closeWhileTheDeadLetterWaits() throws Exception {
        String topic = TestNames.topic("dlt-close");
        String group = TestNames.group("dlt-close");
        String deadLetterTopic = topic + ".dlt";
        // producer defaults: a dead letter to a missing topic waits max.block.ms = 60 s for its metadata
        MqConfig config = DeadLetterScenario.deadLettering(KafkaFixture.testConfig(KAFKA.broker())).toBuilder()
                .producer(p -> p.deliveryTimeoutMs(120_000)).build();
        DeadLetterScenario.createTopic(KAFKA.broker(), topic, 1);
        try (Producer producer = Mq.newProducer("dlt-close", Option.withTransport("kafka"), Option.withConfig(config))) {
            producer.sendSync(Message.of(topic, "k", DeadLetterScenario.FAILING));
        }
        // the Kafka producer's own warning for each metadata answer without the topic: sendSync is waiting for it
        ch.qos.logback.classic.Logger kafkaLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.apache.kafka");
        ListAppender<ILoggingEvent> kafkaEvents = new ListAppender<>();
        kafkaEvents.start();
        kafkaLog.addAppender(kafkaEvents);
        Consumer consumer = Mq.newConsumer("dlt-close", group, Option.withTransport("kafka"), Option.withConfig(config));
        RecordingConsumer running = RecordingConsumer.start(consumer, List.of(topic), m -> {
            throw new IllegalStateException("cannot handle " + m.valueAsString());
        });
        long closeMs;
        try (Admin admin = Admin.create(KAFKA.broker().clientProperties())) {
            await("the dead letter waiting for its topic").atMost(Duration.ofSeconds(60))
                    .until(() -> formatted(kafkaEvents).stream()
                            .anyMatch(m -> m.contains(deadLetterTopic + "=UNKNOWN_TOPIC_OR_PARTITION")));
            long closing = System.nanoTime();
            running.close(Duration.ofSeconds(90));
            closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closing);
            assertThat(running.awaitTermination(Duration.ZERO)).as("subscribe's failure").isEmpty();
            assertThat(DeadLetterScenario.committed(admin, group, new TopicPartition(topic, 0))).as("committed offset")
                    .isEqualTo(-1);
        } finally {
            running.close();
            kafkaLog.detachAppender(kafkaEvents);
        }
        assertThat(closeMs).as("ms for close() while the dead letter waits up to 60 s").isLessThan(15_000);
        nextMemberGets(group, topic, DeadLetterScenario.FAILING);
    }

    private static List<String> formatted(ListAppender<ILoggingEvent> events) {
        synchronized (events) {
            return events.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
        }
    }

    @ParameterizedTest(name = "concurrency {0}")
    @ValueSource(ints = {1, 4})
    @DisplayName("a 60 s backoff under max.poll.interval.ms 10 s: no rebalance for longer than that, other keys processed"
            + " meanwhile, close() during the backoff returns at once and leaves the message to the next member")
    void longBackoffDoesNotEvict(int concurrency) throws Exception {
        String topic = TestNames.topic("dlt-backoff");
        String group = TestNames.group("dlt-backoff");
        MqConfig config = KafkaFixture.testConfig(KAFKA.broker()).toBuilder()
                .consumer(c -> c.autoOffsetReset("earliest").autoCommitIntervalMs(200).concurrency(concurrency)
                        .retryMaxAttempts(3).retryBackoffMs(60_000).retryMaxBackoffMs(60_000).retryMultiplier(1.0)
                        .property("max.poll.interval.ms", "10000"))
                .build();
        DeadLetterScenario.createTopic(KAFKA.broker(), topic, PARTITIONS);
        TopicPartition stuckPartition = partitionOf(topic, "stuck");
        try (Producer producer = Mq.newProducer("backoff", Option.withTransport("kafka"), Option.withConfig(config))) {
            producer.sendSync(Message.of(topic, "stuck", "stuck"));
            for (int i = 0; i < OTHERS; i++) {
                producer.sendSync(Message.of(topic, "early-" + i, "early-" + i));
            }
        }
        // the other keys that may go on: at concurrency 1 a partition is one lane, so only the other partition's
        Set<String> mayGoOn = IntStream.range(0, OTHERS).mapToObj(i -> "early-" + i)
                .filter(v -> concurrency > 1 || !partitionOf(topic, v).equals(stuckPartition)).collect(Collectors.toSet());
        assertThat(mayGoOn).as("other keys that must be processed during the backoff").isNotEmpty();

        DeadLetterScenario.ConsumerLog log = DeadLetterScenario.ConsumerLog.of(group);
        // the Kafka consumer's own warning when poll() is not called within max.poll.interval.ms
        ch.qos.logback.classic.Logger kafkaLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.apache.kafka");
        ListAppender<ILoggingEvent> kafkaEvents = new ListAppender<>();
        kafkaEvents.start();
        kafkaLog.addAppender(kafkaEvents);
        Set<String> handled = ConcurrentHashMap.newKeySet();
        AtomicInteger stuckCalls = new AtomicInteger();
        Consumer consumer = Mq.newConsumer("backoff", group, Option.withTransport("kafka"), Option.withConfig(config),
                Option.withLogger(log.logger()));
        RecordingConsumer running = RecordingConsumer.start(consumer, List.of(topic), m -> {
            if ("stuck".equals(m.valueAsString())) {
                stuckCalls.incrementAndGet();
                throw new IllegalStateException("downstream away for " + m.keyAsString());
            }
            handled.add(m.valueAsString());
        });
        try (Admin admin = Admin.create(KAFKA.broker().clientProperties())) {
            await("the first attempt fails").atMost(Duration.ofSeconds(60)).until(() -> stuckCalls.get() == 1);
            long failedAt = System.nanoTime();
            String member = ParallelConsumeTest.onlyMember(admin, group);
            await("the other keys processed during the backoff").atMost(Duration.ofSeconds(30))
                    .until(() -> handled.containsAll(mayGoOn));
            assertThat(log.withMessage("tried again after a backoff")).as("retry log").hasSize(1)
                    .allSatisfy(e -> assertThat((Long) DeadLetterScenario.keyValues(e).get("backoffMs"))
                            .as("the backoff drawn").isBetween(30_000L, 60_000L));

            // the property under test is time: poll stays alive for longer than max.poll.interval.ms while the backoff runs
            long past = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - failedAt);
            await("more than max.poll.interval.ms after the failure, the member still in the group, the message waiting")
                    .pollDelay(Duration.ofMillis(Math.max(0, 12_000 - past))).atMost(Duration.ofSeconds(30))
                    .until(() -> ParallelConsumeTest.onlyMember(admin, group).equals(member));
            try (Producer producer = Mq.newProducer("backoff", Option.withTransport("kafka"), Option.withConfig(config))) {
                for (int i = 0; i < OTHERS; i++) {
                    producer.sendSync(Message.of(topic, "late-" + i, "late-" + i));
                }
            }
            Set<String> lateMayGoOn = IntStream.range(0, OTHERS).mapToObj(i -> "late-" + i)
                    .filter(v -> concurrency > 1 || !partitionOf(topic, v).equals(stuckPartition)).collect(Collectors.toSet());
            await("messages sent after max.poll.interval.ms processed by the same member").atMost(Duration.ofSeconds(30))
                    .until(() -> handled.containsAll(lateMayGoOn));
            assertThat(ParallelConsumeTest.onlyMember(admin, group)).as("the same member, never evicted").isEqualTo(member);
            assertThat(stuckCalls.get()).as("attempts of the stuck message: its second one is 30-60 s away").isEqualTo(1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - failedAt)).as("ms since the failure")
                    .isGreaterThan(10_000);
            if (concurrency == 1) {
                assertThat(handled).as("at concurrency 1 the stuck partition waits")
                        .noneMatch(v -> !mayGoOn.contains(v) && v.startsWith("early-"));
            }
            assertThat(DeadLetterScenario.committed(admin, group, stuckPartition)).as("committed offset of the stuck partition")
                    .isLessThanOrEqualTo(0);

            long closing = System.nanoTime();
            running.close(Duration.ofSeconds(30));
            long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closing);
            assertThat(running.awaitTermination(Duration.ZERO)).as("subscribe's failure").isEmpty();
            assertThat(closeMs).as("ms for close() during a backoff of 30 s or more").isLessThan(10_000);
            assertThat(DeadLetterScenario.committed(admin, group, stuckPartition)).as("committed offset after close")
                    .isLessThanOrEqualTo(0);
        } finally {
            running.close();
            log.detach();
            kafkaLog.detachAppender(kafkaEvents);
        }
        assertThat(stuckCalls.get()).as("attempts of the stuck message").isEqualTo(1);
        assertThat(log.withMessage("partitions lost")).as("partitions lost").isEmpty();
        assertThat(log.withMessage("partitions revoked")).as("revocations (close revokes once)").hasSizeLessThanOrEqualTo(1);
        assertThat(log.withMessage("partitions assigned")).as("assignments").hasSize(1);
        assertThat(formatted(kafkaEvents)).filteredOn(m -> m.contains(group) && m.contains("poll timeout")).as("Kafka's max.poll.interval.ms warnings").isEmpty();

        nextMemberGets(group, topic, "stuck");
    }

    /** A new member of {@code group}, without retry, gets the message {@code value} of {@code topic}. */
    private static void nextMemberGets(String group, String topic, String value) {
        try (RecordingConsumer next = RecordingConsumer.start(Mq.newConsumer("dlt-next", group,
                Option.withTransport("kafka"), Option.withConfig(KafkaFixture.testConfig(KAFKA.broker()).toBuilder()
                        .consumer(c -> c.autoOffsetReset("earliest")).build())), List.of(topic))) {
            next.awaitReceived("message " + value + " delivered to the next member",
                    received -> received.stream().anyMatch(m -> value.equals(m.valueAsString())), Duration.ofSeconds(60));
        }
    }

    private static TopicPartition partitionOf(String topic, String key) {
        return ParallelConsumeTest.partitionOfKey(topic, key, PARTITIONS);
    }
}
