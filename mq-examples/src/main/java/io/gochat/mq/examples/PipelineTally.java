package io.gochat.mq.examples;

import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what the pipeline did: sends, receipts per group member, duplicates, per-user order
 * violations and end-to-end latency.
 *
 * <p>Message {@code seq} of user {@code u} (seq from 1) is the pipeline's message number
 * {@code (seq - 1) * users + u}; the gateway sends them in that order, so each user's sequence
 * numbers are sent increasing. On receipt:
 * <ul>
 *   <li>a (user, seq) already received is a <b>duplicate</b> (at-least-once delivery after a
 *       rebalance or a crash), counted and otherwise ignored;</li>
 *   <li>a new (user, seq) lower than the highest seq already received for that user is an
 *       <b>order violation</b>: it was sent before a message that was processed before it;</li>
 *   <li>anything else is in order.</li>
 * </ul>
 * Messages sent but never received are <b>lost</b>.
 *
 * <p>Thread-safe: the send side is called from the gateway thread and send callbacks, the
 * receive side from the consumers' threads; each user's state is guarded by one of a few
 * lock stripes.
 */
final class PipelineTally {
    private static final int STRIPES = 64;

    private final int users;
    private final int messages;
    private final Object[] stripes = new Object[STRIPES];
    private final BitSet[] received;
    private final int[] highestSeq;
    /** Latency of each message's first receipt, in nanoseconds, by message number; -1 while not received. */
    private final long[] latencyNanos;

    private final LongAdder acked = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicLong unique = new AtomicLong();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder violations = new LongAdder();
    private final LongAdder[] perMember;
    private volatile long lastReceiptNanos;
    private volatile String firstFailure;
    private final CountDownLatch allReceived = new CountDownLatch(1);

    PipelineTally(int messages, int users, int members) {
        this.users = users;
        this.messages = messages;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
        received = new BitSet[users];
        highestSeq = new int[users];
        int perUser = messages / users + 1;
        for (int u = 0; u < users; u++) {
            received[u] = new BitSet(perUser + 1);
        }
        latencyNanos = new long[messages];
        Arrays.fill(latencyNanos, -1);
        perMember = new LongAdder[members];
        for (int m = 0; m < members; m++) {
            perMember[m] = new LongAdder();
        }
    }

    /** Message number {@code n}'s user index. */
    int userOf(int n) {
        return n % users;
    }

    /** Message number {@code n}'s sequence number within its user, from 1. */
    int seqOf(int n) {
        return n / users + 1;
    }

    void recordAck() {
        acked.increment();
    }

    void recordFailure(Throwable error) {
        failed.increment();
        if (firstFailure == null) {
            firstFailure = String.valueOf(error);
        }
    }

    /**
     * Records a receipt by group member {@code member} of user {@code user}'s message {@code seq},
     * {@code latencyNanos} after it was sent.
     */
    void received(int member, int user, int seq, long latency) {
        int n = (seq - 1) * users + user;
        if (user < 0 || user >= users || seq < 1 || n >= messages) {
            throw new IllegalArgumentException("no such message: user " + user + " seq " + seq);
        }
        perMember[member].increment();
        synchronized (stripes[user % STRIPES]) {
            BitSet seen = received[user];
            if (seen.get(seq)) {
                duplicates.increment();
                return;
            }
            seen.set(seq);
            if (seq < highestSeq[user]) {
                violations.increment();
            } else {
                highestSeq[user] = seq;
            }
            latencyNanos[n] = latency;
        }
        lastReceiptNanos = System.nanoTime();
        if (unique.incrementAndGet() == messages) {
            allReceived.countDown();
        }
    }

    /**
     * Waits up to {@code millis} for every message to have been received once.
     *
     * @return whether all were
     */
    boolean awaitAll(long millis) throws InterruptedException {
        return allReceived.await(millis, TimeUnit.MILLISECONDS);
    }

    long acked() {
        return acked.sum();
    }

    long failedCount() {
        return failed.sum();
    }

    String firstFailure() {
        return firstFailure;
    }

    /** Whether message {@code n} (in send order) has been received. */
    boolean wasReceived(int n) {
        int user = userOf(n);
        synchronized (stripes[user % STRIPES]) {
            return received[user].get(seqOf(n));
        }
    }

    long unique() {
        return unique.get();
    }

    long duplicates() {
        return duplicates.sum();
    }

    long violations() {
        return violations.sum();
    }

    long receivedBy(int member) {
        return perMember[member].sum();
    }

    long lastReceiptNanos() {
        return lastReceiptNanos;
    }

    /**
     * Latencies of every received message, sorted ascending. Call after the consumer threads were
     * joined (the join makes their writes visible).
     */
    long[] sortedLatencies() {
        long[] all = new long[(int) unique()];
        int k = 0;
        for (long l : latencyNanos) {
            if (l >= 0 && k < all.length) {
                all[k++] = l;
            }
        }
        long[] filled = k == all.length ? all : Arrays.copyOf(all, k);
        Arrays.sort(filled);
        return filled;
    }

    /** The {@code q} quantile (0..1) of sorted {@code values}, nearest rank; 0 when empty. */
    static long quantile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
    }
}
