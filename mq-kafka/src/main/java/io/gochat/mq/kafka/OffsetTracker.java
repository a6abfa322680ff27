package io.gochat.mq.kafka;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The offsets a consumer has processed but not yet committed, per partition: for each, the
 * position after the last record whose callback returned. Knows nothing of Kafka: the Kafka
 * consumer uses {@code TopicPartition} and {@code OffsetAndMetadata}. Owned by the poll thread
 * (through {@link CommitPolicy}); not thread-safe.
 *
 * @param <P> a partition
 * @param <O> a position to commit in a partition (compared with {@code equals})
 */
final class OffsetTracker<P, O> {
    private final Map<P, O> pending = new HashMap<>();

    /** Records that the callbacks of the records before {@code next} in {@code partition} have returned. */
    void processed(P partition, O next) {
        pending.put(partition, next);
    }

    /** What is to be committed, for all partitions; a copy. */
    Map<P, O> pending() {
        return new HashMap<>(pending);
    }

    /** What is to be committed for {@code partitions}; a copy. */
    Map<P, O> pending(Collection<P> partitions) {
        Map<P, O> some = new HashMap<>();
        for (P partition : partitions) {
            O offset = pending.get(partition);
            if (offset != null) {
                some.put(partition, offset);
            }
        }
        return some;
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Forgets what {@code committed} holds, unless more was processed since it was taken. */
    void committed(Map<P, O> committed) {
        committed.forEach(pending::remove);
    }

    /** Forgets {@code partitions}: they were revoked or lost; their new owner starts at the last commit. */
    void forget(Collection<P> partitions) {
        partitions.forEach(pending::remove);
    }
}
