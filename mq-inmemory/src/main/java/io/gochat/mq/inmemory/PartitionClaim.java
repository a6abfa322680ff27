package io.gochat.mq.inmemory;

/**
 * A partition a consumer owns: where it reads next and what it last committed. Created by
 * {@link ConsumerGroup#sync} when the partition is handed over; {@code position} is then touched
 * only by the owner's subscribe thread, and read under the group's lock when it commits. Its
 * identity names the partition in one assignment for the parallel dispatcher.
 */
final class PartitionClaim {
    final PartitionLog log;
    /** The offset of the next message to process: everything before it has been processed. */
    long position;
    /** The offset last committed for this partition by this owner. */
    long committed;
    /**
     * At {@code consumer.concurrency > 1}: the offset of the next message to fetch, ahead of
     * {@code position} by what the workers have in hand. Subscribe thread only.
     */
    long fetched;

    PartitionClaim(PartitionLog log, long position) {
        this.log = log;
        this.position = position;
        this.committed = position;
        this.fetched = position;
    }

    @Override
    public String toString() {
        return log + "@" + position;
    }
}
