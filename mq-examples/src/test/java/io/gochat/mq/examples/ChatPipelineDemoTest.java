package io.gochat.mq.examples;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ChatPipelineDemoTest {

    /** What one in-process run printed, and its exit code. */
    record Run(int exitCode, String out, String err) {
    }

    static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ChatPipelineDemo.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("on the in-memory transport every message arrives once per user in order, and the summary says so")
    void inMemoryRunIsClean() {
        Run run = run(Map.of(), "--transport", "inmemory", "--messages", "5000", "--users", "50");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out())
                .contains("== Summary ==")
                .containsPattern("(?m)^lost +0$")
                .containsPattern("(?m)^order violations +0$")
                .contains("demo_result=ok sent=5000 received=5000 lost=0 ")
                .contains("order_violations=0");
        assertThat(run.err()).isEmpty();

        // the library's own metrics: every send (the 5,000 and one or more rounds of 50 probes) acknowledged
        // and consumed once, timed, and the committed lag down to 0
        java.util.regex.Matcher sends = java.util.regex.Pattern.compile("(?m)^mq\\.send +success (\\d+) +failure 0 ")
                .matcher(run.out());
        assertThat(sends.find()).as("the mq.send line in:%n%s", run.out()).isTrue();
        long sent = Long.parseLong(sends.group(1));
        assertThat(sent).as("sends counted by mq.send: 5,000 chat messages and rounds of 50 probes").isGreaterThan(5000);
        assertThat((sent - 5000) % 50).as("probe sends counted beyond the chat messages, in rounds of 50").isZero();
        assertThat(run.out())
                .containsPattern("(?m)^mq\\.consume +success " + sent + " +failure 0 +cancelled 0$")
                .containsPattern("(?m)^mq\\.consume time +p50 [0-9.]+ ms +p99 [0-9.]+ ms")
                .containsPattern("(?m)^mq\\.consumer\\.lag +0 \\(committed");
    }

    @Test
    @DisplayName("--fail-rate on the in-memory transport: failed attempts are retried, messages that fail every attempt"
            + " are found in the dead-letter topic, nothing is lost and each user's messages stay in order")
    void failRateInMemory() {
        Run run = run(Map.of(), "--transport", "inmemory", "--messages", "4000", "--users", "40", "--concurrency", "8",
                "--fail-rate", "0.5");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertFailuresHandled(run, 4000);
    }

    @Test
    @DisplayName("--fail-rate on the embedded Kafka broker at concurrency 1: retried, dead-lettered, none lost, in order")
    void failRateOnKafka() {
        Run run = run(Map.of(), "--messages", "2000", "--users", "50", "--partitions", "4", "--fail-rate", "0.5");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertFailuresHandled(run, 2000);
    }

    /**
     * At a fail rate of 0.5 and 4 attempts, about half the messages fail once and 1 in 16 fails
     * every attempt: both counts are far from 0 for thousands of messages.
     */
    private static void assertFailuresHandled(Run run, int messages) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "demo_result=ok sent=(\\d+) received=(\\d+) lost=0 duplicates=\\d+ order_violations=0 .*"
                        + " callback_failures=(\\d+) retried=(\\d+) dead_lettered=(\\d+)").matcher(run.out());
        assertThat(m.find()).as(run.out()).isTrue();
        long received = Long.parseLong(m.group(2));
        long retried = Long.parseLong(m.group(4));
        long deadLettered = Long.parseLong(m.group(5));
        assertThat(Long.parseLong(m.group(1))).isEqualTo(messages);
        assertThat(received + deadLettered).as("received + dead-lettered").isEqualTo(messages);
        assertThat(retried).as("messages that succeeded after a failed attempt").isPositive();
        assertThat(deadLettered).as("messages that failed every attempt").isPositive();
        assertThat(Long.parseLong(m.group(3))).as("failed attempts").isGreaterThanOrEqualTo(retried + 4 * deadLettered);
        assertThat(run.out()).containsPattern("(?m)^dead-lettered +[0-9,]+ messages failed 4 times, found in "
                + "gochat.messages.upstream.dlt$");
    }

    @Test
    @DisplayName("on the embedded Kafka broker two group members receive everything, each user's messages in order")
    void embeddedKafkaRunIsClean() {
        Run run = run(Map.of(), "--messages", "3000", "--users", "100", "--partitions", "4");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out())
                .contains("embedded broker at ")
                .containsPattern("(?m)^lost +0$")
                .containsPattern("(?m)^order violations +0$")
                .containsPattern("im-logic-1: [1-9][0-9,]*, im-logic-2: [1-9]")
                .contains("demo_result=ok sent=3000 received=3000 lost=0 ")
                .contains("order_violations=0");
    }

    @Test
    @DisplayName("with --config the demo runs against the cluster kafka.yaml names, in a group of its own, from 'latest'")
    void externalClusterFromConfigFile(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka cluster = EmbeddedKafka.start()) {
            // The seed's consumer defaults except the heartbeat, so the second member's join
            // rebalances quickly; autoOffsetReset stays 'latest', which the probe rounds must handle.
            Path yaml = Files.writeString(dir.resolve("kafka.yaml"), String.join("\n",
                    "common:",
                    "  brokers: [\"" + cluster.bootstrapServers() + "\"]",
                    "consumer:",
                    "  sessionTimeoutMs: 10000",
                    "  heartbeatIntervalMs: 1000",
                    ""));
            // An existing topic, as on a real cluster; the demo's createTopic leaves it alone (and
            // waits until its partitions are served).
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.<String, Object>of("bootstrap.servers", cluster.bootstrapServers()))) {
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("demo.external", 3, (short) 1)))
                        .all().get();
            }

            Run run = run(Map.of(), "--config", yaml.toString(), "--messages", "2000", "--users", "40",
                    "--topic", "demo.external");

            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            assertThat(run.out())
                    .contains("kafka, configuration from file " + yaml.toAbsolutePath())
                    .containsPattern("group im-logic-demo-[0-9a-f]+ \\(2 members\\)")
                    .contains("demo_result=ok sent=2000 received=2000 lost=0 ");
        }
        assertThat(System.getProperty("mq.config.file")).as("restored after the run").isNull();
    }

    @Test
    @DisplayName("a bad option prints what was wrong and the usage, exits 2, and shows no stack trace")
    void badOptionGivesUsage() {
        Run run = run(Map.of(), "--messages", "lots");

        assertThat(run.exitCode()).isEqualTo(ChatPipelineDemo.EXIT_USAGE);
        assertThat(run.err())
                .startsWith("error: --messages: expected a whole number from 1 to 100000000 but was [lots]")
                .contains("Usage: bin/demo [options]")
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
        assertThat(run.out()).isEmpty();
    }

    @Test
    @DisplayName("an unknown option is named in the error and exits 2")
    void unknownOptionGivesUsage() {
        Run run = run(Map.of(), "--mesages", "10");

        assertThat(run.exitCode()).isEqualTo(ChatPipelineDemo.EXIT_USAGE);
        assertThat(run.err()).startsWith("error: unknown option [--mesages]").contains("Usage: bin/demo");
    }

    @Test
    @DisplayName("--help prints the usage on stdout and exits 0")
    void helpPrintsUsage() {
        Run run = run(Map.of(), "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: bin/demo [options]").contains("--transport NAME", "--config FILE");
        assertThat(run.err()).isEmpty();
    }

    @Test
    @DisplayName("an invalid kafka.yaml ends with one error line naming the key and exit code 3, not a stack trace")
    void invalidConfigurationIsReported() throws Exception {
        Path yaml = Files.createTempFile("kafka", ".yaml");
        try {
            Files.writeString(yaml, "common:\n  brokers: [\"127.0.0.1:1\"]\nproducer:\n  compression: lz5\n");
            Run run = run(Map.of(), "--config", yaml.toString(), "--messages", "10");

            assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(ChatPipelineDemo.EXIT_ERROR);
            assertThat(run.err()).startsWith("error: ").contains("compression").doesNotContain("\tat ");
        } finally {
            Files.delete(yaml);
        }
    }
}
