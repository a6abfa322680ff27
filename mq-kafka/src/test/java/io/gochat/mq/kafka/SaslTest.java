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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

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
    @DisplayName("an authenticated user without ACLs cannot create topics: the error says so")
    void notAuthorizedToCreate() {
        try (AdminClient admin = Mq.newAdminClient("sasl", Option.withTransport("kafka"),
                Option.withConfig(as("SCRAM-SHA-256", "mallory", "mallory-secret")))) {
            Throwable error = catchThrowable(() -> admin.createTopic(TestNames.topic("acl-create"), 1, 1));
            assertThat(error).isInstanceOf(MqException.class).hasMessageContaining("not authorized");
        }
    }
}
