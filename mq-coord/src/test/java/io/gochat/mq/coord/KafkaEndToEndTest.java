package io.gochat.mq.coord;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.gochat.mq.AdminClient;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Producer;
import io.gochat.mq.testkit.RecordingConsumer;
import io.gochat.mq.testkit.consul.RecordedRequest;
import io.gochat.mq.testkit.consul.TestConsulServer;
import io.gochat.mq.testkit.kafka.InProcessKafkaBroker;
import io.gochat.mq.testkit.kafka.KafkaBrokerSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End to end: {@code kafka.yaml} lives in the test Consul (ACL on), the in-process Kafka broker
 * (SASL/PLAIN) is named only there, and {@code Mq.newProducer}/{@code Mq.newConsumer} are called
 * with no {@code Option.withConfig}. The global YAML overrides im-gateway's producer; im-logic's own
 * key starts its consumers at {@code earliest} (the global default is {@code latest}) and gives its
 * clients the id prefix {@code logic}. Both differences are observed from outside: which messages
 * a new group gets, and the client id the broker reports for the group's member.
 */
class KafkaEndToEndTest {
    private static final List<String> PROPERTIES = List.of("mq.config.file", "mq.consul.addr", "mq.consul.token",
            "mq.env", "mq.config.cache.dir", "mq.consul.readTimeoutMs", "mq.transport");
    private static final String TOKEN = "e2e-token-" + UUID.randomUUID();
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static InProcessKafkaBroker broker;

    @TempDir
    Path cacheDir;
    private final Map<String, String> saved = new HashMap<>();
    private TestConsulServer consul;
    private LogCapture logs;

    @BeforeAll
    static void startBroker() {
        broker = InProcessKafkaBroker.start(KafkaBrokerSpec.sasl());
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void setUp() {
        PROPERTIES.forEach(p -> saved.put(p, System.getProperty(p)));
        PROPERTIES.forEach(System::clearProperty);
        consul = new TestConsulServer().start().requiredToken(TOKEN);
        consul.put("config/e2e/global/kafka.yaml", String.join("\n",
                "transport: kafka",
                "common:",
                "  brokers: [\"" + broker.bootstrapServers() + "\"]",
                "  security:",
                "    sasl:",
                "      mechanism: PLAIN",
                "      username: " + InProcessKafkaBroker.PLAIN_ADMIN,
                "      password: " + InProcessKafkaBroker.PLAIN_ADMIN_PASSWORD,
                "producer:",
                "  lingerMs: 0",
                "  compression: lz4",
                "consumer:",
                "  autoOffsetReset: latest",
                "  autoCommitIntervalMs: 200",
                "  sessionTimeoutMs: 10000",
                "  heartbeatIntervalMs: 1000",
                "services:",
                "  im-gateway:",
                "    producer:",
                "      compression: zstd",
                ""));
        consul.put("config/e2e/im-logic/kafka.yaml", String.join("\n",
                "common:",
                "  clientIDPrefix: logic",
                "consumer:",
                "  autoOffsetReset: earliest",
                ""));
        System.setProperty("mq.consul.addr", consul.address());
        System.setProperty("mq.consul.token", TOKEN);
        System.setProperty("mq.env", "e2e");
        System.setProperty("mq.config.cache.dir", cacheDir.toString());
        logs = LogCapture.all();
    }

    @AfterEach
    void tearDown() {
        try {
            for (String line : logs.lines()) {
                assertThat(line).as("log line").doesNotContain(TOKEN)
                        .doesNotContain(InProcessKafkaBroker.PLAIN_ADMIN_PASSWORD);
            }
            for (RecordedRequest r : consul.requests()) {
                assertThat(r.uri()).as("Consul request URI").doesNotContain(TOKEN).doesNotContain("token=");
            }
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

    @Test
    @DisplayName("clients created with no withConfig reach the broker named in Consul, and each service gets its own overrides")
    void overridesTakeEffectPerService() throws Exception {
        String topic = "e2e-orders-" + UUID.randomUUID();
        String logicGroup = "im-logic-group-" + UUID.randomUUID();
        String pushGroup = "im-push-group-" + UUID.randomUUID();
        try (AdminClient admin = Mq.newAdminClient("im-gateway")) {
            admin.createTopic(topic, 1, 1);
        }

        try (Producer producer = Mq.newProducer("im-gateway")) {
            producer.sendSync(Message.of(topic, "k", "before-1"));
            producer.sendSync(Message.of(topic, "k", "before-2"));

            // im-logic: its own Consul key says earliest, so a new group reads what was there before it
            try (RecordingConsumer logic = RecordingConsumer.start(Mq.newConsumer("im-logic", logicGroup), List.of(topic))) {
                logic.awaitReceived("before-1 and before-2", m -> values(m).containsAll(List.of("before-1", "before-2")), WAIT);
                assertThat(values(logic.received())).startsWith("before-1", "before-2");
                assertThat(memberClientIds(logicGroup)).singleElement().asString().startsWith("logic-im-logic");
            }

            // im-push: no override, so the global latest applies: only what is sent after it joined arrives
            try (RecordingConsumer push = RecordingConsumer.start(Mq.newConsumer("im-push", pushGroup), List.of(topic))) {
                await("im-push receives a message sent after it joined").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> {
                            producer.sendSync(Message.of(topic, "k", "after"));
                            assertThat(values(push.received())).contains("after");
                        });
                assertThat(values(push.received())).doesNotContain("before-1", "before-2").containsOnly("after");
                assertThat(memberClientIds(pushGroup)).singleElement().asString().startsWith("gochat-im-push");
            }
        }

        List<ILoggingEvent> created = logs.at(Level.INFO).stream()
                .filter(e -> e.getFormattedMessage().equals("mq client created")).collect(Collectors.toList());
        assertThat(created).extracting(e -> LogCapture.value(e, "kind") + " " + LogCapture.value(e, "service")
                        + " " + LogCapture.value(e, "transport") + " " + LogCapture.value(e, "clientId"))
                .containsExactly("admin im-gateway kafka gochat-im-gateway", "producer im-gateway kafka gochat-im-gateway",
                        "consumer im-logic kafka logic-im-logic", "consumer im-push kafka gochat-im-push");
        assertThat(String.valueOf(LogCapture.value(created.get(1), "config")))
                .contains("compression=zstd").contains("password=******");
        assertThat(String.valueOf(LogCapture.value(created.get(2), "config")))
                .contains("compression=lz4").contains("autoOffsetReset=earliest").contains("password=******");
        assertThat(String.valueOf(LogCapture.value(created.get(3), "config")))
                .contains("compression=lz4").contains("autoOffsetReset=latest");
        assertThat(consul.requests()).isNotEmpty()
                .allSatisfy(r -> assertThat(r.header(TestConsulServer.TOKEN_HEADER)).hasValue(TOKEN));
    }

    private static List<String> values(List<Message> messages) {
        return messages.stream().map(Message::valueAsString).collect(Collectors.toList());
    }

    /** The client ids the broker reports for the members of {@code group}, once it has members. */
    private static List<String> memberClientIds(String group) {
        try (Admin admin = broker.admin()) {
            return await("members of " + group).atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                        .get(10, TimeUnit.SECONDS);
                return d.members().stream().map(MemberDescription::clientId).collect(Collectors.toList());
            }, ids -> !ids.isEmpty());
        }
    }
}
