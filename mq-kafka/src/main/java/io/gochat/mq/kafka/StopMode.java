package io.gochat.mq.kafka;

/**
 * Whether and how a consumer's loop is to stop. A consumer holds one, which only ever moves to a
 * later constant: a {@code close()} after a crash is still a crash. Knows nothing of Kafka.
 */
enum StopMode {
    /** Not asked to stop. */
    RUNNING(true, true, "consumer closed"),
    /** {@code close()}, or an interrupt of the poll thread: the processed offsets are committed, the group is left. */
    CLOSE(true, true, "consumer closed"),
    /** The loop ended on an unrecoverable error: nothing more is committed; the group is left. */
    FAIL(false, true, "consumer closed"),
    /**
     * A crash as the contract suite injects it (tests only): nothing more is committed, even a commit
     * under way is given up, and the group is not left (it notices after the session timeout).
     */
    CRASH(false, false, "consumer crashed (test fault): nothing committed, group not left");

    private final boolean commits;
    private final boolean leavesGroup;
    private final String closedLog;

    StopMode(boolean commits, boolean leavesGroup, String closedLog) {
        this.commits = commits;
        this.leavesGroup = leavesGroup;
        this.closedLog = closedLog;
    }

    /** Whether offsets may still be committed. */
    boolean commits() {
        return commits;
    }

    /** Whether the member leaves its group when it closes. */
    boolean leavesGroup() {
        return leavesGroup;
    }

    /** The log line once the consumer has closed this way. */
    String closedLog() {
        return closedLog;
    }

    /** The mode after {@code requested} arrives in this one: the later of the two. */
    StopMode then(StopMode requested) {
        return requested.compareTo(this) > 0 ? requested : this;
    }
}
