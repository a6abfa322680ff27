package io.gochat.mq.examples;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoOptionsTest {

    @Test
    @DisplayName("with no options the demo sends 100,000 messages on the embedded Kafka broker")
    void defaults() {
        DemoOptions o = DemoOptions.parse(new String[0], Map.of());

        assertThat(o.mode).isEqualTo(DemoOptions.Mode.EMBEDDED_KAFKA);
        assertThat(o.messages).isEqualTo(100_000);
        assertThat(o.topic).isEqualTo("gochat.messages.upstream");
        assertThat(o.transport).isEqualTo("kafka");
    }

    @Test
    @DisplayName("--transport inmemory needs no broker and both option spellings work")
    void inMemory() {
        DemoOptions o = DemoOptions.parse(new String[] {"--transport=inmemory", "--messages", "1_000"}, Map.of());

        assertThat(o.mode).isEqualTo(DemoOptions.Mode.IN_MEMORY);
        assertThat(o.messages).isEqualTo(1000);
    }

    @Test
    @DisplayName("--concurrency sets the members' consumer.concurrency: 1 by default, 1 to 1024, refused on a real cluster")
    void concurrency() {
        assertThat(DemoOptions.parse(new String[0], Map.of()).concurrency).isEqualTo(1);
        assertThat(DemoOptions.parse(new String[] {"--concurrency", "16"}, Map.of()).concurrency).isEqualTo(16);
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--concurrency", "1025"}, Map.of()))
                .hasMessage("--concurrency: expected a whole number from 1 to 1024 but was [1025]");
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--concurrency", "4"}, Map.of("CONSUL_HTTP_ADDR", "127.0.0.1:8500")))
                .hasMessageContaining("set consumer.concurrency there");
    }

    @Test
    @DisplayName("--fail-rate: 0 by default, a share from 0 to 0.9, refused on a real cluster")
    void failRate() {
        assertThat(DemoOptions.parse(new String[0], Map.of()).failRate).isZero();
        assertThat(DemoOptions.parse(new String[] {"--fail-rate", "0.25"}, Map.of()).failRate).isEqualTo(0.25);
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--fail-rate", "1"}, Map.of()))
                .hasMessage("--fail-rate: expected a share of callback attempts from 0 to 0.9, such as 0.1, but was [1]");
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--fail-rate", "ten"}, Map.of()))
                .hasMessage("--fail-rate: expected a share of callback attempts from 0 to 0.9, such as 0.1, but was [ten]");
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--fail-rate", "0.1"}, Map.of("CONSUL_HTTP_ADDR", "127.0.0.1:8500")))
                .hasMessageContaining("configured by kafka.yaml (consumer.retry, consumer.deadLetter)");
    }

    @Test
    @DisplayName("CONSUL_HTTP_ADDR in the environment points the demo at the coord config centre")
    void consulFromEnvironment() {
        DemoOptions o = DemoOptions.parse(new String[0], Map.of("CONSUL_HTTP_ADDR", "127.0.0.1:8500", "APP_ENV", "prod"));

        assertThat(o.mode).isEqualTo(DemoOptions.Mode.EXTERNAL);
        assertThat(o.configOrigin).isEqualTo("Consul at 127.0.0.1:8500 (CONSUL_HTTP_ADDR), env prod");
        assertThat(o.topic).as("not the production topic on a real cluster").isEqualTo("gochat.demo.upstream");
        assertThat(DemoOptions.parse(new String[] {"--topic", "demo.mine"}, Map.of("CONSUL_HTTP_ADDR", "127.0.0.1:8500")).topic)
                .isEqualTo("demo.mine");
        assertThat(DemoOptions.parse(new String[0], Map.of()).topic).as("on the embedded broker")
                .isEqualTo("gochat.messages.upstream");
    }

    @Test
    @DisplayName("--config with a readable file selects a real cluster")
    void configFile(@TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("kafka.yaml"), "common:\n  brokers: [\"kafka-1:9092\"]\n");

        DemoOptions o = DemoOptions.parse(new String[] {"--config", yaml.toString()}, Map.of());

        assertThat(o.mode).isEqualTo(DemoOptions.Mode.EXTERNAL);
        assertThat(o.configFile).isEqualTo(yaml);
    }

    @Test
    @DisplayName("--config naming a missing file is refused with the absolute path")
    void missingConfigFile(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--config", missing.toString()}, Map.of()))
                .isInstanceOf(CommandLine.UsageException.class)
                .hasMessage("--config: cannot read the file [" + missing.toAbsolutePath() + "]");
    }

    @Test
    @DisplayName("--config and --transport inmemory contradict each other")
    void configWithInMemory(@TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("kafka.yaml"), "common: {}\n");

        assertThatThrownBy(() -> DemoOptions.parse(
                new String[] {"--transport", "inmemory", "--config", yaml.toString()}, Map.of()))
                .isInstanceOf(CommandLine.UsageException.class)
                .hasMessageContaining("cannot be combined");
    }

    @Test
    @DisplayName("values out of range, unknown transports and missing values are refused with what is allowed")
    void badValues() {
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--messages", "0"}, Map.of()))
                .hasMessage("--messages: expected a whole number from 1 to 100000000 but was [0]");
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--transport", "rabbit"}, Map.of()))
                .hasMessage("--transport: expected kafka or inmemory but was [rabbit]");
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--users"}, Map.of()))
                .hasMessage("--users needs a value");
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--topic", "no spaces"}, Map.of()))
                .hasMessageStartingWith("--topic: expected a Kafka topic name");
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"extra"}, Map.of()))
                .hasMessage("unexpected argument [extra]; options start with --");
    }

    @Test
    @DisplayName("more users than messages is cut down to one message per user")
    void usersCappedAtMessages() {
        DemoOptions o = DemoOptions.parse(new String[] {"--messages", "10", "--users", "500"}, Map.of());

        assertThat(o.users).isEqualTo(10);
    }
}
