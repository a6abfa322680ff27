package io.gochat.mq.inmemory;

import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.inmemory.junit.InMemoryMqExtension;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Key partitioner")
class KeyPartitionerTest {
    private static final int[] PARTITION_COUNTS = {1, 2, 3, 4, 6, 7, 12, 16, 50, 100, 1000};

    @Test
    @DisplayName("murmur2 equals Kafka's Utils.murmur2 for random keys of every length up to 64 bytes")
    void murmur2EqualsKafkas() {
        Random random = new Random(20240607L);
        for (int i = 0; i < 20_000; i++) {
            byte[] key = new byte[i % 65];
            random.nextBytes(key);
            assertThat(KeyPartitioner.murmur2(key)).as("murmur2 of %d random bytes", key.length)
                    .isEqualTo(Utils.murmur2(key));
        }
    }

    @Test
    @DisplayName("a key lands on the partition Kafka's built-in partitioner picks, for several partition counts")
    void partitionEqualsKafkas() {
        Random random = new Random(42L);
        for (int i = 0; i < 10_000; i++) {
            byte[] key = new byte[1 + random.nextInt(40)];
            random.nextBytes(key);
            for (int partitions : PARTITION_COUNTS) {
                int expected = Utils.toPositive(Utils.murmur2(key)) % partitions;
                assertThat(KeyPartitioner.partition(key, partitions)).isEqualTo(expected)
                        .isEqualTo(BuiltInPartitioner.partitionForKey(key, partitions));
            }
        }
    }

    @Test
    @DisplayName("toPositive keeps Integer.MIN_VALUE and negative hashes non-negative as Kafka does")
    void toPositiveEqualsKafkas() {
        for (int n : new int[] {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, -123_456_789}) {
            assertThat(KeyPartitioner.toPositive(n)).isEqualTo(Utils.toPositive(n)).isNotNegative();
        }
    }

    @Test
    @DisplayName("UTF-8 string keys sent through a producer are stored on Kafka's partition")
    @ExtendWith(InMemoryMqExtension.class)
    void producerPutsKeysWhereKafkaWould(InMemoryBroker broker) {
        String topic = "partitioner.keys";
        try (Producer producer = Mq.newProducer("partitioner-test", Option.withTransport("inmemory"))) {
            for (int i = 0; i < 2_000; i++) {
                producer.sendSync(Message.of(topic, "user-" + i + "-\u00e9\u4e2d", "v" + i));
            }
        }
        int partitions = broker.partitions(topic);
        assertThat(partitions).isEqualTo(InMemoryBroker.DEFAULT_PARTITIONS);
        assertThat(broker.messages(topic)).hasSize(2_000).allSatisfy(message -> {
            byte[] key = message.keyAsString().getBytes(StandardCharsets.UTF_8);
            assertThat(message.partition()).as("partition of key %s", message.keyAsString())
                    .isEqualTo(Utils.toPositive(Utils.murmur2(key)) % partitions);
        });
    }

    @Test
    @DisplayName("messages without a key are spread over every partition")
    @ExtendWith(InMemoryMqExtension.class)
    void nullKeysSpreadOverPartitions(InMemoryBroker broker) {
        String topic = "partitioner.nullkeys";
        try (Producer producer = Mq.newProducer("partitioner-test")) {
            for (int i = 0; i < 40; i++) {
                producer.sendSync(Message.of(topic, (String) null, "v" + i));
            }
        }
        Set<Integer> used = new HashSet<>();
        broker.messages(topic).forEach(m -> used.add(m.partition()));
        assertThat(used).containsExactlyInAnyOrder(0, 1, 2, 3);
        for (int p = 0; p < 4; p++) {
            assertThat(broker.messages(topic, p)).hasSize(10);
        }
    }
}
