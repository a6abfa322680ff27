package io.gochat.mq.kafka;

import org.slf4j.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * When a consumer commits, and what: at least once, commit after processing. It owns the
 * {@link OffsetTracker} and commits what it holds
 * <ul>
 *   <li>every {@code interval} ({@link #commitIfDue()}, between polls), and again right after the
 *       next poll when the group was rebalancing;</li>
 *   <li>for the partitions that leave ({@link #revoked}), whose pending offsets are then dropped
 *       whatever the commit did, so they never overwrite the progress of their new owner;</li>
 *   <li>on close ({@link #commitOnClose()}).</li>
 * </ul>
 * Never for lost partitions ({@link #lost}): another member already owns them. A failed commit
 * keeps the offsets pending: duplicates, never loss.
 *
 * <p><b>One shutdown budget.</b> From the first commit after a stop was asked for, every commit
 * (the final one, and the one for the partitions that closing revokes) ends by one deadline,
 * {@code shutdownBudget} after that moment; a wake-up during a commit does not restart it. Once
 * the stop mode forbids commits ({@link StopMode#commits()}) or {@link #abandon()} was called, no
 * further attempt is made.
 *
 * <p>Knows nothing of Kafka: the commits go through a {@link Committer}, time through a nano-time
 * clock. <b>Threads:</b> owned by the one thread that polls; not thread-safe. Only the stop mode
 * it reads may change under it (volatile, written by whoever stops the consumer).
 *
 * @param <P> a partition
 * @param <O> a position to commit in a partition
 */
final class CommitPolicy<P, O> {
    /** Commits offsets synchronously; called on the poll thread. */
    interface Committer<P, O> {
        /**
         * Commits {@code offsets} within {@code timeout}. An interrupt of the calling thread
         * propagates as the committer's own unchecked exception.
         */
        Attempt commit(Map<P, O> offsets, Duration timeout);
    }

    /** How a commit attempt ended. */
    enum Outcome {
        COMMITTED,
        /** The consumer was woken up to stop: the commit is tried again within the shutdown budget. */
        WOKEN_UP,
        /** The group is rebalancing: tried again once the next poll has completed the rebalance. */
        REBALANCING,
        /** This member left the group's generation: its partitions go to others, who restart at the last commit. */
        NOT_IN_GENERATION,
        /** Any other failure: the offsets stay pending and are committed later. */
        FAILED
    }

    /** An {@link Outcome}, with the error's description when it is a failure. */
    record Attempt(Outcome outcome, String error) {
        static final Attempt COMMITTED = new Attempt(Outcome.COMMITTED, null);
        static final Attempt WOKEN_UP = new Attempt(Outcome.WOKEN_UP, null);
        static final Attempt REBALANCING = new Attempt(Outcome.REBALANCING, null);
    }

    private final Committer<P, O> committer;
    private final OffsetTracker<P, O> offsets = new OffsetTracker<>();
    private final Supplier<StopMode> stopMode;
    private final LongSupplier nanoClock;
    private final Logger log;
    private final String group;
    private final long intervalNanos;
    private final Duration intervalTimeout;
    private final Duration shutdownBudget;
    private long nextCommit;
    private boolean shutdownBudgetStarted;
    private long shutdownDeadline;
    private boolean abandoned;

    /**
     * @param interval how often processed offsets are committed
     * @param intervalTimeout how long an interval commit may take
     * @param shutdownBudget how long all commits after a stop may take together, and each other commit
     * @param stopMode the consumer's stop mode, read before each attempt
     * @param nanoClock {@link System#nanoTime()} outside tests
     */
    CommitPolicy(Committer<P, O> committer, Duration interval, Duration intervalTimeout, Duration shutdownBudget,
                 Supplier<StopMode> stopMode, LongSupplier nanoClock, Logger log, String group) {
        this.committer = committer;
        this.intervalNanos = interval.toNanos();
        this.intervalTimeout = intervalTimeout;
        this.shutdownBudget = shutdownBudget;
        this.stopMode = stopMode;
        this.nanoClock = nanoClock;
        this.log = log;
        this.group = group;
        this.nextCommit = nanoClock.getAsLong() + intervalNanos;
    }

    /** The callbacks of the records before {@code next} in {@code partition} have returned. */
    void processed(P partition, O next) {
        offsets.processed(partition, next);
    }

    /** What is processed and not yet committed; a copy. */
    Map<P, O> pending() {
        return offsets.pending();
    }

    /** Between polls: commits what is pending if the interval has passed (or a rebalance deferred the last try). */
    void commitIfDue() {
        if (nanoClock.getAsLong() - nextCommit >= 0) {
            commitNow("interval");
        }
    }

    /**
     * Between polls: commits what is pending now, before the interval has passed (a parallel
     * consumer's partition waits at its window for it); the interval restarts.
     */
    void commitNow() {
        commitNow("window");
    }

    private void commitNow(String why) {
        nextCommit = nanoClock.getAsLong() + intervalNanos;
        if (!commit(offsets.pending(), why, intervalTimeout)) {
            // rebalancing: try again right after the next poll has completed it
            nextCommit = nanoClock.getAsLong();
        }
    }

    /** {@code partitions} leave this member: commits what was processed of them, then forgets them. */
    void revoked(Collection<P> partitions) {
        try {
            commit(offsets.pending(partitions), "revoked", shutdownBudget);
        } finally {
            // they are gone whatever the commit did: never commit them later over their new owner
            offsets.forget(partitions);
        }
    }

    /** {@code partitions} already belong to another member: forgets them without committing. */
    void lost(Collection<P> partitions) {
        offsets.forget(partitions);
    }

    /**
     * The final commit, within the shutdown budget (which starts now if it has not yet); what is
     * still pending afterwards is logged, to be delivered again.
     */
    void commitOnClose() {
        startShutdownBudget();
        try {
            commit(offsets.pending(), "close", shutdownBudget);
        } finally {
            if (!offsets.isEmpty()) {
                log.atWarn().setMessage("offsets not committed on close; those messages will be delivered again")
                        .addKeyValue("group", group).addKeyValue("offsets", offsets.pending()).log();
            }
        }
    }

    /** No commit is attempted any more: after an unrecoverable error, or an interrupt during shutdown. */
    void abandon() {
        abandoned = true;
    }

    /**
     * Commits {@code toCommit} within {@code timeout} (and, once stopping, within what is left of
     * the shutdown budget). Returns false when it was not committed and may be tried again: a
     * rebalance is in progress, or the time ran out while woken up.
     */
    private boolean commit(Map<P, O> toCommit, String why, Duration timeout) {
        if (toCommit.isEmpty()) {
            return true;
        }
        long deadline = deadline(timeout);
        while (true) {
            if (abandoned || !stopMode.get().commits()) {
                return true;
            }
            long left = deadline - nanoClock.getAsLong();
            if (left <= 0) {
                log.atWarn().setMessage("commit skipped: the time for commits on close (default.api.timeout.ms) is used up;"
                                + " those messages will be delivered again")
                        .addKeyValue("group", group).addKeyValue("why", why).addKeyValue("offsets", toCommit).log();
                return false;
            }
            Attempt attempt = committer.commit(toCommit, Duration.ofNanos(left));
            switch (attempt.outcome()) {
                case COMMITTED:
                    offsets.committed(toCommit);
                    log.atDebug().setMessage("offsets committed").addKeyValue("group", group)
                            .addKeyValue("why", why).addKeyValue("offsets", toCommit).log();
                    return true;
                case WOKEN_UP:
                    // asked to stop while committing: the commit still has to happen, but within the
                    // shutdown budget rather than a fresh timeout
                    long budget = deadline(timeout);
                    if (budget - deadline < 0) {
                        deadline = budget;
                    }
                    break;
                case REBALANCING:
                    log.atInfo().setMessage("commit deferred: the group is rebalancing").addKeyValue("group", group)
                            .addKeyValue("why", why).log();
                    return false;
                case NOT_IN_GENERATION:
                    log.atWarn().setMessage("commit failed: this member is no longer in the group's generation;"
                                    + " the messages since the last commit will be delivered again")
                            .addKeyValue("group", group).addKeyValue("why", why).addKeyValue("offsets", toCommit)
                            .addKeyValue("error", attempt.error()).log();
                    return true;
                default:
                    log.atWarn().setMessage("commit failed; the offsets stay pending and are committed later")
                            .addKeyValue("group", group).addKeyValue("why", why).addKeyValue("offsets", toCommit)
                            .addKeyValue("error", attempt.error()).log();
                    return true;
            }
        }
    }

    /** When a commit of {@code timeout} started now must end: never after the shutdown budget, once it runs. */
    private long deadline(Duration timeout) {
        long own = nanoClock.getAsLong() + timeout.toNanos();
        if (stopMode.get() != StopMode.RUNNING) {
            startShutdownBudget();
        }
        return shutdownBudgetStarted && shutdownDeadline - own < 0 ? shutdownDeadline : own;
    }

    private void startShutdownBudget() {
        if (!shutdownBudgetStarted) {
            shutdownBudgetStarted = true;
            shutdownDeadline = nanoClock.getAsLong() + shutdownBudget.toNanos();
        }
    }
}
