package io.gochat.mq.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The offsets a consumer has processed but not yet committed, per partition: for each, the offset
 * after the last record whose callback returned. Owned by the poll thread; not thread-safe.
 */
final class OffsetTracker {
    private final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();

    /** Records that the callbacks of {@code record} and of the records before it in its partition have returned. */
    void processed(ConsumerRecord<?, ?> record) {
        pending.put(new TopicPartition(record.topic(), record.partition()),
                new OffsetAndMetadata(record.offset() + 1, record.leaderEpoch(), ""));
    }

    /** What is to be committed, for all partitions; a copy. */
    Map<TopicPartition, OffsetAndMetadata> pending() {
        return new HashMap<>(pending);
    }

    /** What is to be committed for {@code partitions}; a copy. */
    Map<TopicPartition, OffsetAndMetadata> pending(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> some = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata offset = pending.get(tp);
            if (offset != null) {
                some.put(tp, offset);
            }
        }
        return some;
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Forgets what {@code committed} holds, unless more was processed since it was taken. */
    void committed(Map<TopicPartition, OffsetAndMetadata> committed) {
        committed.forEach((tp, offset) -> pending.remove(tp, offset));
    }

    /** Forgets {@code partitions}: they were revoked or lost; their new owner starts at the last commit. */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(pending::remove);
    }
}
