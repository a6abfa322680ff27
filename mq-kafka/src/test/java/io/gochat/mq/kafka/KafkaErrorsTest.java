package io.gochat.mq.kafka;

import io.gochat.mq.MqException;
import io.gochat.mq.MqTimeoutException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The wording of a failed send's timeouts (no broker: Kafka's exceptions as Kafka words them). */
class KafkaErrorsTest {
    private static final Map<String, Object> PROPS = Map.of("bootstrap.servers", "kafka-1:9092,kafka-2:9092",
            "max.block.ms", "60000", "delivery.timeout.ms", "120000");
    private static final TimeoutException NO_METADATA =
            new TimeoutException("Topic chat-events not present in metadata after 60000 ms.");
    private static final TimeoutException EXPIRED =
            new TimeoutException("Expiring 3 record(s) for chat-events-0:120004 ms has passed since batch creation");

    @Test
    @DisplayName("no metadata while no broker is connected: the brokers are named as unreachable, no word of a missing topic")
    void noMetadataWithBrokersAway() {
        MqException e = KafkaErrors.send("chat-events", NO_METADATA, PROPS, () -> true);

        assertThat(e).isInstanceOf(MqTimeoutException.class).hasCause(NO_METADATA)
                .hasMessageContaining("chat-events")
                .hasMessageContaining("no broker could be reached within max.block.ms=60000 ms")
                .hasMessageContaining("kafka-1:9092,kafka-2:9092")
                .hasMessageNotContaining("does not exist");
    }

    @Test
    @DisplayName("no metadata while a broker is connected: the topic may not exist, create it")
    void noMetadataWithBrokersThere() {
        MqException e = KafkaErrors.send("chat-events", NO_METADATA, PROPS, () -> false);

        assertThat(e).isInstanceOf(MqTimeoutException.class)
                .hasMessageContaining("the topic does not exist or this client may not see it")
                .hasMessageContaining("AdminClient.createTopic")
                .hasMessageContaining("kafka-1:9092,kafka-2:9092");
    }

    @Test
    @DisplayName("an expired batch while no broker is connected names the unreachable brokers and the delivery bound")
    void expiredWithBrokersAway() {
        MqException e = KafkaErrors.send("chat-events", EXPIRED, PROPS, () -> true);

        assertThat(e).isInstanceOf(MqTimeoutException.class).hasCause(EXPIRED)
                .hasMessageContaining("no broker could be reached within producer.deliveryTimeoutMs=120000 ms")
                .hasMessageContaining("kafka-1:9092,kafka-2:9092")
                .hasMessageContaining("Expiring 3 record(s)");
    }

    @Test
    @DisplayName("an expired batch while a broker is connected says it was not acknowledged in time, naming the brokers")
    void expiredWithBrokersThere() {
        MqException e = KafkaErrors.send("chat-events", EXPIRED, PROPS, () -> false);

        assertThat(e).isInstanceOf(MqTimeoutException.class)
                .hasMessageContaining("was not acknowledged within producer.deliveryTimeoutMs=120000 ms")
                .hasMessageContaining("kafka-1:9092,kafka-2:9092")
                .hasMessageNotContaining("could be reached");
    }

    @Test
    @DisplayName("only a timeout asks whether a broker is connected")
    void connectionCheckedOnlyOnTimeout() {
        MqException e = KafkaErrors.send("chat-events", new IllegalStateException("boom"), PROPS, () -> {
            throw new AssertionError("asked for a failure that is not a timeout");
        });

        assertThat(e).hasMessageContaining("chat-events").hasMessageContaining("boom");
    }
}
