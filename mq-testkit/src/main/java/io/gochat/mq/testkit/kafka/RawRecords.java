package io.gochat.mq.testkit.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;

/**
 * Reads a topic with a plain {@link KafkaConsumer}, assigned (no group, nothing committed): the
 * records exactly as the broker stores them, duplicate headers and all — what a test checks when
 * the library's own {@code Message} would hide it. Needs {@code kafka-clients} on the class path.
 */
public final class RawRecords {
    private RawRecords() {
    }

    /**
     * Every record of {@code topic}'s first {@code partitions} partitions from the start, read until
     * at least {@code expected} arrived (at most 60 s, then Awaitility's timeout error).
     */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaBroker broker, String topic, int partitions, int expected) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> raw = new KafkaConsumer<>(broker.clientProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p))
                    .collect(Collectors.toList());
            raw.assign(tps);
            raw.seekToBeginning(tps);
            await("at least " + expected + " records of " + topic).atMost(Duration.ofSeconds(60)).until(() -> {
                raw.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
        }
        return records;
    }
}
