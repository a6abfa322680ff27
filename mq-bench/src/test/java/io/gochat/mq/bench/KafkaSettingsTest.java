package io.gochat.mq.bench;

import io.gochat.mq.config.MqConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaSettingsTest {

    @Test
    @DisplayName("config(n) is the same configuration with consumer.concurrency n; config() keeps the default 1")
    void concurrency() {
        KafkaSettings settings = new KafkaSettings("k1:9092", "earliest");

        MqConfig c64 = settings.config(64);

        assertThat(settings.config().consumer().concurrency()).isEqualTo(1);
        assertThat(c64.consumer().concurrency()).isEqualTo(64);
        assertThat(c64.consumer().autoOffsetReset()).isEqualTo("earliest");
        assertThat(c64.common().brokers()).containsExactly("k1:9092");
        assertThat(c64.toBuilder().consumer(c -> c.concurrency(1)).build().toString())
                .isEqualTo(settings.config().toString());
    }
}
