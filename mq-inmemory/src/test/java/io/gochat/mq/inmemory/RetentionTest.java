package io.gochat.mq.inmemory;

import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.inmemory.junit.InMemoryMqExtension;
import io.gochat.mq.testkit.RecordingConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.stream.LongStream;

import static io.gochat.mq.inmemory.Clients.TIMEOUT;
import static io.gochat.mq.inmemory.CommittedOffsetsTest.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DisplayName("Retention")
class RetentionTest {
    @RegisterExtension
    static final InMemoryMqExtension MQ = InMemoryMqExtension.with(InMemoryBroker.builder().retentionPerPartition(10));

    private LogCapture warnings;

    @BeforeEach
    void recordConsumerLogs() {
        warnings = LogCapture.of("io.gochat.mq.consumer");
    }

    @AfterEach
    void stopRecording() {
        warnings.close();
    }

    @Test
    @DisplayName("keeps the newest messages of a partition and moves its log-start offset forward")
    void dropsOldest(InMemoryBroker broker) {
        Clients.createTopic("retention.drop", 1);
        send("retention.drop", 25);

        assertThat(broker.retentionPerPartition()).isEqualTo(10);
        assertThat(broker.logStartOffset("retention.drop", 0)).isEqualTo(15);
        assertThat(broker.logEndOffset("retention.drop", 0)).isEqualTo(25);
        assertThat(broker.messages("retention.drop")).extracting(Message::offset)
                .containsExactlyElementsOf(LongStream.range(15, 25).boxed().toList());
    }

    @Test
    @DisplayName("a broker built with a byte bound keeps about that many bytes per partition")
    void byteBound() {
        try (InMemoryBroker bytes = InMemoryBroker.builder().name("retention-bytes").retentionBytesPerPartition(64 * 1024).build();
             Producer producer = Mq.newProducer("svc", Option.withTransport("inmemory"), Option.withConfig(MqConfig.builder()
                     .common(c -> c.property(InMemoryBroker.BROKER_PROPERTY, "retention-bytes")).build()))) {
            assertThat(bytes.retentionBytesPerPartition()).isEqualTo(64 * 1024);
            byte[] value = new byte[1000];
            for (int i = 0; i < 1_000; i++) {
                producer.sendSync(Message.builder("retention.bytes").key("same-key").value(value).build());
            }
            int partition = bytes.messages("retention.bytes").get(0).partition();
            long retained = bytes.logEndOffset("retention.bytes", partition) - bytes.logStartOffset("retention.bytes", partition);
            // 1,024 bytes per record (key, value, lengths): at most 64, at least 64 minus one 8 KiB chunk
            assertThat(retained).isBetween(55L, 64L);
            assertThat(bytes.messages("retention.bytes")).hasSize((int) retained);
        }
    }

    @Test
    @DisplayName("a group whose committed offset fell below the log start resumes at the oldest retained message with earliest")
    void resetToEarliest(InMemoryBroker broker) {
        String topic = "retention.earliest";
        Clients.createTopic(topic, 1);
        send(topic, 5);
        RecordingConsumer first = Clients.start("g", Clients.earliest(), topic);
        first.awaitCount(5, TIMEOUT);
        first.close();
        assertThat(broker.committedOffset("g", topic, 0)).hasValue(5);

        send(topic, 5, 30);
        try (RecordingConsumer second = Clients.start("g", Clients.earliest(), topic)) {
            second.awaitCount(10, TIMEOUT);
            assertThat(second.received()).extracting(Message::offset)
                    .containsExactlyElementsOf(LongStream.range(25, 35).boxed().toList());
        }
        assertThat(warnings.events()).anySatisfy(event -> {
            assertThat(event.getFormattedMessage()).contains("below the log-start offset");
            assertThat(event.getKeyValuePairs()).anySatisfy(kv -> {
                assertThat(kv.key).isEqualTo("position");
                assertThat(kv.value).isEqualTo(5L);
            });
            assertThat(event.getKeyValuePairs()).anySatisfy(kv -> {
                assertThat(kv.key).isEqualTo("resetTo");
                assertThat(kv.value).isEqualTo(25L);
            });
        });
    }

    @Test
    @DisplayName("a group whose committed offset fell below the log start skips to the end with latest")
    void resetToLatest(InMemoryBroker broker) {
        String topic = "retention.latest";
        Clients.createTopic(topic, 1);
        RecordingConsumer first = Clients.start("g", Clients.config("latest", Clients.NO_AUTO_COMMIT), topic);
        await().atMost(TIMEOUT).until(() -> broker.committedOffset("g", topic, 0).isPresent());
        send(topic, 5);
        first.awaitCount(5, TIMEOUT);
        first.close();

        send(topic, 5, 30);
        try (RecordingConsumer second = Clients.start("g", Clients.config("latest", Clients.NO_AUTO_COMMIT), topic)) {
            await().atMost(TIMEOUT).until(() -> warnings.events().stream()
                    .anyMatch(e -> e.getFormattedMessage().contains("below the log-start offset")));
            send(topic, 35, 2);
            second.awaitCount(2, TIMEOUT);
            await().during(Duration.ofMillis(200)).atMost(TIMEOUT).until(() -> second.count() == 2);
            assertThat(second.received()).extracting(Message::valueAsString).containsExactly("35", "36");
        }
    }
}
