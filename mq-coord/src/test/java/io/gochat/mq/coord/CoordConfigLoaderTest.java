package io.gochat.mq.coord;

import ch.qos.logback.classic.Level;
import io.gochat.mq.MqConfigException;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.consul.TestConsulServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where the configuration comes from, and the checks made at load (docs/configuration.md). */
class CoordConfigLoaderTest {
    private static final String BROKERS = "common:\n  brokers: [\"kafka-1:9092\"]\n";

    @TempDir
    Path dir;
    private TestConsulServer consul;
    private LogCapture logs;

    @BeforeEach
    void setUp() {
        consul = new TestConsulServer().start();
        logs = LogCapture.of("io.gochat.mq.coord.test");
    }

    @AfterEach
    void tearDown() {
        logs.close();
        consul.close();
    }

    private CoordSettings.Builder settings() {
        return CoordSettings.builder().cacheDir(dir.resolve("cache"));
    }

    private CoordConfigLoader loader(CoordSettings settings, ClassLoader classPath) {
        return new CoordConfigLoader(settings, LogCapture.testLogger("loader"), classPath);
    }

    /** A class path holding only {@code kafka.yaml} with {@code yaml}, or nothing when {@code yaml} is null. */
    private ClassLoader classPath(String yaml) throws Exception {
        Path root = Files.createDirectories(dir.resolve("classpath-" + System.nanoTime()));
        if (yaml != null) {
            Files.writeString(root.resolve("kafka.yaml"), yaml);
        }
        return new URLClassLoader(new URL[] {root.toUri().toURL()}, null);
    }

    private Path file(String name, String yaml) throws Exception {
        return Files.writeString(dir.resolve(name), yaml);
    }

    @Test
    @DisplayName("a local file wins over Consul and the class path, and Consul is not asked")
    void fileFirst() throws Exception {
        Path file = file("kafka.yaml", BROKERS + "producer:\n  lingerMs: 1\n");
        consul.put("config/dev/global/kafka.yaml", BROKERS + "producer:\n  lingerMs: 2\n");
        CoordSettings s = settings().configFile(file.toString(), "system property mq.config.file")
                .consulAddress(consul.address()).build();

        MqConfig config = loader(s, classPath(BROKERS + "producer:\n  lingerMs: 3\n")).load("im-gateway").orElseThrow();

        assertThat(config.producer().lingerMs()).isEqualTo(1);
        assertThat(config.source()).isEqualTo("file " + file.toAbsolutePath());
        assertThat(consul.requests()).isEmpty();
    }

    @Test
    @DisplayName("Consul wins over the class path")
    void consulSecond() throws Exception {
        consul.put("config/dev/global/kafka.yaml", BROKERS + "producer:\n  lingerMs: 2\n");
        CoordSettings s = settings().consulAddress(consul.address()).build();

        MqConfig config = loader(s, classPath(BROKERS + "producer:\n  lingerMs: 3\n")).load("im-gateway").orElseThrow();

        assertThat(config.producer().lingerMs()).isEqualTo(2);
        assertThat(config.source()).isEqualTo("consul config/dev/global/kafka.yaml");
    }

    @Test
    @DisplayName("the class path kafka.yaml is used when no file and no Consul are set")
    void classPathThird() throws Exception {
        MqConfig config = loader(settings().build(), classPath(BROKERS + "producer:\n  lingerMs: 3\n"))
                .load("im-gateway").orElseThrow();
        assertThat(config.producer().lingerMs()).isEqualTo(3);
        assertThat(config.source()).startsWith("classpath kafka.yaml (file:").endsWith("kafka.yaml)");
    }

    @Test
    @DisplayName("with nothing anywhere the answer is empty, and the places tried say what was not set")
    void nothing() throws Exception {
        CoordConfigLoader loader = loader(settings().build(), classPath(null));
        assertThat(loader.load("im-gateway")).isEmpty();
        assertThat(loader.placesTried("im-gateway")).containsExactly(
                "a local file (-Dmq.config.file / MQ_CONFIG_FILE: not set)",
                "Consul KV (-Dmq.consul.addr / CONSUL_HTTP_ADDR: not set)",
                "class path resource kafka.yaml (not found)");
    }

    @Test
    @DisplayName("a named file that does not exist is an error naming the setting and the path")
    void missingFile() throws Exception {
        Path missing = dir.resolve("nope/kafka.yaml");
        CoordSettings s = settings().configFile(missing.toString(), "environment variable MQ_CONFIG_FILE").build();
        assertThatThrownBy(() -> loader(s, classPath(BROKERS)).load("im-gateway"))
                .isInstanceOf(MqConfigException.class)
                .hasMessage("MQ_CONFIG_FILE: expected a readable kafka.yaml file but was [" + missing
                        + "] (environment variable MQ_CONFIG_FILE); the file does not exist");
    }

    @Test
    @DisplayName("a file that is not UTF-8 is an error naming the file")
    void notUtf8() throws Exception {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, "common:\n  clientIDPrefix: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        CoordSettings s = settings().configFile(file.toString(), "system property mq.config.file").build();
        assertThatThrownBy(() -> loader(s, classPath(null)).load("svc"))
                .isInstanceOf(MqConfigException.class)
                .hasMessage("kafka.yaml is not valid UTF-8 (file " + file.toAbsolutePath() + ")");
    }

    @Test
    @DisplayName("an empty file is an error naming the file")
    void emptyFile() throws Exception {
        Path file = file("empty.yaml", "");
        CoordSettings s = settings().configFile(file.toString(), "system property mq.config.file").build();
        assertThatThrownBy(() -> loader(s, classPath(null)).load("svc"))
                .isInstanceOf(MqConfigException.class)
                .hasMessage("kafka.yaml is empty: expected a mapping with common, producer and consumer (file "
                        + file.toAbsolutePath() + ")");
    }

    @Test
    @DisplayName("malformed YAML in a file names the line, the column and the file")
    void malformedFile() throws Exception {
        Path file = file("bad.yaml", BROKERS + "producer:\n  lingerMs: [5\n");
        CoordSettings s = settings().configFile(file.toString(), "system property mq.config.file").build();
        assertThatThrownBy(() -> loader(s, classPath(null)).load("svc"))
                .isInstanceOf(MqConfigException.class)
                .hasMessageStartingWith("kafka.yaml is malformed at line 5, column 1: ")
                .hasMessageEndingWith("(file " + file.toAbsolutePath() + ")");
    }

    @Test
    @DisplayName("a file larger than the limit is refused before it is read")
    void tooLargeFile() throws Exception {
        Path file = dir.resolve("huge.yaml");
        Files.write(file, new byte[KafkaYamlParser.MAX_BYTES + 1]);
        CoordSettings s = settings().configFile(file.toString(), "system property mq.config.file").build();
        assertThatThrownBy(() -> loader(s, classPath(null)).load("svc"))
                .isInstanceOf(MqConfigException.class)
                .hasMessage("kafka.yaml is too large: expected at most " + KafkaYamlParser.MAX_CHARS + " characters (file "
                        + file.toAbsolutePath() + ")");
    }

    @Test
    @DisplayName("a configuration without brokers loads: what a transport needs is the transport's check, not the loader's")
    void noBrokersRuleInTheLoader() throws Exception {
        Path file = file("kafka.yaml", "producer:\n  lingerMs: 1\n");
        CoordSettings s = settings().configFile(file.toString(), "system property mq.config.file").build();

        Optional<MqConfig> loaded = loader(s, classPath(null)).load("svc");

        assertThat(loaded).isPresent();
        assertThat(loaded.orElseThrow().common().brokers()).isEmpty();
        assertThat(loaded.orElseThrow().producer().lingerMs()).isEqualTo(1);
    }

    @Test
    @DisplayName("each load is logged once at INFO with the service and the source; unknown keys at WARN")
    void logged() throws Exception {
        Path file = file("kafka.yaml", BROKERS + "producer:\n  lingerMS: 1\n");
        CoordSettings s = settings().configFile(file.toString(), "system property mq.config.file").build();
        loader(s, classPath(null)).load("im-gateway");

        assertThat(logs.at(Level.INFO)).hasSize(1);
        assertThat(logs.at(Level.INFO).get(0).getFormattedMessage()).isEqualTo("mq configuration loaded");
        assertThat(LogCapture.value(logs.at(Level.INFO).get(0), "service")).isEqualTo("im-gateway");
        assertThat(LogCapture.value(logs.at(Level.INFO).get(0), "source")).isEqualTo("file " + file.toAbsolutePath());
        assertThat(logs.at(Level.WARN)).extracting(e -> e.getFormattedMessage())
                .containsExactly("unknown key producer.lingerMS (file " + file.toAbsolutePath() + "); did you mean lingerMs?");
    }

    @Test
    @DisplayName("an unknown key is warned about once per content of the file, not once per load")
    void unknownKeyWarnedOncePerContent() throws Exception {
        Path file = file("kafka.yaml", BROKERS + "producer:\n  lingerMS: 1\n");
        CoordSettings s = settings().configFile(file.toString(), "system property mq.config.file").build();
        CoordConfigLoader loader = loader(s, classPath(null));
        loader.load("im-gateway");
        loader.load("im-gateway");
        loader.load("im-logic");
        assertThat(logs.at(Level.WARN)).hasSize(1);
        assertThat(logs.at(Level.INFO)).hasSize(3);

        file("kafka.yaml", BROKERS + "producer:\n  lingerMS: 2\n");
        loader.load("im-gateway");
        loader.load("im-gateway");
        assertThat(logs.at(Level.WARN)).extracting(e -> e.getFormattedMessage()).containsExactly(
                "unknown key producer.lingerMS (file " + file.toAbsolutePath() + "); did you mean lingerMs?",
                "unknown key producer.lingerMS (file " + file.toAbsolutePath() + "); did you mean lingerMs?");
    }

    @Test
    @DisplayName("with Consul, a service name that could escape its key is refused")
    void serviceNameChecked() throws Exception {
        CoordSettings s = settings().consulAddress(consul.address()).build();
        assertThatThrownBy(() -> loader(s, classPath(null)).load("../global"))
                .isInstanceOf(MqConfigException.class)
                .hasMessageStartingWith("serviceName: expected letters, digits, '.', '_' or '-'")
                .hasMessageContaining("[../global]");
        assertThat(consul.requests()).isEmpty();
    }
}
