package io.gochat.mq.examples;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeadLetterOptionsTest {

    private static DeadLetterOptions parse(String... args) {
        return DeadLetterOptions.parse(args, Map.of());
    }

    @Test
    @DisplayName("replay with --from, --to, --limit and --bootstrap takes each as given")
    void replayOptions() {
        DeadLetterOptions o = parse("dead-letters", "replay", "--from", "orders.dlt", "--to=orders.retry", "--limit", "1_000",
                "--bootstrap", "kafka-1:9092,kafka-2:9092");

        assertThat(o.action).isEqualTo(DeadLetterOptions.Action.REPLAY);
        assertThat(o.from).isEqualTo("orders.dlt");
        assertThat(o.to).isEqualTo("orders.retry");
        assertThat(o.limit).isEqualTo(1000);
        assertThat(o.progressEvery).isEqualTo(DeadLetterOptions.DEFAULT_PROGRESS_EVERY);
        assertThat(o.bootstrap).isEqualTo("kafka-1:9092,kafka-2:9092");
        assertThat(o.clusterOrigin).isEqualTo("--bootstrap kafka-1:9092,kafka-2:9092");
    }

    @Test
    @DisplayName("without --bootstrap the cluster comes from the coord config centre, as for the demo")
    void clusterFromEnvironmentOrConfigFile(@TempDir Path dir) throws Exception {
        DeadLetterOptions consul = DeadLetterOptions.parse(new String[] {"dead-letters", "list", "--from", "x.dlt"},
                Map.of("CONSUL_HTTP_ADDR", "127.0.0.1:8500", "APP_ENV", "prod"));
        Path yaml = Files.writeString(dir.resolve("kafka.yaml"), "common:\n  brokers: [\"kafka-1:9092\"]\n");
        DeadLetterOptions file = parse("dead-letters", "list", "--from", "x.dlt", "--config", yaml.toString());

        assertThat(consul.clusterOrigin).isEqualTo("Consul at 127.0.0.1:8500 (CONSUL_HTTP_ADDR), env prod");
        assertThat(consul.bootstrap).isNull();
        assertThat(file.configFile).isEqualTo(yaml);
        assertThat(file.clusterOrigin).isEqualTo("file " + yaml.toAbsolutePath());
    }

    @Test
    @DisplayName("--help anywhere, and -h, ask for the usage")
    void help() {
        assertThat(parse("--help").help).isTrue();
        assertThat(parse("dead-letters", "-h").help).isTrue();
        assertThat(parse("dead-letters", "replay", "--from", "x", "--help").help).isTrue();
    }

    @Test
    @DisplayName("each bad command line names what is wrong and what was expected")
    void usageErrors() {
        assertThatThrownBy(() -> parse()).hasMessage("expected a command: dead-letters list or dead-letters replay");
        assertThatThrownBy(() -> parse("dead-letter", "list"))
                .hasMessage("unknown command [dead-letter]; expected dead-letters");
        assertThatThrownBy(() -> parse("dead-letters")).hasMessage("dead-letters: expected list or replay");
        assertThatThrownBy(() -> parse("dead-letters", "purge"))
                .hasMessage("dead-letters: expected list or replay but was [purge]");
        assertThatThrownBy(() -> parse("dead-letters", "replay", "--bootstrap", "k:9092"))
                .hasMessage("--from: expected the dead-letter topic to read, e.g. --from orders.dlt");
        assertThatThrownBy(() -> parse("dead-letters", "replay", "--from", "a b", "--bootstrap", "k:9092"))
                .hasMessage("--from: expected a Kafka topic name (letters, digits, '.', '_', '-') but was [a b]");
        assertThatThrownBy(() -> parse("dead-letters", "list", "--from", "x", "--to", "y", "--bootstrap", "k:9092"))
                .hasMessageStartingWith("--to: only replay publishes");
        assertThatThrownBy(() -> parse("dead-letters", "replay", "--from", "x", "--to", "x", "--bootstrap", "k:9092"))
                .hasMessage("--to: expected a topic other than --from [x]");
        assertThatThrownBy(() -> parse("dead-letters", "replay", "--from", "x", "--limit", "0", "--bootstrap", "k:9092"))
                .hasMessage("--limit: expected a whole number from 1 to 2147483647 but was [0]");
        assertThatThrownBy(() -> parse("dead-letters", "replay", "--from", "x", "--bootstrap", "kafka-1"))
                .hasMessage("--bootstrap: expected host:port[,host:port...] but was [kafka-1]");
        assertThatThrownBy(() -> parse("dead-letters", "replay", "--from", "x"))
                .isInstanceOf(CommandLine.UsageException.class)
                .hasMessage("no cluster: expected --bootstrap HOST:PORT, --config FILE, or CONSUL_HTTP_ADDR or"
                        + " MQ_CONFIG_FILE in the environment");
        assertThatThrownBy(() -> parse("dead-letters", "replay", "--from", "x", "--retries", "3"))
                .hasMessage("unknown option [--retries]");
    }
}
