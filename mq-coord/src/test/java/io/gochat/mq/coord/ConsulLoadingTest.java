package io.gochat.mq.coord;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.gochat.mq.MqConfigException;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.consul.RecordedRequest;
import io.gochat.mq.testkit.consul.TestConsulServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Loading from Consul through the real client library against {@link TestConsulServer}: the key
 * layout and merge, the token, each way Consul can fail, and the last-known-good cache.
 */
class ConsulLoadingTest {
    static final String GLOBAL = "config/dev/global/kafka.yaml";
    static final String GATEWAY = "config/dev/im-gateway/kafka.yaml";
    static final String PASSWORD = "sasl-pa55-" + UUID.randomUUID();
    static final String TOKEN = "acl-token-" + UUID.randomUUID();
    static final String GLOBAL_YAML = String.join("\n",
            "common:",
            "  brokers: [\"kafka-1:9092\", \"kafka-2:9092\"]",
            "  security:",
            "    sasl: {mechanism: SCRAM-SHA-512, username: gochat, password: " + PASSWORD + "}",
            "producer:",
            "  lingerMs: 5",
            "  compression: lz4",
            "services:",
            "  im-gateway:",
            "    producer: {compression: zstd}",
            "");

    @TempDir
    Path dir;
    private TestConsulServer consul;
    private LogCapture logs;
    private final List<Throwable> thrown = new ArrayList<>();

    @BeforeEach
    void setUp() {
        consul = new TestConsulServer().start().requiredToken(TOKEN);
        consul.put(GLOBAL, GLOBAL_YAML);
        logs = LogCapture.all();
    }

    /** Every test: the token never travelled in a URL; no log line and no exception shows the token or the password. */
    @AfterEach
    void noSecretsAnywhere() {
        try {
            for (RecordedRequest r : consul.requests()) {
                assertThat(r.uri()).as("request URI").doesNotContain(TOKEN).doesNotContain("token=");
            }
            for (String line : logs.lines()) {
                assertThat(line).as("log line").doesNotContain(TOKEN).doesNotContain(PASSWORD);
            }
            for (Throwable t : thrown) {
                for (Throwable c = t; c != null; c = c.getCause()) {
                    assertThat(String.valueOf(c)).as("exception").doesNotContain(TOKEN).doesNotContain(PASSWORD);
                }
            }
        } finally {
            logs.close();
            consul.close();
        }
    }

    private CoordSettings.Builder settings() {
        return CoordSettings.builder()
                .consulAddress(consul.address())
                .consulToken(TOKEN)
                .cacheDir(dir.resolve("cache"))
                .connectTimeout(Duration.ofMillis(500))
                .readTimeout(Duration.ofMillis(300))
                .retries(1);
    }

    private static ClassLoader emptyClassPath(Path dir) throws IOException {
        return new URLClassLoader(new URL[] {Files.createDirectories(dir.resolve("empty-classpath")).toUri().toURL()}, null);
    }

    private MqConfig load(CoordSettings s, String service) throws IOException {
        return new CoordConfigLoader(s, LogCapture.testLogger("consul"), emptyClassPath(dir)).load(service).orElseThrow();
    }

    private MqConfigException failure(CoordSettings s, String service) throws IOException {
        CoordConfigLoader loader = new CoordConfigLoader(s, LogCapture.testLogger("consul"), emptyClassPath(dir));
        Throwable t = catchThrowable(() -> loader.load(service));
        thrown.add(t);
        assertThat(t).isInstanceOf(MqConfigException.class);
        return (MqConfigException) t;
    }

    private Path cacheFile(String service) {
        return dir.resolve("cache/config/dev").resolve(service).resolve("kafka.yaml");
    }

    @Nested
    @DisplayName("reading")
    class Reading {
        @Test
        @DisplayName("the per-service key is deep-merged over the global one, and services.<name> over both")
        void merge() throws Exception {
            consul.put(GATEWAY, "producer:\n  lingerMs: 50\nconsumer:\n  autoOffsetReset: earliest\n");
            MqConfig config = load(settings().build(), "im-gateway");

            assertThat(config.source()).isEqualTo("consul " + GLOBAL + " + " + GATEWAY);
            MqConfig gateway = config.forService("im-gateway");
            assertThat(gateway.producer().lingerMs()).isEqualTo(50);
            assertThat(gateway.producer().compression()).isEqualTo("zstd");
            assertThat(gateway.consumer().autoOffsetReset()).isEqualTo("earliest");
            assertThat(gateway.common().brokers()).containsExactly("kafka-1:9092", "kafka-2:9092");
            assertThat(gateway.common().sasl().password()).isEqualTo(PASSWORD);
        }

        @Test
        @DisplayName("another service reads the global key, its own missing key is no error, and no override applies")
        void otherService() throws Exception {
            MqConfig config = load(settings().build(), "im-logic");
            assertThat(config.source()).isEqualTo("consul " + GLOBAL);
            MqConfig logic = config.forService("im-logic");
            assertThat(logic.producer().lingerMs()).isEqualTo(5);
            assertThat(logic.producer().compression()).isEqualTo("lz4");
            assertThat(consul.requests()).extracting(RecordedRequest::path)
                    .containsExactly("/v1/kv/" + GLOBAL, "/v1/kv/config/dev/im-logic/kafka.yaml");
        }

        @Test
        @DisplayName("the environment and the root choose the keys")
        void envAndRoot() throws Exception {
            consul.put("team/config/prod/global/kafka.yaml", GLOBAL_YAML.replace("lingerMs: 5", "lingerMs: 9"));
            MqConfig config = load(settings().env("prod").root("team/config").build(), "im-logic");
            assertThat(config.producer().lingerMs()).isEqualTo(9);
            assertThat(config.source()).isEqualTo("consul team/config/prod/global/kafka.yaml");
        }

        @Test
        @DisplayName("the token travels in the X-Consul-Token header of every request and never in a URL")
        void tokenInHeaderOnly() throws Exception {
            consul.put(GATEWAY, "producer:\n  lingerMs: 50\n");
            load(settings().build(), "im-gateway");
            assertThat(consul.requests()).hasSize(2).allSatisfy(r -> {
                assertThat(r.header(TestConsulServer.TOKEN_HEADER)).hasValue(TOKEN);
                assertThat(r.query()).doesNotContain("token");
            });
        }

        @Test
        @DisplayName("an invalid value in Consul is an error naming the key and both Consul keys, even with a cached copy")
        void invalidInConsul() throws Exception {
            load(settings().build(), "im-gateway");
            consul.put(GATEWAY, "producer:\n  batchSize: abc\n");
            assertThat(failure(settings().build(), "im-gateway")).hasMessage(
                    "producer.batchSize: expected an integer but was [abc] (consul " + GLOBAL + " + " + GATEWAY + ")");
        }

        @Test
        @DisplayName("malformed YAML in the per-service key names that key, the line and the column")
        void malformedServiceKey() throws Exception {
            consul.put(GATEWAY, "producer:\n  lingerMs: 5\n   batchSize: 10\n");
            assertThat(failure(settings().build(), "im-gateway")).hasMessage(
                    "kafka.yaml is malformed at line 3, column 13: mapping values are not allowed here (consul " + GATEWAY + ")");
        }

        @Test
        @DisplayName("an empty value in Consul is an error naming the key")
        void emptyValue() throws Exception {
            consul.put(GLOBAL, "");
            assertThat(failure(settings().build(), "im-logic")).hasMessage(
                    "kafka.yaml is empty: expected a mapping with common, producer and consumer (consul " + GLOBAL + ")");
        }

        @Test
        @DisplayName("a 500 that clears up within the retries is not noticed")
        void retried() throws Exception {
            consul.failWith(500, 1);
            assertThat(load(settings().build(), "im-logic").producer().lingerMs()).isEqualTo(5);
            assertThat(consul.requests()).hasSize(3);
        }
    }

    /** The ways Consul gives no configuration, each with its own outcome. */
    enum Fault {
        NOT_FOUND(c -> c.delete(GLOBAL)),
        FORBIDDEN(c -> c.requiredToken("another-token")),
        SERVER_ERROR(c -> c.failWith(500)),
        REFUSED(TestConsulServer::close),
        STALLED(c -> c.stall(Duration.ofSeconds(30)));

        final Consumer<TestConsulServer> inject;

        Fault(Consumer<TestConsulServer> inject) {
            this.inject = inject;
        }
    }

    private String expectedWithoutCache(Fault fault) {
        String at = "Consul at http://" + consul.address() + " (system property mq.consul.addr) ";
        String noCopy = "; no last-known-good copy in " + cacheFile("im-logic") + ".";
        switch (fault) {
            case FORBIDDEN:
                return at + "refused access reading " + GLOBAL + ": HTTP 403 Forbidden: the ACL token was refused; check"
                        + " CONSUL_HTTP_TOKEN (or -Dmq.consul.token)" + noCopy + " Give the service a token that may read the key.";
            case SERVER_ERROR:
                return at + "failed reading " + GLOBAL + ": HTTP 500 Internal Server Error (2 attempts)" + noCopy
                        + " Check that Consul runs there, or point CONSUL_HTTP_ADDR (-Dmq.consul.addr) at it.";
            case REFUSED:
                return at + "unreachable reading " + GLOBAL + ": connection refused (2 attempts)" + noCopy
                        + " Check that Consul runs there, or point CONSUL_HTTP_ADDR (-Dmq.consul.addr) at it.";
            case STALLED:
                return at + "timed out reading " + GLOBAL + ": no answer within 300 ms (2 attempts)" + noCopy
                        + " Check that Consul runs there, or point CONSUL_HTTP_ADDR (-Dmq.consul.addr) at it.";
            default:
                throw new AssertionError(fault);
        }
    }

    @Nested
    @DisplayName("Consul gives no configuration and there is no cached copy")
    class WithoutCache {
        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Fault.class, names = {"FORBIDDEN", "SERVER_ERROR", "REFUSED", "STALLED"})
        @DisplayName("the error says what Consul did, where, for which key, and that no cached copy exists")
        void error(Fault fault) throws Exception {
            fault.inject.accept(consul);
            assertThat(failure(settings().build(), "im-logic")).hasMessage(expectedWithoutCache(fault));
        }

        @Test
        @DisplayName("403 is not retried; 500 is")
        void retries() throws Exception {
            consul.requiredToken("another-token");
            failure(settings().build(), "im-logic");
            assertThat(consul.requests()).hasSize(1);
            consul.clearRequests();
            consul.requiredToken(TOKEN).failWith(500);
            failure(settings().build(), "im-logic");
            assertThat(consul.requests()).hasSize(2);
        }

        @Test
        @DisplayName("403 with no token set says so")
        void noTokenSet() throws Exception {
            assertThat(failure(settings().consulToken(null).build(), "im-logic"))
                    .hasMessageContaining("refused access reading " + GLOBAL + ": HTTP 403 Forbidden: no ACL token is set;"
                            + " set CONSUL_HTTP_TOKEN (or -Dmq.consul.token)");
        }

        @Test
        @DisplayName("a missing key is not an error: the class path is tried next, and the places tried say 404")
        void notFound() throws Exception {
            Fault.NOT_FOUND.inject.accept(consul);
            CoordConfigLoader loader = new CoordConfigLoader(settings().build(), LogCapture.testLogger("consul"),
                    emptyClassPath(dir));
            assertThat(loader.load("im-logic")).isEmpty();
            assertThat(loader.placesTried("im-logic")).contains("Consul http://" + consul.address() + " keys " + GLOBAL
                    + " and config/dev/im-logic/kafka.yaml (404: no such key)");

            Path cp = Files.createDirectories(dir.resolve("cp"));
            Files.writeString(cp.resolve("kafka.yaml"), "common:\n  brokers: [\"local:9092\"]\n");
            MqConfig fromClassPath = new CoordConfigLoader(settings().build(), LogCapture.testLogger("consul"),
                    new URLClassLoader(new URL[] {cp.toUri().toURL()}, null)).load("im-logic").orElseThrow();
            assertThat(fromClassPath.common().brokers()).containsExactly("local:9092");
        }

        @Test
        @DisplayName("with the cache off, the error says so")
        void cacheOff() throws Exception {
            consul.failWith(500);
            assertThat(failure(settings().cacheDir(null).build(), "im-logic"))
                    .hasMessageContaining("; the last-known-good cache is off (mq.config.cache.dir=off).");
        }
    }

    @Nested
    @DisplayName("Consul gives no configuration and a cached copy exists")
    class WithCache {
        @ParameterizedTest(name = "{0}")
        @EnumSource(Fault.class)
        @DisplayName("the service starts on the last-known-good copy, with a WARN naming the reason and the copy's age")
        void startsFromCache(Fault fault) throws Exception {
            MqConfig good = load(settings().build(), "im-gateway");
            Path copy = cacheFile("im-gateway");
            Files.setLastModifiedTime(copy, FileTime.from(Instant.now().minus(Duration.ofHours(3))));
            consul.put(GLOBAL, GLOBAL_YAML.replace("lingerMs: 5", "lingerMs: 6"));   // never seen: Consul fails first

            fault.inject.accept(consul);
            MqConfig config = load(settings().build(), "im-gateway");

            assertThat(config.source()).isEqualTo("cache " + copy + " (copy of consul " + GLOBAL + " at http://"
                    + consul.address() + ")");
            assertThat(config.toString().replace(config.source(), "")).isEqualTo(good.toString().replace(good.source(), ""));
            assertThat(config.forService("im-gateway").producer().compression()).isEqualTo("zstd");
            assertThat(config.common().sasl().password()).isEqualTo(PASSWORD);

            List<ILoggingEvent> warnings = logs.at(Level.WARN);
            assertThat(warnings).hasSize(1);
            ILoggingEvent warn = warnings.get(0);
            assertThat(warn.getFormattedMessage())
                    .isEqualTo("consul gave no configuration; using the last-known-good copy from 3h 0m ago");
            assertThat(LogCapture.value(warn, "age")).isEqualTo("3h 0m");
            assertThat(LogCapture.value(warn, "cache")).isEqualTo(copy);
            assertThat(String.valueOf(LogCapture.value(warn, "reason"))).contains(reasonFragment(fault));
            assertThat(warn.getThrowableProxy()).isNull();
        }

        @Test
        @DisplayName("three clients started while Consul fails get one WARN about the cached copy, not three")
        void cacheUseWarnedOnce() throws Exception {
            load(settings().build(), "im-gateway");
            consul.failWith(500);
            CoordConfigLoader loader = new CoordConfigLoader(settings().build(), LogCapture.testLogger("consul"),
                    emptyClassPath(dir));
            for (int client = 0; client < 3; client++) {
                assertThat(loader.load("im-gateway").orElseThrow().source()).startsWith("cache ");
            }
            assertThat(logs.at(Level.WARN)).extracting(ILoggingEvent::getFormattedMessage).singleElement()
                    .asString().startsWith("consul gave no configuration; using the last-known-good copy from");
        }

        private String reasonFragment(Fault fault) {
            switch (fault) {
                case NOT_FOUND: return "has no key " + GLOBAL + " (404)";
                case FORBIDDEN: return "refused access reading " + GLOBAL + ": HTTP 403 Forbidden";
                case SERVER_ERROR: return "failed reading " + GLOBAL + ": HTTP 500";
                case REFUSED: return "unreachable reading " + GLOBAL + ": connection refused";
                case STALLED: return "timed out reading " + GLOBAL + ": no answer within 300 ms";
                default: throw new AssertionError(fault);
            }
        }

        @Test
        @DisplayName("each successful load writes the copy, mode 0600, holding the merged configuration")
        void written() throws Exception {
            consul.put(GATEWAY, "producer:\n  lingerMs: 50\n");
            load(settings().build(), "im-gateway");
            Path copy = cacheFile("im-gateway");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy))).isEqualTo("rw-------");
            String text = Files.readString(copy);
            assertThat(text).startsWith("# source: consul " + GLOBAL + " + " + GATEWAY + " at http://" + consul.address());
            assertThat(KafkaYaml.parse(text, "copy").producer().lingerMs()).isEqualTo(50);

            consul.put(GATEWAY, "producer:\n  lingerMs: 60\n");
            load(settings().build(), "im-gateway");
            assertThat(KafkaYaml.parse(Files.readString(copy), "copy").producer().lingerMs()).isEqualTo(60);
        }

        @Test
        @DisplayName("a configuration that fails validation is not cached")
        void invalidNotCached() throws Exception {
            consul.put(GLOBAL, GLOBAL_YAML.replace("compression: lz4", "compression: lz5"));
            failure(settings().build(), "im-logic");
            assertThat(cacheFile("im-logic")).doesNotExist();
        }

        @Test
        @DisplayName("a cache directory that cannot be written is a WARN, not a failure")
        void unwritableCache() throws Exception {
            Path blocker = Files.writeString(dir.resolve("not-a-dir"), "x");
            MqConfig config = load(settings().cacheDir(blocker).build(), "im-logic");
            assertThat(config.producer().lingerMs()).isEqualTo(5);
            assertThat(logs.at(Level.WARN)).extracting(ILoggingEvent::getFormattedMessage)
                    .containsExactly("could not write the last-known-good copy of the configuration");
        }
    }

    @Test
    @DisplayName("the Consul source's toString shows no token")
    void sourceToString() {
        try (ConsulKvSource source = new ConsulKvSource(java.net.URI.create("http://127.0.0.1:1"), TOKEN,
                Duration.ofMillis(100), Duration.ofMillis(100), 0, LogCapture.testLogger("x"))) {
            assertThat(source.toString()).doesNotContain(TOKEN).contains("******");
        }
    }

    @Test
    @DisplayName("a refused connection is found without waiting for the timeouts")
    void refusedPort() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        MqConfigException e = failure(settings().consulAddress("127.0.0.1:" + port).retries(0).build(), "im-logic");
        assertThat(e).hasMessageContaining("unreachable reading " + GLOBAL + ": connection refused;");
    }
}
