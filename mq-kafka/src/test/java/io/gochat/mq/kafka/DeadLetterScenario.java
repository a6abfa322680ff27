package io.gochat.mq.kafka;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.DeadLetterHeaders;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.RecordingConsumer;
import io.gochat.mq.testkit.kafka.KafkaBroker;
import io.gochat.mq.testkit.kafka.RawRecords;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dead-letter scenarios that need a real broker, shared by {@link DeadLetterKafkaTest} (topic
 * missing with auto-creation off) and {@link SaslTest} (write not authorized by ACLs): the
 * dead-letter topic cannot be written at first, then can.
 */
final class DeadLetterScenario {
    /** Messages of keys other than the failing one, after it in the same partition. */
    static final int OTHERS = 10;
    static final String FAILING = "poison";

    private DeadLetterScenario() {
    }

    /**
     * A consumer configuration that retries once (backoff 100 ms, at most 1 s), dead-letters to
     * {@code {topic}.dlt}, commits every 200 ms and runs 4 callbacks at once; a dead letter whose
     * topic is missing fails after 2 s ({@code producer.deliveryTimeoutMs}, which bounds
     * {@code max.block.ms}), not after 60.
     */
    static MqConfig deadLettering(MqConfig base) {
        return base.toBuilder()
                .consumer(c -> c.autoOffsetReset("earliest").autoCommitIntervalMs(200).concurrency(4)
                        .sessionTimeoutMs(6000).heartbeatIntervalMs(1000)
                        .retryMaxAttempts(2).retryBackoffMs(100).retryMaxBackoffMs(1000).retryMultiplier(2.0)
                        .deadLetterTopic("{topic}.dlt"))
                .producer(p -> p.lingerMs(1).deliveryTimeoutMs(2000))
                .build();
    }

    /**
     * Runs the scenario on {@code topic} (one partition, created here; its dead-letter topic
     * {@code topic.dlt} is not writable when this starts): offset 0 a message that succeeds,
     * offset 1 one that always fails, offset 2 a later message of the failing key, then
     * {@link #OTHERS} messages of other keys. While the dead letter cannot be written, the refusal
     * is logged with {@code reason} (at least twice: it is tried again), the committed offset stays
     * at 1, the failing key's later message waits, the other keys are processed, and the callback
     * is not called again. After {@code makeWritable}, the dead letter arrives once with its
     * provenance, the key's later message is processed and everything is committed.
     *
     * @param admin a plain Kafka admin client allowed everything (reads offsets, creates the topic)
     * @param consumerConfig the consumer's configuration ({@link #deadLettering}), as the user under test
     */
    static void unwritableThenWritable(KafkaBroker broker, Admin admin, MqConfig consumerConfig, String topic,
                                       String group, Runnable makeWritable, String reason) throws Exception {
        String deadLetterTopic = topic + ".dlt";
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopic(broker, topic, 1);
        try (Producer producer = Mq.newProducer("dlt-source", Option.withTransport("kafka"),
                Option.withConfig(broker.config()))) {
            producer.sendSync(Message.of(topic, "k-before", "before"));
            producer.sendSync(Message.builder(topic).key("k-" + FAILING).value(FAILING).header("trace_id", "trace-poison").build());
            producer.sendSync(Message.of(topic, "k-" + FAILING, "after-" + FAILING));
            for (int i = 0; i < OTHERS; i++) {
                producer.sendSync(Message.of(topic, "k-other-" + i, "other-" + i));
            }
        }
        ConsumerLog log = ConsumerLog.of(group);
        Set<String> handled = ConcurrentHashMap.newKeySet();
        AtomicInteger failingCalls = new AtomicInteger();
        Consumer consumer = Mq.newConsumer("dlt", group, Option.withTransport("kafka"), Option.withConfig(consumerConfig),
                Option.withLogger(log.logger()));
        RecordingConsumer running = RecordingConsumer.start(consumer, List.of(topic), m -> {
            if (FAILING.equals(m.valueAsString())) {
                failingCalls.incrementAndGet();
                throw new IllegalStateException("cannot handle " + m.valueAsString());
            }
            handled.add(m.valueAsString());
        });
        try {
            await("the other keys processed, offset 1 committed").atMost(Duration.ofSeconds(60))
                    .until(() -> handled.size() == 1 + OTHERS && committed(admin, group, tp) == 1);
            await("the refused dead letter logged twice (tried again)").atMost(Duration.ofSeconds(60))
                    .until(() -> log.withMessage("dead letter could not be written").size() >= 2);
            // offsets only move forward here: a commit past the failing message would still show
            assertThat(committed(admin, group, tp)).as("committed offset while the dead letter is refused").isEqualTo(1);
            assertThat(handled).as("the failing key's later message waits").doesNotContain("after-" + FAILING);
            assertThat(failingCalls.get()).as("callback calls for the failing message (maxAttempts 2)").isEqualTo(2);
            assertThat(endOffset(admin, new TopicPartition(deadLetterTopic, 0))).as("dead letters written").isZero();
            assertThat(log.withMessage("dead letter could not be written")).allSatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.ERROR);
                assertThat(keyValues(e)).containsEntry("deadLetterTopic", deadLetterTopic).containsEntry("offset", 1L)
                        .containsEntry("topic", topic).containsEntry("trace_id", "trace-poison");
                assertThat(String.valueOf(keyValues(e).get("error"))).as("the reason").contains(deadLetterTopic).contains(reason);
            });

            makeWritable.run();

            await("the key's later message processed, everything committed").atMost(Duration.ofSeconds(60))
                    .until(() -> handled.contains("after-" + FAILING) && committed(admin, group, tp) == 3 + OTHERS);
            List<ConsumerRecord<byte[], byte[]>> letters = RawRecords.readAll(broker, deadLetterTopic, 1, 1);
            assertThat(letters).as("dead letters").hasSize(1);
            assertThat(endOffset(admin, new TopicPartition(deadLetterTopic, 0))).as("dead letters written").isEqualTo(1);
            ConsumerRecord<byte[], byte[]> letter = letters.get(0);
            assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("k-" + FAILING);
            assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo(FAILING);
            assertThat(header(letter, "trace_id")).isEqualTo("trace-poison");
            assertThat(header(letter, DeadLetterHeaders.ORIGINAL_TOPIC)).isEqualTo(topic);
            assertThat(header(letter, DeadLetterHeaders.ORIGINAL_OFFSET)).isEqualTo("1");
            assertThat(header(letter, DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP)).isEqualTo(group);
            assertThat(header(letter, DeadLetterHeaders.ATTEMPTS)).isEqualTo("2");
            assertThat(header(letter, DeadLetterHeaders.EXCEPTION_CLASS)).isEqualTo(IllegalStateException.class.getName());
            assertThat(failingCalls.get()).as("callback calls: a refused dead letter does not run the callback again")
                    .isEqualTo(2);
            assertThat(log.withMessage("consume callback failed for good")).as("dead-lettered log lines").hasSize(1);
        } finally {
            running.close();
            log.detach();
        }
        assertThat(running.awaitTermination(Duration.ofSeconds(30))).as("subscribe's failure").isEmpty();
    }

    /** Creates {@code topic} as the broker's super user; returns once every partition is served. */
    static void createTopic(KafkaBroker broker, String topic, int partitions) {
        try (AdminClient admin = Mq.newAdminClient("dlt-admin", Option.withTransport("kafka"),
                Option.withConfig(broker.config()))) {
            admin.createTopic(topic, partitions, 1);
        }
    }

    /** The group's committed offset of {@code tp}, -1 when there is none. */
    static long committed(Admin admin, String group, TopicPartition tp) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        OffsetAndMetadata offset = offsets.get(tp);
        return offset == null ? -1 : offset.offset();
    }

    /** The end offset of {@code tp}; 0 when its topic does not exist. */
    static long endOffset(Admin admin, TopicPartition tp) throws Exception {
        if (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(tp.topic())) {
            return 0;
        }
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get(10, TimeUnit.SECONDS).offset();
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    static Map<String, Object> keyValues(ILoggingEvent event) {
        List<KeyValuePair> pairs = event.getKeyValuePairs() == null ? List.of() : event.getKeyValuePairs();
        return pairs.stream().collect(Collectors.toMap(kv -> kv.key, kv -> kv.value == null ? "null" : kv.value,
                (a, b) -> b));
    }

    /** A logger to give a consumer with {@code Option.withLogger}, recording its events. Thread-safe. */
    static final class ConsumerLog {
        private final ch.qos.logback.classic.Logger logger;
        private final ListAppender<ILoggingEvent> events = new ListAppender<>();

        private ConsumerLog(ch.qos.logback.classic.Logger logger) {
            this.logger = logger;
        }

        static ConsumerLog of(String group) {
            ConsumerLog log = new ConsumerLog((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.gochat.test.dlt." + group));
            log.logger.setLevel(Level.INFO);
            log.events.start();
            log.logger.addAppender(log.events);
            return log;
        }

        org.slf4j.Logger logger() {
            return logger;
        }

        /** The events so far whose message contains {@code text}. */
        List<ILoggingEvent> withMessage(String text) {
            synchronized (events) {
                return new ArrayList<>(events.list).stream().filter(e -> e.getMessage().contains(text))
                        .collect(Collectors.toList());
            }
        }

        void detach() {
            logger.detachAppender(events);
        }
    }
}
