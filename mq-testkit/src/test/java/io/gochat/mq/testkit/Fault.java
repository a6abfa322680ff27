package io.gochat.mq.testkit;

/**
 * A deliberate contract violation of the {@link ToyTransport}, switched on per client through the
 * pass-through property {@value #PROPERTY} of {@code common.properties}. The self-test runs the
 * contract suite against each and checks that the tests naming the behaviour fail.
 */
enum Fault {
    /** The producer acknowledges every 100th message without storing it. */
    DROP_EVERY_100TH,
    /** The consumer hands every 50th message of a partition to the callback twice. */
    DUPLICATE_EVERY_50TH,
    /** The broker stores every 10th message of a partition before its predecessor. */
    REORDER,
    /** Keyed messages are spread round-robin, ignoring the key. */
    IGNORE_KEY,
    /** Keys are hashed with {@code Arrays.hashCode} instead of murmur2. */
    WRONG_HASH,
    /** Each member of a group gets every message (no partition ownership). */
    BROADCAST,
    /** The consumer commits a message before its callback runs. */
    COMMIT_BEFORE_PROCESSING,
    /** close() leaves the group without committing. */
    NO_COMMIT_ON_CLOSE,
    /** Partitions taken away in a rebalance are not committed. */
    NO_COMMIT_ON_REVOKE,
    /** A crash commits what was processed, as a clean close would. */
    CRASH_COMMITS,
    /** A callback that throws ends subscribe. */
    STOP_ON_CALLBACK_ERROR,
    /** A message whose callback threw is delivered again, once. */
    RETRY_FAILED_CALLBACK,
    /** Callback failures are swallowed without a log line. */
    NO_ERROR_LOG,
    /** No trace_id header on send, no MDC in the callback. */
    NO_TRACE,
    /** send after close stores the message and reports success. */
    SEND_AFTER_CLOSE_SUCCEEDS,
    /** Every 50th send callback is called twice. */
    CALLBACK_TWICE,
    /** close() drops buffered messages without calling their callbacks. */
    CLOSE_DROPS_BUFFER,
    /** A new group always starts at the beginning. */
    IGNORE_LATEST,
    /** Committed offsets are ignored: a member always starts at the reset position. */
    IGNORE_COMMITTED,
    /** Messages acknowledged while the broker restarts are lost. */
    LOSE_WHILE_DOWN,
    /** close() from inside the callback waits for subscribe to return: a deadlock. */
    CLOSE_INSIDE_DEADLOCKS,
    /** A callback that failed because its thread was interrupted counts as processed and is committed. */
    INTERRUPT_COUNTS_AS_PROCESSED,
    /** subscribe can be called again while it runs, or after close. */
    SUBSCRIBE_ANY_TIME,
    /** Empty keys, values and header values arrive as null. */
    EMPTY_AS_NULL,
    /** The caller's callback is not checked; a null one fails later on the transport thread. */
    NO_ARGUMENT_CHECKS;

    static final String PROPERTY = "toy.faults";
}
