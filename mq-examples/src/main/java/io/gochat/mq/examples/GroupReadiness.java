package io.gochat.mq.examples;

import java.util.BitSet;

/**
 * Tells when the consumer group has taken up every partition the chat traffic will use.
 *
 * <p>The gateway sends rounds of probe messages, one per user key, so every partition a user maps
 * to gets one. A round is <em>complete</em> when every user's probe of that round was processed
 * and every group member processed at least one of them: then each member owns partitions and
 * each partition in use is being read from a position before the round, so chat messages sent
 * afterwards cannot be skipped, whatever {@code autoOffsetReset} the cluster's configuration says.
 * Probes of older rounds (delivered late, or again after a rebalance) are ignored.
 *
 * <p>Thread-safe: {@link #seen} is called from consumer threads, {@link #startRound} and
 * {@link #awaitComplete} from the gateway thread; one monitor guards the state.
 */
final class GroupReadiness {
    private final int users;
    private final int members;
    private int round;
    private BitSet usersSeen = new BitSet();
    private BitSet membersSeen = new BitSet();

    GroupReadiness(int users, int members) {
        this.users = users;
        this.members = members;
    }

    /** Begins probe round {@code r}; earlier rounds no longer count. */
    synchronized void startRound(int r) {
        round = r;
        usersSeen = new BitSet(users);
        membersSeen = new BitSet(members);
    }

    /** Member {@code member} processed user {@code user}'s probe of round {@code r}. */
    synchronized void seen(int member, int r, int user) {
        if (r != round) {
            return;
        }
        usersSeen.set(user);
        membersSeen.set(member);
        if (isComplete()) {
            notifyAll();
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for the current round to complete.
     *
     * @return whether it did
     */
    synchronized boolean awaitComplete(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!isComplete()) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /** Members that processed a probe of the current round, for the progress line. */
    synchronized int membersSeen() {
        return membersSeen.cardinality();
    }

    private boolean isComplete() {
        return usersSeen.cardinality() == users && membersSeen.cardinality() == members;
    }
}
