package io.gochat.mq.inmemory;

import io.gochat.mq.Message;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One partition of a topic: an append-only log whose offsets start at 0, bounded by a number of
 * messages and a number of bytes. When either bound is passed the oldest messages are dropped
 * and the log-start offset moves forward, as Kafka's retention would.
 *
 * <p>Messages are kept as bytes ({@link RecordCodec}) in chunks of up to {@value #MAX_CHUNK}
 * bytes, with an offset index of primitive arrays beside them: the log holds no object references,
 * so a full log costs the garbage collector nothing to scan, and nothing is copied when it grows
 * except the index. A reader gets a fresh {@link Message}, which dies young. Byte retention works
 * on whole chunks: the oldest chunk goes when the chunks together pass the bound (a chunk is at
 * most an eighth of the bound), and the newest message is always kept.
 *
 * <p>Thread-safe. Appends and fetches take this log's own monitor for a few array operations
 * (there is no broker-wide lock); a fetch copies the locations of up to a batch of records, and
 * the reader decodes them and runs its callbacks outside the lock (written bytes never change).
 * The end offset is also readable without the lock, which lets an idle consumer check for data
 * and park, and lets an appender skip waking consumers that are busy.
 */
final class PartitionLog {
    /** What {@link #fetch} returns when the position is below the log-start offset. */
    static final int OUT_OF_RANGE = -1;

    static final int MIN_CHUNK = 4 * 1024;
    static final int MAX_CHUNK = 1024 * 1024;
    private static final int INITIAL_INDEX = 64;
    private static final InMemoryConsumer[] NO_WATCHERS = new InMemoryConsumer[0];

    private final String topic;
    private final int partition;
    private final int retention;
    private final long retentionBytes;
    private final int maxChunk;

    // guarded by this
    /** Per offset ({@code offset & mask}): the chunk's sequence number in the high half, the position in the low. */
    private long[] locations;
    private long[] timestamps;
    private int mask;
    private long start;
    /** Chunks by sequence number ({@code sequence & chunkMask}); {@code firstChunk..lastChunk} are retained. */
    private Chunk[] chunks = new Chunk[4];
    private int firstChunk;
    private int lastChunk = -1;
    private long chunkBytes;
    // written under this, read anywhere
    private volatile long end;

    /** The consumers that own this partition in some group: woken when data arrives. Copy-on-write under this. */
    private volatile InMemoryConsumer[] watchers = NO_WATCHERS;

    private static final class Chunk {
        final byte[] data;
        /** The offset of the first record in it. */
        final long baseOffset;
        int used;

        Chunk(int size, long baseOffset) {
            this.data = new byte[size];
            this.baseOffset = baseOffset;
        }
    }

    PartitionLog(String topic, int partition, int retention, long retentionBytes) {
        this.topic = topic;
        this.partition = partition;
        this.retention = retention;
        this.retentionBytes = retentionBytes;
        this.maxChunk = (int) Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, retentionBytes / 8));
        int capacity = Math.min(INITIAL_INDEX, Integer.highestOneBit(Math.max(retention - 1, 1)) << 1);
        this.locations = new long[capacity];
        this.timestamps = new long[capacity];
        this.mask = capacity - 1;
    }

    String topic() {
        return topic;
    }

    int partition() {
        return partition;
    }

    /** Appends {@code message}; see {@link #append(RecordCodec, long)}. */
    long append(Message message, long timestamp) {
        return append(RecordCodec.of(message), timestamp);
    }

    /**
     * Appends {@code record} with the next offset and {@code timestamp}, then wakes the owners
     * that wait for data.
     *
     * @return the offset given to the message
     */
    long append(RecordCodec record, long timestamp) {
        int size = record.size();
        long offset;
        synchronized (this) {
            offset = end;
            Chunk chunk = lastChunk < firstChunk ? null : chunks[lastChunk & (chunks.length - 1)];
            if (chunk == null || chunk.data.length - chunk.used < size) {
                chunk = newChunk(size, offset);
            }
            int position = chunk.used;
            record.writeTo(chunk.data, position);
            chunk.used += size;
            if (offset - start == retention) {
                start++;
            }
            if (offset - start == locations.length) {
                growIndex(offset);
            }
            int slot = (int) offset & mask;
            locations[slot] = ((long) lastChunk << 32) | position;
            timestamps[slot] = timestamp;
            end = offset + 1;
            dropOldChunks();
        }
        InMemoryConsumer[] w = watchers;
        for (InMemoryConsumer consumer : w) {
            consumer.dataArrived();
        }
        return offset;
    }

    private Chunk newChunk(int recordSize, long baseOffset) {
        Chunk previous = lastChunk < firstChunk ? null : chunks[lastChunk & (chunks.length - 1)];
        // Small topics stay small: chunks start at 4 KiB and double up to the maximum.
        int size = previous == null ? MIN_CHUNK : Math.min(maxChunk, previous.data.length * 2);
        Chunk chunk = new Chunk(Math.max(size, recordSize), baseOffset);
        if (lastChunk + 1 - firstChunk == chunks.length) {
            Chunk[] bigger = new Chunk[chunks.length * 2];
            for (int s = firstChunk; s <= lastChunk; s++) {
                bigger[s & (bigger.length - 1)] = chunks[s & (chunks.length - 1)];
            }
            chunks = bigger;
        }
        lastChunk++;
        chunks[lastChunk & (chunks.length - 1)] = chunk;
        chunkBytes += chunk.data.length;
        return chunk;
    }

    private void growIndex(long currentEnd) {
        int capacity = locations.length << 1;
        long[] biggerLocations = new long[capacity];
        long[] biggerTimestamps = new long[capacity];
        int newMask = capacity - 1;
        for (long o = start; o < currentEnd; o++) {
            biggerLocations[(int) o & newMask] = locations[(int) o & mask];
            biggerTimestamps[(int) o & newMask] = timestamps[(int) o & mask];
        }
        locations = biggerLocations;
        timestamps = biggerTimestamps;
        mask = newMask;
    }

    /** Drops chunks that hold only dropped messages, and the oldest chunks while the byte bound is passed. */
    private void dropOldChunks() {
        while (firstChunk < lastChunk) {
            Chunk next = chunks[(firstChunk + 1) & (chunks.length - 1)];
            if (chunkBytes > retentionBytes) {
                start = Math.max(start, next.baseOffset);
            } else if (next.baseOffset > start) {
                break;
            }
            Chunk first = chunks[firstChunk & (chunks.length - 1)];
            chunks[firstChunk & (chunks.length - 1)] = null;
            chunkBytes -= first.data.length;
            firstChunk++;
        }
    }

    /**
     * Copies the locations of the records from {@code position} on into the batch arrays, at
     * most {@code data.length}: record {@code i} has offset {@code position + i}, its bytes start at
     * {@code positions[i]} of {@code data[i]}, and {@link #decode} turns them into a message.
     *
     * @return how many were copied ({@code 0} when {@code position} is at the end), or
     *     {@link #OUT_OF_RANGE} when {@code position} is below the log-start offset
     */
    int fetch(long position, byte[][] data, int[] positions, long[] batchTimestamps) {
        if (position >= end) {
            return 0;
        }
        synchronized (this) {
            if (position < start) {
                return OUT_OF_RANGE;
            }
            int n = (int) Math.min(data.length, end - position);
            int chunkMask = chunks.length - 1;
            for (int i = 0; i < n; i++) {
                int slot = (int) (position + i) & mask;
                long location = locations[slot];
                data[i] = chunks[(int) (location >>> 32) & chunkMask].data;
                positions[i] = (int) location;
                batchTimestamps[i] = timestamps[slot];
            }
            return n;
        }
    }

    /** The message of a fetched record, with this topic and partition. */
    Message decode(long offset, long timestamp, byte[] data, int position) {
        return RecordCodec.decode(topic, partition, offset, timestamp, data, position);
    }

    /** The offset the next message will get. */
    long endOffset() {
        return end;
    }

    /** The offset of the oldest retained message (equal to {@link #endOffset()} when none is). */
    synchronized long startOffset() {
        return start;
    }

    /** A snapshot of the retained messages, in offset order. */
    List<Message> messages() {
        int n;
        byte[][] data;
        int[] positions;
        long[] times;
        long first;
        synchronized (this) {
            first = start;
            n = (int) (end - start);
            data = new byte[n][];
            positions = new int[n];
            times = new long[n];
            if (n > 0 && fetch(first, data, positions, times) != n) {
                throw new IllegalStateException("log of " + this + " changed under its own lock");
            }
        }
        List<Message> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(decode(first + i, times[i], data[i], positions[i]));
        }
        return out;
    }

    /** Bytes held by the chunks of this log, for tests of the byte bound. */
    synchronized long retainedChunkBytes() {
        return chunkBytes;
    }

    synchronized void addWatcher(InMemoryConsumer consumer) {
        InMemoryConsumer[] w = watchers;
        InMemoryConsumer[] more = Arrays.copyOf(w, w.length + 1);
        more[w.length] = consumer;
        watchers = more;
    }

    synchronized void removeWatcher(InMemoryConsumer consumer) {
        InMemoryConsumer[] w = watchers;
        for (int i = 0; i < w.length; i++) {
            if (w[i] == consumer) {
                InMemoryConsumer[] fewer = new InMemoryConsumer[w.length - 1];
                System.arraycopy(w, 0, fewer, 0, i);
                System.arraycopy(w, i + 1, fewer, i, w.length - i - 1);
                watchers = fewer;
                return;
            }
        }
    }

    /** {@code topic-partition}, as Kafka prints a {@code TopicPartition}. */
    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}
