package io.gochat.mq.inmemory;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A topic: a fixed number of partitions, created once and never resized (as in Kafka, where
 * {@code createTopic} on an existing topic leaves it alone). Thread-safe.
 */
final class Topic {
    /** Kafka's rule for topic names ({@code org.apache.kafka.common.internals.Topic}). */
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");
    private static final int MAX_NAME_LENGTH = 249;

    private final String name;
    private final PartitionLog[] partitions;
    /** Spreads messages without a key over the partitions, one after another. */
    private final AtomicInteger nextForNullKey = new AtomicInteger();

    Topic(String name, int partitions, int retention, long retentionBytes) {
        this.name = name;
        this.partitions = new PartitionLog[partitions];
        for (int i = 0; i < partitions; i++) {
            this.partitions[i] = new PartitionLog(name, i, retention, retentionBytes);
        }
    }

    /**
     * Why Kafka would refuse {@code name} as a topic name, or {@code null} when it is legal: only
     * ASCII letters, digits, {@code .}, {@code _} and {@code -}, at most 249 characters, and
     * neither {@code .} nor {@code ..}.
     */
    static String invalidNameReason(String name) {
        if (name.length() > MAX_NAME_LENGTH) {
            return "topic name of " + name.length() + " characters: expected at most " + MAX_NAME_LENGTH;
        }
        if (name.equals(".") || name.equals("..")) {
            return "topic name [" + name + "]: '.' and '..' are not allowed";
        }
        if (!LEGAL.matcher(name).matches()) {
            return "topic name [" + name + "]: expected only ASCII letters, digits, '.', '_' and '-'";
        }
        return null;
    }

    String name() {
        return name;
    }

    int partitionCount() {
        return partitions.length;
    }

    PartitionLog partition(int index) {
        return partitions[index];
    }

    /**
     * Where a message goes: Kafka's murmur2 partition for a key, the next partition in turn for
     * {@code null}.
     */
    PartitionLog partitionFor(byte[] key) {
        int n = partitions.length;
        if (key != null) {
            return partitions[KeyPartitioner.partition(key, n)];
        }
        return partitions[KeyPartitioner.toPositive(nextForNullKey.getAndIncrement()) % n];
    }

    @Override
    public String toString() {
        return name + "[" + partitions.length + " partitions]";
    }
}
