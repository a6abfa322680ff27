package io.gochat.mq.testkit;

/**
 * The partition Kafka's default partitioner picks for a non-null key: {@code
 * toPositive(murmur2(key)) % partitions}, as in {@code org.apache.kafka.common.utils.Utils}. The
 * contract requires keyed messages to land where Kafka's Java client puts them, so the kit checks
 * transports against this independent copy, and a transport of your own can use it to place keys
 * (librdkafka-based clients do the same with {@code partitioner: murmur2_random}). Stateless,
 * thread-safe, no dependency on kafka-clients.
 *
 * <pre>{@code
 * int partition = KafkaPartitioner.partition(message.key(), partitionCount);
 * }</pre>
 */
public final class KafkaPartitioner {
    private KafkaPartitioner() {
    }

    /**
     * The partition of {@code key} among {@code partitions}.
     *
     * @throws NullPointerException if {@code key} is null (Kafka spreads keyless messages instead)
     * @throws IllegalArgumentException if {@code partitions} is not positive
     */
    public static int partition(byte[] key, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions: expected at least 1 but was " + partitions);
        }
        return (murmur2(java.util.Objects.requireNonNull(key, "key must not be null: keyless messages have no fixed"
                + " partition")) & 0x7fffffff) % partitions;
    }

    /** Kafka's 32-bit murmur2 of {@code data} (seed {@code 0x9747b28c}). */
    public static int murmur2(byte[] data) {
        int length = data.length;
        int seed = 0x9747b28c;
        int m = 0x5bd1e995;
        int r = 24;
        int h = seed ^ length;
        int length4 = length / 4;
        for (int i = 0; i < length4; i++) {
            int i4 = i * 4;
            int k = (data[i4] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16)
                    + ((data[i4 + 3] & 0xff) << 24);
            k *= m;
            k ^= k >>> r;
            k *= m;
            h *= m;
            h ^= k;
        }
        int tail = length & ~3;
        switch (length % 4) {
            case 3:
                h ^= (data[tail + 2] & 0xff) << 16;
                h ^= (data[tail + 1] & 0xff) << 8;
                h ^= data[tail] & 0xff;
                h *= m;
                break;
            case 2:
                h ^= (data[tail + 1] & 0xff) << 8;
                h ^= data[tail] & 0xff;
                h *= m;
                break;
            case 1:
                h ^= data[tail] & 0xff;
                h *= m;
                break;
            default:
                break;
        }
        h ^= h >>> 13;
        h *= m;
        h ^= h >>> 15;
        return h;
    }
}
