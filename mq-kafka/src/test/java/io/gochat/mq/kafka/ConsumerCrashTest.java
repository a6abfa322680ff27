package io.gochat.mq.kafka;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.DeadLetterHeaders;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.PermanentFailureException;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.RecordingConsumer;
import io.gochat.mq.testkit.TestNames;
import io.gochat.mq.testkit.kafka.KafkaBrokerExtension;
import io.gochat.mq.testkit.kafka.RawRecords;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A member killed with SIGKILL loses nothing: what it had not committed goes to the next member,
 * also a message it was dead-lettering.
 */
class ConsumerCrashTest {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerCrashTest.class);
    private static final int MESSAGES = 3000;
    private static final int PARTITIONS = 4;

    @Test
    @DisplayName("a consumer JVM killed with SIGKILL mid-stream: a new member finishes, every message handled at least once")
    void sigkillMidStream() throws Exception {
        int duplicates = sigkill(1, 1000, 2);
        assertThat(duplicates).as("duplicates are bounded by what the dead member handled").isLessThanOrEqualTo(MESSAGES);
    }

    @Test
    @DisplayName("a consumer JVM at concurrency 64 killed with SIGKILL mid-stream: 0 lost, duplicates at most maxPendingPerPartition x partitions")
    void sigkillMidStreamInParallel() throws Exception {
        int maxPending = 100;
        // 50 ms per message: at 64 at once the child needs ~2.5 s for the stream, so the kill lands mid-stream
        int duplicates = sigkill(64, maxPending, 50);
        assertThat(duplicates).as("duplicates after the crash").isLessThanOrEqualTo(maxPending * PARTITIONS);
    }

    /** Kills a child member mid-stream, lets a new member finish; asserts nothing lost, returns the duplicate count. */
    private int sigkill(int concurrency, int maxPending, int workMs) throws Exception {
        String topic = TestNames.topic("sigkill");
        String group = TestNames.group("sigkill");
        MqConfig config = KafkaFixture.testConfig(KAFKA.broker());
        try (AdminClient admin = Mq.newAdminClient("crash", Option.withTransport("kafka"), Option.withConfig(config))) {
            admin.createTopic(topic, PARTITIONS, 1);
        }
        List<String> values = IntStream.range(0, MESSAGES).mapToObj(i -> "m-" + i).collect(Collectors.toList());
        try (Producer producer = Mq.newProducer("crash", Option.withTransport("kafka"), Option.withConfig(config))) {
            CountDownLatch acked = new CountDownLatch(MESSAGES);
            for (String v : values) {
                producer.send(Message.of(topic, "key-" + v.hashCode() % 16, v), e -> acked.countDown());
            }
            assertThat(acked.await(60, TimeUnit.SECONDS)).isTrue();
        }

        Path handledFile = Files.createTempFile(Path.of("target"), "sigkill-child-", ".txt");
        Path childLog = Path.of("target", "sigkill-child-" + group + ".log");
        Process child = startChild(childLog, topic, group, handledFile, Integer.toString(concurrency),
                Integer.toString(maxPending), Integer.toString(workMs));
        try {
            await("the child to handle a quarter of the stream").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> !child.isAlive() || lines(handledFile).size() >= MESSAGES / 4);
            assertThat(child.isAlive()).as("child alive before the kill (see %s)", childLog).isTrue();
            sigkill(child);
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as("exit status of a SIGKILLed JVM").isEqualTo(137);
        List<String> handledByChild = lines(handledFile);
        assertThat(handledByChild.size()).as("handled by the child before it died").isBetween(MESSAGES / 4, MESSAGES - 1);

        Map<String, Integer> handledBySuccessor = new ConcurrentHashMap<>();
        Set<String> childSet = Set.copyOf(handledByChild);
        Consumer successor = Mq.newConsumer("crash", group, Option.withTransport("kafka"), Option.withConfig(
                config.toBuilder().consumer(c -> c.autoOffsetReset("earliest").autoCommitIntervalMs(500)).build()));
        Thread loop = new Thread(() -> successor.subscribe(List.of(topic),
                m -> handledBySuccessor.merge(m.valueAsString(), 1, Integer::sum)), "successor");
        loop.start();
        try {
            await("the new member to handle everything the dead one had not").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> values.stream().allMatch(v -> childSet.contains(v) || handledBySuccessor.containsKey(v)));
        } finally {
            successor.close();
            loop.join(60_000);
        }

        Map<String, Integer> total = new HashMap<>();
        handledByChild.forEach(v -> total.merge(v, 1, Integer::sum));
        handledBySuccessor.forEach((v, n) -> total.merge(v, n, Integer::sum));
        List<String> missing = values.stream().filter(v -> !total.containsKey(v)).collect(Collectors.toList());
        int duplicates = total.values().stream().mapToInt(n -> n - 1).sum();
        LOG.atInfo().setMessage("SIGKILL test result").addKeyValue("messages", MESSAGES)
                .addKeyValue("handledByKilledMember", handledByChild.size())
                .addKeyValue("handledBySuccessor", handledBySuccessor.values().stream().mapToInt(Integer::intValue).sum())
                .addKeyValue("duplicates", duplicates).log();
        System.out.println("SIGKILL crash test (concurrency " + concurrency + ", maxPendingPerPartition " + maxPending
                + ", " + PARTITIONS + " partitions): " + MESSAGES + " messages, " + handledByChild.size()
                + " handled by the killed member, " + duplicates + " duplicates (redelivered after the crash), 0 lost");

        assertThat(missing).as("messages never handled").isEmpty();
        assertThat(total.keySet()).containsExactlyInAnyOrderElementsOf(values);
        assertThat(duplicates).as("duplicates are bounded by what the dead member handled").isLessThanOrEqualTo(handledByChild.size());
        Files.deleteIfExists(handledFile);
        return duplicates;
    }

    @Test
    @DisplayName("a consumer JVM killed with SIGKILL while its dead letter waits for a missing topic: the next member gets"
            + " the message again and dead-letters it once")
    void sigkillBeforeTheDeadLetterIsAcknowledged() throws Exception {
        List<ConsumerRecord<byte[], byte[]>> letters = sigkillWhileDeadLettering(false);
        assertThat(letters).as("dead letters: none from the killed member, one from the next").hasSize(1);
    }

    @Test
    @DisplayName("a consumer JVM killed with SIGKILL after the broker stored its dead letter, before the commit: the dead"
            + " letter stays, the next member gets the message again (a duplicate dead letter, never a loss)")
    void sigkillAfterTheDeadLetterIsStored() throws Exception {
        List<ConsumerRecord<byte[], byte[]>> letters = sigkillWhileDeadLettering(true);
        assertThat(letters).as("dead letters: the killed member's and the next member's").hasSize(2);
    }

    /**
     * A child member whose callback fails {@code poison} permanently is killed with SIGKILL while it
     * dead-letters it: with {@code deadLetterTopicExists} false, while {@code sendSync} waits for the
     * missing topic (the parent sees the child's producer ask for it, and the child commits every
     * 500 ms, so it must have committed the message before the poison and nothing further); with
     * true, once the dead letter is in the topic (the child commits only every 10 minutes, so not
     * after it). Then the topic exists, and a new member whose callback fails {@code poison} too
     * takes over. Asserts that the message was in the dead-letter topic before the next member
     * started or is delivered to it again (here: always again, nothing past it was committed), and
     * that the later message of its key is handled; returns the dead letters.
     */
    private List<ConsumerRecord<byte[], byte[]>> sigkillWhileDeadLettering(boolean deadLetterTopicExists) throws Exception {
        String topic = TestNames.topic("sigkill-dlt");
        String deadLetterTopic = topic + ".dlt";
        String group = TestNames.group("sigkill-dlt");
        TopicPartition deadLetters = new TopicPartition(deadLetterTopic, 0);
        MqConfig config = KafkaFixture.testConfig(KAFKA.broker());
        DeadLetterScenario.createTopic(KAFKA.broker(), topic, 1);
        if (deadLetterTopicExists) {
            DeadLetterScenario.createTopic(KAFKA.broker(), deadLetterTopic, 1);
        }
        List<String> values = List.of("before", "poison", "after");
        try (Producer producer = Mq.newProducer("crash", Option.withTransport("kafka"), Option.withConfig(config))) {
            for (String v : values) {
                producer.sendSync(Message.of(topic, "user-1", v)); // one key: the later message waits for the dead letter
            }
        }

        Path handledFile = Files.createTempFile(Path.of("target"), "sigkill-dlt-child-", ".txt");
        Path childLog = Path.of("target", "sigkill-dlt-child-" + group + ".log");
        TopicPartition source = new TopicPartition(topic, 0);
        // with the topic missing the child commits every 500 ms: what it committed shows where it counts the poison;
        // once the dead letter is stored it must not commit before the kill, so then it never commits
        Process child = startChild(childLog, topic, group, handledFile, "1", "1000", "0", deadLetterTopic, "poison",
                deadLetterTopicExists ? "600000" : "500");
        long lettersBeforeKill;
        try (Admin admin = Admin.create(KAFKA.broker().clientProperties())) {
            await("the child dead-lettering the poison").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20))
                    .until(() -> !child.isAlive() || lines(handledFile).contains("poison") && (deadLetterTopicExists
                            ? DeadLetterScenario.endOffset(admin, deadLetters) > 0
                            // Kafka's producer logs each metadata answer without the topic: sendSync is waiting for it;
                            // the message before the poison committed: the child commits meanwhile
                            : Files.readString(childLog).contains(deadLetterTopic + "=UNKNOWN_TOPIC_OR_PARTITION")
                                    && DeadLetterScenario.committed(admin, group, source) == 1));
            assertThat(child.isAlive()).as("child alive before the kill (see %s)", childLog).isTrue();
            sigkill(child);
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            lettersBeforeKill = DeadLetterScenario.endOffset(admin, deadLetters);
            assertThat(DeadLetterScenario.committed(admin, group, source)).as("committed by the killed child")
                    .isEqualTo(deadLetterTopicExists ? -1 : 1);
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as("exit status of a SIGKILLed JVM").isEqualTo(137);
        if (!deadLetterTopicExists) {
            assertThat(lines(handledFile)).as("handled by the child: the key's later message waits").doesNotContain("after");
        }
        assertThat(lettersBeforeKill).as("dead letters stored when the child died").isEqualTo(deadLetterTopicExists ? 1 : 0);
        if (!deadLetterTopicExists) {
            DeadLetterScenario.createTopic(KAFKA.broker(), deadLetterTopic, 1);
        }

        Map<String, Integer> handledBySuccessor = new ConcurrentHashMap<>();
        MqConfig successorConfig = config.toBuilder().consumer(c -> c.autoOffsetReset("earliest").autoCommitIntervalMs(500)
                .deadLetterTopic("{topic}.dlt")).build();
        try (RecordingConsumer successor = RecordingConsumer.start(Mq.newConsumer("crash", group,
                Option.withTransport("kafka"), Option.withConfig(successorConfig)), List.of(topic), m -> {
            handledBySuccessor.merge(m.valueAsString(), 1, Integer::sum);
            if ("poison".equals(m.valueAsString())) {
                throw new PermanentFailureException("poison again");
            }
        })) {
            successor.awaitReceived("the next member to handle the message after the poison", received -> received.stream()
                    .anyMatch(m -> "after".equals(m.valueAsString())), Duration.ofSeconds(90));
        }
        List<ConsumerRecord<byte[], byte[]>> letters = RawRecords.readAll(KAFKA.broker(), deadLetterTopic, 1,
                (int) lettersBeforeKill + 1);
        LOG.atInfo().setMessage("SIGKILL while dead-lettering").addKeyValue("deadLetterTopicExisted", deadLetterTopicExists)
                .addKeyValue("deadLettersBeforeKill", lettersBeforeKill).addKeyValue("deadLetters", letters.size())
                .addKeyValue("handledBySuccessor", handledBySuccessor).log();
        assertThat(lettersBeforeKill > 0 || handledBySuccessor.containsKey("poison"))
                .as("the poison in the dead-letter topic or delivered again (never neither)").isTrue();
        assertThat(handledBySuccessor).as("delivered again: nothing past it was committed").containsKey("poison").containsKey("after");
        assertThat(letters).allSatisfy(letter -> {
            assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo("poison");
            assertThat(DeadLetterScenario.header(letter, DeadLetterHeaders.ORIGINAL_OFFSET)).isEqualTo("1");
            assertThat(DeadLetterScenario.header(letter, DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP)).isEqualTo(group);
        });
        Files.deleteIfExists(handledFile);
        return letters;
    }

    /** Starts {@link ChildConsumerMain} with {@code args} after the bootstrap servers; its output goes to {@code log}. */
    private static Process startChild(Path log, String topic, String group, Path handledFile, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx256m", "-cp", testClassPath(),
                ChildConsumerMain.class.getName(), KAFKA.broker().bootstrapServers(), topic, group, handledFile.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static List<String> lines(Path file) throws IOException {
        List<String> all = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        // a line being written when the process died may be cut: only complete lines count
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            all.remove(all.size() - 1);
        }
        return all;
    }

    private static void sigkill(Process child) throws Exception {
        Process kill = new ProcessBuilder("kill", "-KILL", Long.toString(child.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            child.destroyForcibly(); // SIGKILL on Linux as well
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
