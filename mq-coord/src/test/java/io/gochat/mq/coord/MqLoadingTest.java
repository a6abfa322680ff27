package io.gochat.mq.coord;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.gochat.mq.Consumer;
import io.gochat.mq.Mq;
import io.gochat.mq.MqConfigException;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.spi.ClientSpec;
import io.gochat.mq.testkit.consul.TestConsulServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code Mq} finds this loader through {@link java.util.ServiceLoader} and creates clients from
 * Consul's configuration with no {@code Option.withConfig}; the transport is a recorder of the
 * configuration it is given.
 */
class MqLoadingTest {
    private static final List<String> PROPERTIES = List.of("mq.config.file", "mq.consul.addr", "mq.consul.token",
            "mq.env", "mq.config.cache.dir", "mq.consul.readTimeoutMs", "mq.consul.retries", "mq.transport");
    private static final String PASSWORD = "sasl-" + UUID.randomUUID();
    private static final String TOKEN = "token-" + UUID.randomUUID();

    @TempDir
    Path dir;
    private final Map<String, String> saved = new HashMap<>();
    private TestConsulServer consul;
    private LogCapture logs;

    @BeforeEach
    void setUp() {
        PROPERTIES.forEach(p -> saved.put(p, System.getProperty(p)));
        PROPERTIES.forEach(System::clearProperty);
        consul = new TestConsulServer().start().requiredToken(TOKEN);
        consul.put("config/it/global/kafka.yaml", String.join("\n",
                "transport: recording",
                "common:",
                "  brokers: [\"kafka-1:9092\"]",
                "  security:",
                "    sasl: {mechanism: PLAIN, username: gochat, password: " + PASSWORD + "}",
                "producer:",
                "  compression: lz4",
                "services:",
                "  im-gateway:",
                "    producer: {compression: zstd}",
                ""));
        consul.put("config/it/im-logic/kafka.yaml", "consumer:\n  autoOffsetReset: earliest\n");
        System.setProperty("mq.consul.addr", consul.url());
        System.setProperty("mq.consul.token", TOKEN);
        System.setProperty("mq.env", "it");
        System.setProperty("mq.config.cache.dir", dir.toString());
        System.setProperty("mq.consul.readTimeoutMs", "1000");
        System.setProperty("mq.consul.retries", "0");
        RecordingTransport.SPECS.clear();
        logs = LogCapture.all();
    }

    @AfterEach
    void tearDown() {
        try {
            assertThat(logs.lines()).allSatisfy(line -> assertThat(line).doesNotContain(PASSWORD).doesNotContain(TOKEN));
        } finally {
            logs.close();
            consul.close();
            saved.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
    }

    private ClientSpec spec(String service) {
        return RecordingTransport.SPECS.stream().filter(s -> s.serviceName().equals(service)).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    @DisplayName("newProducer and newConsumer with no withConfig get Consul's configuration, each with its own overrides")
    void overridesPerService() {
        Producer producer = Mq.newProducer("im-gateway");
        Consumer consumer = Mq.newConsumer("im-logic", "im-logic-group");
        try {
            MqConfig gateway = spec("im-gateway").config();
            MqConfig logic = spec("im-logic").config();

            assertThat(gateway.source()).isEqualTo("consul config/it/global/kafka.yaml");
            assertThat(gateway.producer().compression()).isEqualTo("zstd");
            assertThat(gateway.consumer().autoOffsetReset()).isEqualTo("latest");

            assertThat(logic.source()).isEqualTo("consul config/it/global/kafka.yaml + config/it/im-logic/kafka.yaml");
            assertThat(logic.producer().compression()).isEqualTo("lz4");
            assertThat(logic.consumer().autoOffsetReset()).isEqualTo("earliest");
            assertThat(spec("im-logic").groupId()).isEqualTo("im-logic-group");
            assertThat(spec("im-logic").clientId()).isEqualTo("gochat-im-logic");
        } finally {
            producer.close();
            consumer.close();
        }
    }

    @Test
    @DisplayName("the effective configuration of each client is logged once at INFO, with the password masked")
    void effectiveConfigLoggedOnce() {
        Producer producer = Mq.newProducer("im-gateway");
        Consumer consumer = Mq.newConsumer("im-logic", "im-logic-group");
        try {
            List<ILoggingEvent> created = logs.at(Level.INFO).stream()
                    .filter(e -> e.getFormattedMessage().equals("mq client created")).collect(Collectors.toList());
            assertThat(created).hasSize(2);
            assertThat(created).extracting(e -> LogCapture.value(e, "service")).containsExactly("im-gateway", "im-logic");
            String gatewayConfig = String.valueOf(LogCapture.value(created.get(0), "config"));
            String logicConfig = String.valueOf(LogCapture.value(created.get(1), "config"));
            assertThat(gatewayConfig).contains("compression=zstd").contains("password=******").doesNotContain(PASSWORD);
            assertThat(logicConfig).contains("compression=lz4").contains("autoOffsetReset=earliest")
                    .contains("password=******").doesNotContain(PASSWORD);
            assertThat(logs.at(Level.INFO).stream().filter(e -> e.getFormattedMessage().equals("mq configuration loaded")))
                    .hasSize(2);
        } finally {
            producer.close();
            consumer.close();
        }
    }

    @Test
    @DisplayName("an unknown key is warned about once for three clients, and once more when the configuration changes")
    void unknownKeyWarnedOncePerConfiguration() {
        String brokers = "transport: recording\ncommon:\n  brokers: [\"kafka-" + UUID.randomUUID() + ":9092\"]\n";
        consul.put("config/it/global/kafka.yaml", brokers + "producer:\n  lingerMS: 1\n");
        List<AutoCloseable> clients = new java.util.ArrayList<>();
        try {
            clients.add(Mq.newProducer("im-gateway"));
            clients.add(Mq.newConsumer("im-gateway", "im-gateway-group"));
            clients.add(Mq.newAdminClient("im-gateway"));
            assertThat(unknownKeyWarnings()).containsExactly(
                    "unknown key producer.lingerMS (consul config/it/global/kafka.yaml); did you mean lingerMs?");

            consul.put("config/it/global/kafka.yaml", brokers + "producer:\n  lingerMS: 2\n");
            clients.add(Mq.newProducer("im-gateway"));
            clients.add(Mq.newProducer("im-gateway"));
            assertThat(unknownKeyWarnings()).hasSize(2);
        } finally {
            clients.forEach(c -> {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    private List<String> unknownKeyWarnings() {
        return logs.at(Level.WARN).stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith("unknown key")).collect(Collectors.toList());
    }

    @Test
    @DisplayName("when Consul is down at start-up, the service starts on its last-known-good copy")
    void startsFromCacheWhenConsulIsDown() {
        Mq.newProducer("im-gateway").close();
        consul.close();
        RecordingTransport.SPECS.clear();

        Mq.newProducer("im-gateway").close();
        MqConfig config = spec("im-gateway").config();
        assertThat(config.source()).startsWith("cache " + dir);
        assertThat(config.producer().compression()).isEqualTo("zstd");
        assertThat(logs.at(Level.WARN)).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(m -> assertThat(m).startsWith("consul gave no configuration; using the last-known-good copy from"));
    }

    @Test
    @DisplayName("when Consul is down and there is no copy, newProducer fails saying Consul was unreachable and where")
    void failsWhenConsulIsDownWithoutCache() {
        String address = consul.url();
        consul.close();
        assertThatThrownBy(() -> Mq.newProducer("im-gateway"))
                .isInstanceOf(MqConfigException.class)
                .hasMessageStartingWith("Consul at " + address + " (system property mq.consul.addr) unreachable reading"
                        + " config/it/global/kafka.yaml: connection refused; no last-known-good copy in ");
    }

    @Test
    @DisplayName("with no configuration anywhere, the error lists each place tried")
    void nothingAnywhere() {
        System.clearProperty("mq.consul.addr");
        assertThatThrownBy(() -> Mq.newProducer("im-gateway"))
                .isInstanceOf(MqConfigException.class)
                .hasMessageContaining("No configuration for service 'im-gateway': tried a local file (-Dmq.config.file"
                        + " / MQ_CONFIG_FILE: not set), Consul KV (-Dmq.consul.addr / CONSUL_HTTP_ADDR: not set),"
                        + " class path resource kafka.yaml (not found)");
    }
}
