package io.gochat.mq.kafka;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.TestNames;
import io.gochat.mq.testkit.kafka.KafkaBrokerExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The new consumer group protocol (KIP-848), chosen through pass-through properties. */
class GroupProtocolTest {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

    @Test
    @DisplayName("group.protocol=consumer works: session and heartbeat are not sent, and a second member after a clean close starts after the last commit")
    void consumerProtocol() throws Exception {
        // the configuration keeps sessionTimeoutMs/heartbeatIntervalMs; Kafka refuses them with this protocol
        MqConfig config = KafkaFixture.testConfig(KAFKA.broker()).toBuilder()
                .consumer(c -> c.autoOffsetReset("earliest").autoCommitIntervalMs(200).property("group.protocol", "consumer"))
                .build();
        String topic = TestNames.topic("kip848");
        String group = TestNames.group("kip848");
        try (AdminClient admin = Mq.newAdminClient("kip848", Option.withTransport("kafka"), Option.withConfig(config))) {
            admin.createTopic(topic, 2, 1);
        }
        try (Producer producer = Mq.newProducer("kip848", Option.withTransport("kafka"), Option.withConfig(config))) {
            for (int i = 0; i < 20; i++) {
                producer.sendSync(Message.of(topic, "k" + i, "first-" + i));
            }
        }
        Set<String> first = consumeUntil(config, group, topic, 20);
        try (Producer producer = Mq.newProducer("kip848", Option.withTransport("kafka"), Option.withConfig(config))) {
            for (int i = 0; i < 10; i++) {
                producer.sendSync(Message.of(topic, "k" + i, "second-" + i));
            }
        }
        Set<String> second = consumeUntil(config, group, topic, 10);

        assertThat(first).isEqualTo(IntStream.range(0, 20).mapToObj(i -> "first-" + i).collect(Collectors.toSet()));
        assertThat(second).as("after a clean close nothing is repeated")
                .isEqualTo(IntStream.range(0, 10).mapToObj(i -> "second-" + i).collect(Collectors.toSet()));
    }

    private static Set<String> consumeUntil(MqConfig config, String group, String topic, int count) throws Exception {
        Set<String> got = ConcurrentHashMap.newKeySet();
        List<String> all = new java.util.concurrent.CopyOnWriteArrayList<>();
        Consumer consumer = Mq.newConsumer("kip848", group, Option.withTransport("kafka"), Option.withConfig(config));
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        new Thread(() -> {
            try {
                consumer.subscribe(List.of(topic), m -> {
                    got.add(m.valueAsString());
                    all.add(m.valueAsString());
                });
                ended.complete(null);
            } catch (Throwable t) {
                ended.complete(t);
            }
        }).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> got.size() >= count || ended.isDone());
        } finally {
            consumer.close();
        }
        assertThat(ended.get(60, TimeUnit.SECONDS)).as("subscribe error").isNull();
        assertThat(all).as("no repeats within one member").doesNotHaveDuplicates();
        return got;
    }
}
