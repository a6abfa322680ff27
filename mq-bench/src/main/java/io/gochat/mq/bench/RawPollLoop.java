package io.gochat.mq.bench;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The raw side of the consumer figures: the loop a careful user writes by hand with the plain
 * Kafka client, doing what the library's poll loop does — poll with the same timeout, process each
 * partition's records, remember the next offset per partition once per partition and poll,
 * {@code commitSync} those every {@code consumer.autoCommitIntervalMs} and at the end. Also the
 * per-partition baseline of the slow-handler figure, one loop per assigned partition.
 */
final class RawPollLoop {
    /** Processes one partition's records of a poll, in offset order. */
    @FunctionalInterface
    interface Batch {
        void process(List<ConsumerRecord<byte[], byte[]>> records);
    }

    private RawPollLoop() {
    }

    /** Subscribes {@code consumer} to {@code topic} and polls while {@code running} says so. */
    static void run(KafkaConsumer<byte[], byte[]> consumer, String topic, Duration pollTimeout,
            long commitIntervalNanos, BooleanSupplier running, Batch batch) {
        consumer.subscribe(List.of(topic));
        poll(consumer, pollTimeout, commitIntervalNanos, running, batch);
    }

    /**
     * Assigns {@code partition} to {@code consumer} (no group membership, no rebalance; offsets are
     * still committed to its group) and polls while {@code running} says so.
     */
    static void run(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, Duration pollTimeout,
            long commitIntervalNanos, BooleanSupplier running, Batch batch) {
        consumer.assign(List.of(partition));
        poll(consumer, pollTimeout, commitIntervalNanos, running, batch);
    }

    private static void poll(KafkaConsumer<byte[], byte[]> consumer, Duration pollTimeout, long commitIntervalNanos,
            BooleanSupplier running, Batch batch) {
        Map<TopicPartition, OffsetAndMetadata> processed = new HashMap<>();
        long nextCommit = System.nanoTime() + commitIntervalNanos;
        while (running.getAsBoolean()) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
            for (TopicPartition tp : records.partitions()) {
                List<ConsumerRecord<byte[], byte[]>> partitionRecords = records.records(tp);
                batch.process(partitionRecords);
                ConsumerRecord<byte[], byte[]> last = partitionRecords.get(partitionRecords.size() - 1);
                processed.put(tp, new OffsetAndMetadata(last.offset() + 1, last.leaderEpoch(), ""));
            }
            if (System.nanoTime() >= nextCommit && !processed.isEmpty()) {
                consumer.commitSync(processed);
                processed.clear();
                nextCommit = System.nanoTime() + commitIntervalNanos;
            }
        }
        if (!processed.isEmpty()) {
            consumer.commitSync(processed);
        }
    }
}
