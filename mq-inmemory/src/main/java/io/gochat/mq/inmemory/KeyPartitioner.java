package io.gochat.mq.inmemory;

/**
 * Puts a keyed message on the partition Kafka's default partitioner would choose:
 * {@code toPositive(murmur2(key)) % numPartitions}, with Kafka's {@code Utils.murmur2} (seed
 * {@code 0x9747b28c}). A service that moves from the in-memory transport to Kafka therefore sees
 * every key on the same partition number. Stateless.
 */
final class KeyPartitioner {
    private static final int SEED = 0x9747b28c;
    private static final int M = 0x5bd1e995;
    private static final int R = 24;

    private KeyPartitioner() {
    }

    /** The partition of a non-null {@code key} among {@code numPartitions} (at least 1). */
    static int partition(byte[] key, int numPartitions) {
        return toPositive(murmur2(key)) % numPartitions;
    }

    /** Kafka's {@code Utils.toPositive}: clears the sign bit (not {@code Math.abs}, which fails on MIN_VALUE). */
    static int toPositive(int number) {
        return number & 0x7fffffff;
    }

    /** The 32-bit murmur2 hash exactly as Kafka's {@code Utils.murmur2} computes it. */
    static int murmur2(byte[] data) {
        int length = data.length;
        int h = SEED ^ length;
        int length4 = length >>> 2;
        for (int i = 0; i < length4; i++) {
            int i4 = i << 2;
            int k = (data[i4] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16)
                    + ((data[i4 + 3] & 0xff) << 24);
            k *= M;
            k ^= k >>> R;
            k *= M;
            h *= M;
            h ^= k;
        }
        int tail = length & ~3;
        int rest = length & 3;
        if (rest == 3) {
            h ^= (data[tail + 2] & 0xff) << 16;
        }
        if (rest >= 2) {
            h ^= (data[tail + 1] & 0xff) << 8;
        }
        if (rest >= 1) {
            h ^= data[tail] & 0xff;
            h *= M;
        }
        h ^= h >>> 13;
        h *= M;
        h ^= h >>> 15;
        return h;
    }
}
