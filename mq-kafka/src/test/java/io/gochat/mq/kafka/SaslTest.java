package io.gochat.mq.kafka;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.MqException;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.TestNames;
import io.gochat.mq.testkit.kafka.InProcessKafkaBroker;
import io.gochat.mq.testkit.kafka.KafkaBrokerExtension;
import io.gochat.mq.testkit.kafka.KafkaBrokerSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** SASL PLAIN and SCRAM against a broker with a SASL listener and ACLs. */
class SaslTest {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.dedicated(KafkaBrokerSpec.sasl());

    private static final String WRONG_PASSWORD = "Wr0ng-Passw0rd-9137";

    @BeforeAll
    static void users() {
        InProcessKafkaBroker broker = KAFKA.inProcess();
        broker.createScramUser("SCRAM-SHA-256", "alice", "alice-secret");
        broker.createScramUser("SCRAM-SHA-512", "carol", "carol-secret");
        broker.createScramUser("SCRAM-SHA-256", "mallory", "mallory-secret");
        broker.createScramUser("SCRAM-SHA-256", "dora", "dora-secret");
        broker.allowEverything("alice");
        broker.allowEverything("carol");
        broker.allowEverything(InProcessKafkaBroker.PLAIN_USER);
    }

    private static MqConfig as(String mechanism, String user, String password) {
        return KAFKA.broker().config().toBuilder()
                .common(c -> c.sasl(s -> s.mechanism(mechanism).username(user).password(password)))
                .consumer(c -> c.sessionTimeoutMs(6000).heartbeatIntervalMs(1000))
                .build();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({"PLAIN, plain-user1, plain-user1-secret", "SCRAM-SHA-256, alice, alice-secret",
            "SCRAM-SHA-512, carol, carol-secret"})
    @DisplayName("admin, producer and consumer round trip with each SASL mechanism")
    void roundTrip(String mechanism, String user, String password) throws Exception {
        SecureRoundTrip.roundTrip(as(mechanism, user, password), "sasl-" + mechanism.toLowerCase());
    }

    @Test
    @DisplayName("a wrong password fails sendSync within seconds with a clear error that does not show the password")
    void wrongPasswordProducer() {
        try (Producer producer = Mq.newProducer("sasl", Option.withTransport("kafka"),
                Option.withConfig(as("SCRAM-SHA-256", "alice", WRONG_PASSWORD)))) {
            long t0 = System.nanoTime();
            Throwable error = catchThrowable(() -> producer.sendSync(Message.of(TestNames.topic("wrong"), "k", "v")));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

            assertThat(error).isInstanceOf(MqException.class)
                    .hasMessageContaining("refused the credentials")
                    .hasMessageContaining("SCRAM-SHA-256")
                    .hasMessageContaining("common.security.sasl");
            assertThat(error.getMessage()).doesNotContain(WRONG_PASSWORD);
            assertThat(tookMs).as("ms until the error").isLessThan(10_000);
        }
    }

    @Test
    @DisplayName("a wrong password ends subscribe within seconds with a clear MqException")
    void wrongPasswordConsumer() throws Exception {
        long t0 = System.nanoTime();
        Throwable error = SecureRoundTrip.subscribeFailure(as("PLAIN", InProcessKafkaBroker.PLAIN_USER, WRONG_PASSWORD),
                TestNames.topic("wrong"), Duration.ofSeconds(30));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        assertThat(error).isInstanceOf(MqException.class)
                .hasMessageContaining("refused the credentials")
                .hasMessageContaining("PLAIN");
        assertThat(error.getMessage()).doesNotContain(WRONG_PASSWORD);
        assertThat(tookMs).isLessThan(10_000);
    }

    @Test
    @DisplayName("an authenticated user without ACLs: subscribe ends with an authorization error naming the group or topic")
    void notAuthorized() throws Exception {
        String topic = TestNames.topic("acl");
        try (AdminClient admin = Mq.newAdminClient("sasl", Option.withTransport("kafka"), Option.withConfig(KAFKA.broker().config()))) {
            admin.createTopic(topic, 1, 1);
        }
        Throwable error = SecureRoundTrip.subscribeFailure(as("SCRAM-SHA-256", "mallory", "mallory-secret"), topic,
                Duration.ofSeconds(30));

        assertThat(error).isInstanceOf(MqException.class).hasMessageContaining("not authorized");
        assertThat(error.getMessage()).satisfiesAnyOf(m -> assertThat(m).contains(topic), m -> assertThat(m).contains("group"));
    }

    @Test
    @DisplayName("a dead-letter topic the consumer's user may not write: nothing committed past the message, the refusal"
            + " logged and tried again; once WRITE is granted the dead letter arrives once and the key goes on")
    void deadLetterNotAuthorized() throws Exception {
        String topic = TestNames.topic("dlt-acl");
        String deadLetterTopic = topic + ".dlt";
        DeadLetterScenario.createTopic(KAFKA.broker(), deadLetterTopic, 1);
        // dora may consume the topic (and write it: an idempotent producer needs WRITE on some topic), not the dead letters
        allow("dora", new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL), AclOperation.ALL);
        allow("dora", new ResourcePattern(ResourceType.GROUP, "*", PatternType.LITERAL), AclOperation.ALL);
        MqConfig config = DeadLetterScenario.deadLettering(as("SCRAM-SHA-256", "dora", "dora-secret"));
        try (Admin admin = Admin.create(KAFKA.broker().clientProperties())) {
            DeadLetterScenario.unwritableThenWritable(KAFKA.broker(), admin, config, topic, TestNames.group("dlt-acl"),
                    () -> allow("dora", new ResourcePattern(ResourceType.TOPIC, deadLetterTopic, PatternType.LITERAL),
                            AclOperation.WRITE, AclOperation.DESCRIBE), "not authorized");
        }
    }

    /** Grants {@code user} {@code operations} on {@code resource} and waits until the broker shows them. */
    private static void allow(String user, ResourcePattern resource, AclOperation... operations) {
        List<AclBinding> bindings = Arrays.stream(operations).map(op -> new AclBinding(resource,
                new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW))).collect(Collectors.toList());
        try (Admin admin = Admin.create(KAFKA.broker().clientProperties())) {
            admin.createAcls(bindings).all().get(30, TimeUnit.SECONDS);
            await("ACLs " + bindings + " applied").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS)
                            .containsAll(bindings));
        } catch (Exception e) {
            throw new IllegalStateException("could not grant " + bindings, e);
        }
    }

    @Test
    @DisplayName("an authenticated user without ACLs cannot create topics: the error says so")
    void notAuthorizedToCreate() {
        try (AdminClient admin = Mq.newAdminClient("sasl", Option.withTransport("kafka"),
                Option.withConfig(as("SCRAM-SHA-256", "mallory", "mallory-secret")))) {
            Throwable error = catchThrowable(() -> admin.createTopic(TestNames.topic("acl-create"), 1, 1));
            assertThat(error).isInstanceOf(MqException.class).hasMessageContaining("not authorized");
        }
    }
}
