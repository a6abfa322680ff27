package io.gochat.mq.examples;

import io.gochat.mq.Consumer;
import io.gochat.mq.DeadLetterHeaders;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code bin/mq dead-letters} against a real, in-process Kafka broker. */
class DeadLetterCommandTest {
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static EmbeddedKafka broker;
    private static Admin admin;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafka.start();
        admin = Admin.create(Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()));
    }

    @AfterAll
    static void stopBroker() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(10));
        }
        if (broker != null) {
            broker.close();
        }
    }

    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = MqCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static MqConfig config(java.util.function.Consumer<io.gochat.mq.config.ConsumerConfig.Builder> consumer) {
        return MqConfig.builder().source("DeadLetterCommandTest").common(c -> c.brokers(broker.bootstrapServers()))
                .consumer(c -> {
                    c.autoOffsetReset("earliest").autoCommitIntervalMs(200).heartbeatIntervalMs(500);
                    consumer.accept(c);
                })
                .build();
    }

    private static Option[] options(MqConfig config) {
        return new Option[] {Option.withTransport("kafka"), Option.withConfig(config)};
    }

    private static void createTopic(String topic, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }

    private static long endOffsetSum(String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new java.util.HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return admin.listOffsets(request).all().get().values().stream().mapToLong(i -> i.offset()).sum();
    }

    private static Map<TopicPartition, ?> committed(String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    }

    /** Every message of {@code topic} as a consumer of a new group sees it, once {@code expected} have arrived. */
    private static List<Message> consumeAll(String topic, int expected) throws Exception {
        List<Message> received = Collections.synchronizedList(new ArrayList<>());
        try (Consumer consumer = Mq.newConsumer("im-check", "check-" + topic, options(config(c -> { })))) {
            Thread t = new Thread(() -> consumer.subscribe(List.of(topic), received::add), "check-" + topic);
            t.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> received.size() >= expected);
            consumer.close();
            t.join(10_000);
        }
        return new ArrayList<>(received);
    }

    @Test
    @DisplayName("dead letters of a real consumer are listed without a commit, then replayed once to their topic"
            + " with key and trace_id and without mq_dlt-* headers; --limit stops early; a stray message is skipped")
    void listThenReplayOnce() throws Exception {
        String topic = "orders-" + TOPICS.incrementAndGet();
        String dlt = topic + ".dlt";
        String group = DeadLetterCommand.replayGroup(dlt);
        createTopic(topic, 2);
        createTopic(dlt, 1);
        String bootstrap = broker.bootstrapServers();

        try (Producer producer = Mq.newProducer("im-gateway", options(config(c -> { })))) {
            for (int i = 1; i <= 3; i++) {
                producer.sendSync(Message.builder(topic).key("user-" + i).value("push " + i)
                        .header(Message.TRACE_ID_HEADER, "trace-" + i).build());
            }
        }
        MqConfig failing = config(c -> c.retryMaxAttempts(2).retryBackoffMs(10).retryMaxBackoffMs(10)
                .deadLetterTopic("{topic}.dlt"));
        try (Consumer consumer = Mq.newConsumer("im-task", "im-task-" + topic, options(failing))) {
            Thread t = new Thread(() -> consumer.subscribe(List.of(topic), m -> {
                throw new IllegalStateException("downstream away for " + m.keyAsString());
            }), "failing-" + topic);
            t.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> endOffsetSum(dlt, 1) == 3);
            consumer.close();
            t.join(10_000);
        }
        try (Producer producer = Mq.newProducer("im-ops", options(config(c -> { })))) {
            producer.sendSync(Message.builder(dlt).key("stray").value("not a dead letter").build());
        }

        Run list = run("dead-letters", "list", "--from", dlt, "--bootstrap", bootstrap);

        assertThat(list.exitCode()).as(list.out() + list.err()).isEqualTo(MqCommand.EXIT_SKIPPED);
        for (int i = 1; i <= 3; i++) {
            assertThat(list.out()).containsPattern(dlt.replace(".", "\\.") + "/0@[0-2]  key=user-" + i + "  from=" + topic
                    + "/[01]@[0-2]  attempts=2  error=java.lang.IllegalStateException: downstream away for user-" + i
                    + "  trace_id=trace-" + i + "  pending");
        }
        assertThat(list.out()).contains(dlt + "/0@3  key=stray  NOT A DEAD LETTER")
                .contains("dead_letters=3 not_dead_letters=1 already_replayed=0");
        assertThat(committed(group)).as("list commits nothing").isEmpty();

        Run first = run("dead-letters", "replay", "--from", dlt, "--limit", "2", "--bootstrap", bootstrap);
        assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
        assertThat(first.out()).contains("replayed=2 skipped=0");

        Run second = run("dead-letters", "replay", "--from", dlt, "--bootstrap", bootstrap, "--progress-every", "1");
        assertThat(second.exitCode()).as(second.out() + second.err()).isEqualTo(MqCommand.EXIT_SKIPPED);
        assertThat(second.out()).contains("skipped " + dlt + "/0@3  key=stray: no mq_dlt-original-topic header")
                .containsPattern("replayed 1  skipped 1  of 2")
                .contains("replayed=1 skipped=1");

        Run third = run("dead-letters", "replay", "--from", dlt, "--bootstrap", bootstrap);
        assertThat(third.exitCode()).as(third.out() + third.err()).isZero();
        assertThat(third.out()).contains("0 message(s)").contains("replayed=0 skipped=0");

        List<Message> seen = consumeAll(topic, 6);
        assertThat(seen).hasSize(6);
        Map<String, List<Message>> byKey = seen.stream().collect(Collectors.groupingBy(Message::keyAsString));
        assertThat(byKey).containsOnlyKeys("user-1", "user-2", "user-3");
        for (int i = 1; i <= 3; i++) {
            List<Message> copies = byKey.get("user-" + i);
            assertThat(copies).as("the original and exactly one replay of user-" + i).hasSize(2);
            for (Message m : copies) {
                assertThat(m.valueAsString()).isEqualTo("push " + i);
                assertThat(m.traceId()).isEqualTo("trace-" + i);
                assertThat(m.headers().keySet()).noneMatch(name -> name.startsWith(DeadLetterHeaders.PREFIX));
            }
        }
        assertThat(run("dead-letters", "list", "--from", dlt, "--bootstrap", bootstrap).out())
                .contains("dead_letters=3 not_dead_letters=1 already_replayed=3");
    }

    @Test
    @DisplayName("--to publishes the dead letters to the named topic, not to their original one")
    void replayToAnotherTopic() throws Exception {
        String n = "t" + TOPICS.incrementAndGet();
        String original = "orders-" + n;
        String dlt = original + ".dlt";
        String target = "orders-" + n + ".again";
        createTopic(original, 1);
        createTopic(dlt, 1);
        createTopic(target, 1);
        try (Producer producer = Mq.newProducer("im-ops", options(config(c -> { })))) {
            producer.sendSync(Message.builder(dlt).key("user-9").value("v").header(Message.TRACE_ID_HEADER, "trace-9")
                    .header(DeadLetterHeaders.ORIGINAL_TOPIC, original).header(DeadLetterHeaders.ATTEMPTS, "1")
                    .build());
        }

        Run run = run("dead-letters", "replay", "--from", dlt, "--to", target, "--bootstrap", broker.bootstrapServers());

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("replayed=1 skipped=0");
        List<Message> seen = consumeAll(target, 1);
        assertThat(seen).singleElement().satisfies(m -> {
            assertThat(m.keyAsString()).isEqualTo("user-9");
            assertThat(m.traceId()).isEqualTo("trace-9");
            assertThat(m.headers()).doesNotContainKeys(DeadLetterHeaders.ORIGINAL_TOPIC, DeadLetterHeaders.ATTEMPTS);
        });
        assertThat(endOffsetSum(original, 1)).as("nothing went to the original topic").isZero();
    }

    @Test
    @DisplayName("a replay the broker refuses stops the run with exit 3 and commits only the acknowledged ones before it")
    void refusedReplayIsNotCommittedPast() throws Exception {
        String n = "r" + TOPICS.incrementAndGet();
        String dlt = "orders-" + n + ".dlt";
        String target = "orders-" + n + ".small";
        String group = DeadLetterCommand.replayGroup(dlt);
        createTopic(dlt, 1);
        admin.createTopics(List.of(new NewTopic(target, 1, (short) 1)
                .configs(Map.of("max.message.bytes", "2000")))).all().get();
        byte[] tooLarge = new byte[10_000];
        new java.util.Random(42).nextBytes(tooLarge); // random, so no compression brings it under the limit
        try (Producer producer = Mq.newProducer("im-ops", options(config(c -> { })))) {
            for (byte[] value : new byte[][] {"small".getBytes(StandardCharsets.UTF_8), tooLarge,
                    "small again".getBytes(StandardCharsets.UTF_8)}) {
                producer.sendSync(Message.builder(dlt).key("user-1").value(value)
                        .header(DeadLetterHeaders.ORIGINAL_TOPIC, target).build());
            }
        }

        Run run = run("dead-letters", "replay", "--from", dlt, "--bootstrap", broker.bootstrapServers());

        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(MqCommand.EXIT_ERROR);
        assertThat(run.err()).startsWith("error: a replay was not acknowledged").contains(dlt + "/0@1: ");
        assertThat(run.out()).contains("replayed=1 skipped=0 (stopped at a failure)");
        assertThat(committed(group)).as("committed up to the refused message, not past it")
                .containsOnlyKeys(new TopicPartition(dlt, 0))
                .extractingByKey(new TopicPartition(dlt, 0))
                .satisfies(o -> assertThat(((org.apache.kafka.clients.consumer.OffsetAndMetadata) o).offset()).isEqualTo(1));
    }

    @Test
    @DisplayName("a dead-letter topic that does not exist is named in the error, exit 3, and is not created")
    void missingTopic() throws Exception {
        String missing = "nothing-here-" + TOPICS.incrementAndGet() + ".dlt";

        Run run = run("dead-letters", "list", "--from", missing, "--bootstrap", broker.bootstrapServers());

        assertThat(run.exitCode()).isEqualTo(MqCommand.EXIT_ERROR);
        assertThat(run.err()).startsWith("error: --from: the topic [" + missing + "] does not exist on --bootstrap ")
                .doesNotContain("\tat ");
        assertThat(admin.listTopics().names().get()).doesNotContain(missing);
    }

    @Test
    @DisplayName("a bad command line prints what was wrong and the usage on stderr and exits 2; --help exits 0")
    void usage() {
        Run bad = run("dead-letters", "replay", "--from", "x.dlt");
        Run help = run("--help");

        assertThat(bad.exitCode()).isEqualTo(MqCommand.EXIT_USAGE);
        assertThat(bad.err()).startsWith("error: no cluster: expected --bootstrap HOST:PORT")
                .contains("Usage: bin/mq dead-letters list");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).startsWith("Usage: bin/mq dead-letters list").contains("Exit codes:");
    }
}
