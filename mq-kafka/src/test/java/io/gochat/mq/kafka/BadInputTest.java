package io.gochat.mq.kafka;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.MqConfigException;
import io.gochat.mq.MqException;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.TestNames;
import io.gochat.mq.testkit.kafka.KafkaBrokerExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Bad input gets a clear error in bounded time, never a hang. */
class BadInputTest {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

    private static MqConfig config() {
        return KafkaFixture.testConfig(KAFKA.broker());
    }

    private static Producer producer(MqConfig config) {
        return Mq.newProducer("bad-input", Option.withTransport("kafka"), Option.withConfig(config));
    }

    @Test
    @DisplayName("a message above max.request.size fails to its callback, once, naming the limit; the producer goes on")
    void oversizedMessage() throws Exception {
        String topic = TestNames.topic("oversized");
        try (AdminClient admin = Mq.newAdminClient("bad-input", Option.withTransport("kafka"), Option.withConfig(config()))) {
            admin.createTopic(topic, 1, 1);
        }
        MqConfig config = config().toBuilder().producer(p -> p.property("max.request.size", "100000")).build();
        try (Producer producer = producer(config)) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            AtomicInteger calls = new AtomicInteger();
            producer.send(Message.of(topic, "big".getBytes(), new byte[200_000]), error -> {
                calls.incrementAndGet();
                outcome.complete(error);
            });
            Throwable error = outcome.get(30, TimeUnit.SECONDS);

            assertThat(error).isInstanceOf(MqException.class)
                    .hasMessageContaining(topic)
                    .hasMessageContaining("max.request.size")
                    .hasMessageContaining("100000");
            producer.sendSync(Message.of(topic, "small", "still works"));
            assertThat(calls).hasValue(1);
        }
    }

    @Test
    @DisplayName("sending to a topic that does not exist (auto-creation off) fails clearly within max.block.ms")
    void missingTopic() {
        String topic = TestNames.topic("never-created");
        MqConfig config = config().toBuilder().producer(p -> p.property("max.block.ms", "3000")).build();
        try (Producer producer = producer(config)) {
            long started = System.nanoTime();
            Throwable error = catchThrowable(() -> producer.sendSync(Message.of(topic, "k", "v")));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            assertThat(error).isInstanceOf(MqException.class)
                    .hasMessageContaining(topic)
                    .hasMessageContaining("does not exist")
                    .hasMessageContaining("AdminClient.createTopic");
            assertThat(tookMs).as("ms until the error").isLessThan(20_000);
        }
    }

    @Test
    @DisplayName("an unknown host in common.brokers is a clear error naming it, within seconds")
    void unknownHost() {
        MqConfig config = MqConfig.builder().source("test config")
                .common(c -> c.brokers("no-such-broker.invalid:9092"))
                .producer(p -> p.deliveryTimeoutMs(5000))
                .build();
        long started = System.nanoTime();
        Throwable error = catchThrowable(() -> {
            try (Producer producer = producer(config)) {
                producer.sendSync(Message.of("any-topic", "k", "v"));
            }
        });
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(error).isInstanceOf(MqException.class).hasMessageContaining("no-such-broker.invalid:9092");
        assertThat(tookMs).as("ms until the error").isLessThan(20_000);
    }

    @Test
    @DisplayName("empty common.brokers is refused when the client is created, naming the key and the source")
    void emptyBrokers() {
        MqConfig config = MqConfig.builder().source("file /etc/gochat/kafka.yaml").build();

        assertThatThrownBy(() -> producer(config))
                .isInstanceOf(MqConfigException.class)
                .hasMessageContaining("common.brokers")
                .hasMessageContaining("file /etc/gochat/kafka.yaml");
        assertThatThrownBy(() -> Mq.newConsumer("bad-input", "g", Option.withTransport("kafka"), Option.withConfig(config)))
                .isInstanceOf(MqConfigException.class)
                .hasMessageContaining("common.brokers");
    }

    @Test
    @DisplayName("createTopic with more replicas than brokers reports the broker's reason")
    void createTopicRefused() {
        String topic = TestNames.topic("too-many-replicas");
        try (AdminClient admin = Mq.newAdminClient("bad-input", Option.withTransport("kafka"), Option.withConfig(config()))) {
            assertThatThrownBy(() -> admin.createTopic(topic, 1, 3))
                    .isInstanceOf(MqException.class)
                    .hasMessageContaining(topic)
                    .hasMessageContaining("replicationFactor=3")
                    .hasMessageContaining("InvalidReplicationFactorException");
        }
    }

    @Test
    @DisplayName("a subscribe to a topic that does not exist waits instead of failing, and close still ends it")
    void subscribeToMissingTopicWaits() throws Exception {
        io.gochat.mq.Consumer consumer = Mq.newConsumer("bad-input", TestNames.group("missing"), Option.withTransport("kafka"),
                Option.withConfig(config()));
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread loop = new Thread(() -> {
            try {
                consumer.subscribe(java.util.List.of(TestNames.topic("not-yet")), m -> { });
                ended.complete(null);
            } catch (Throwable t) {
                ended.complete(t);
            }
        });
        loop.start();
        org.awaitility.Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> !ended.isDone());
        consumer.close();
        assertThat(ended.get(60, TimeUnit.SECONDS)).as("what subscribe threw").isNull();
    }
}
