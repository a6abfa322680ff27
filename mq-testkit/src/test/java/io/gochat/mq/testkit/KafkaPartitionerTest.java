package io.gochat.mq.testkit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaPartitionerTest {

    @Test
    @DisplayName("murmur2 gives the values of Kafka's own UtilsTest.testMurmur2")
    void murmur2MatchesKafka() {
        assertThat(KafkaPartitioner.murmur2(bytes("21"))).isEqualTo(-973932308);
        assertThat(KafkaPartitioner.murmur2(bytes("foobar"))).isEqualTo(-790332482);
        assertThat(KafkaPartitioner.murmur2(bytes("a-little-bit-long-string"))).isEqualTo(-985981536);
        assertThat(KafkaPartitioner.murmur2(bytes("a-little-bit-longer-string"))).isEqualTo(-1486304829);
        assertThat(KafkaPartitioner.murmur2(bytes("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"))).isEqualTo(-58897971);
        assertThat(KafkaPartitioner.murmur2(new byte[] {'a', 'b', 'c'})).isEqualTo(479470107);
    }

    @Test
    @DisplayName("a partition is the positive hash modulo the partition count")
    void partitionIsPositiveHashModuloCount() {
        assertThat(KafkaPartitioner.partition(bytes("21"), 7)).isEqualTo((-973932308 & 0x7fffffff) % 7);
        for (int i = 0; i < 200; i++) {
            assertThat(KafkaPartitioner.partition(bytes("key-" + i), 5)).isBetween(0, 4);
        }
    }

    @Test
    @DisplayName("a null key or a partition count below 1 is refused, naming it")
    void badInput() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KafkaPartitioner.partition(null, 3))
                .hasMessageStartingWith("key must not be null");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KafkaPartitioner.partition(bytes("k"), 0))
                .hasMessage("partitions: expected at least 1 but was 0");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
