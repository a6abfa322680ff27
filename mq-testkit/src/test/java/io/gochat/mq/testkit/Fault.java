package io.gochat.mq.testkit;

/**
 * A deliberate contract violation of the {@link ToyTransport}, switched on per client through the
 * pass-through property {@value #PROPERTY} of {@code common.properties}. The self-test runs the
 * contract suite against each and checks that the tests naming the behaviour fail. Every fault is
 * deterministic: it breaks the same messages whatever the threads' timing.
 */
enum Fault {
    // ---------------------------------------------------------------- producer and broker

    /** The producer acknowledges every 100th message without storing it. */
    DROP_EVERY_100TH,
    /** Every 10th message of a key in a partition is stored before that key's previous message. */
    REORDER,
    /** Keyed messages are spread round-robin in the producer's send order, ignoring the key. */
    IGNORE_KEY,
    /** Keys are hashed with {@code Arrays.hashCode} instead of murmur2. */
    WRONG_HASH,
    /** send after close stores the message and reports success. */
    SEND_AFTER_CLOSE_SUCCEEDS,
    /** Every 50th send callback is called twice. */
    CALLBACK_TWICE,
    /** close() drops buffered messages without calling their callbacks. */
    CLOSE_DROPS_BUFFER,
    /** Messages acknowledged while the broker restarts are lost. */
    LOSE_WHILE_DOWN,
    /** The caller's callback is not checked; a null one fails later on the transport thread. */
    NO_ARGUMENT_CHECKS,
    /** Every bad argument, of every client, is refused with one IllegalArgumentException that names none. */
    UNNAMED_ARGUMENT_ERRORS,
    /** A send the broker refuses (a topic name Kafka does not allow) is reported as a success; createTopic accepts the name. */
    INVALID_TOPIC_ACCEPTED,
    /** A send callback that throws is ignored without a log line. */
    SEND_CALLBACK_FAILURE_NOT_LOGGED,
    /** On {@code send} (not {@code sendSync}) the MDC's trace_id replaces an explicit trace_id header. */
    MDC_OVERRIDES_EXPLICIT_HEADER,
    /** The producer adds a header of its own to every message. */
    EXTRA_HEADER,
    /** sendSync returns at once and leaves the message in a buffer that only the next send or close() flushes. */
    SYNC_SEND_BUFFERED,
    /** A producer stores every message in the topic of its first message. */
    STICKY_TOPIC,
    /** createTopic on a topic that exists throws. */
    CREATE_EXISTING_TOPIC_FAILS,
    /** createTopic makes one partition more than asked. */
    EXTRA_PARTITION,

    // ---------------------------------------------------------------- what the consumer hands over

    /** Empty keys, values and header values arrive as null. */
    EMPTY_AS_NULL,
    /** Null keys, values and header values arrive as empty arrays. */
    NULL_AS_EMPTY,
    /** Values over 64 KiB arrive cut to 64 KiB. */
    TRUNCATE_LARGE_VALUES,
    /** Header names arrive in lower case. */
    HEADER_NAMES_LOWER_CASED,
    /** Headers arrive sorted by name instead of in the order they were added. */
    HEADERS_SORTED,
    /** A received message's timestamp is the time it was delivered, not the one stored with it. */
    DELIVERY_TIME_AS_TIMESTAMP,
    /** The offsets of a partition start at 1. */
    OFFSETS_FROM_ONE,
    /** A received message's offset is its index in a batch of 10, not its offset in the partition. */
    OFFSET_IN_BATCH,
    /** The consumer decodes values into one reused array per length: a received value changes when the next arrives. */
    REUSED_VALUE_BUFFER,

    // ---------------------------------------------------------------- consumer groups and commits

    /** The consumer hands every 50th message of a partition to the callback twice. */
    DUPLICATE_EVERY_50TH,
    /** Each member of a group gets every message (no partition ownership). */
    BROADCAST,
    /** Group ids are compared ignoring case. */
    GROUP_ID_CASE_INSENSITIVE,
    /** The group id is ignored: every consumer of the broker is in one group. */
    GROUP_ID_IGNORED,
    /** Only the first topic of a subscription is consumed. */
    ONLY_FIRST_TOPIC,
    /** A topic named n times in one subscribe has each of its messages handed to the callback n times. */
    REPEATED_TOPIC_TWICE,
    /** The consumer commits a message before its callback runs. */
    COMMIT_BEFORE_PROCESSING,
    /** Processed offsets are never committed on the interval, only on close and revocation. */
    NO_INTERVAL_COMMIT,
    /** close() leaves the group without committing. */
    NO_COMMIT_ON_CLOSE,
    /** Partitions taken away in a rebalance are not committed. */
    NO_COMMIT_ON_REVOKE,
    /** A crash commits what was processed, as a clean close would. */
    CRASH_COMMITS,
    /** A member that leaves, by close or crash, keeps owning its partitions: nobody consumes them any more. */
    DEPARTED_MEMBER_KEEPS_PARTITIONS,
    /** A new group always starts at the end, also with earliest. */
    IGNORE_EARLIEST,
    /** A new group always starts at the beginning. */
    IGNORE_LATEST,
    /** Committed offsets are ignored: a member always starts at the reset position. */
    IGNORE_COMMITTED,

    // ---------------------------------------------------------------- callbacks, close and subscribe

    /** A callback that throws ends subscribe. */
    STOP_ON_CALLBACK_ERROR,
    /** A message whose callback threw is delivered again, once. */
    RETRY_FAILED_CALLBACK,
    /** Callback failures are swallowed without a log line. */
    NO_ERROR_LOG,
    /** The log line of a callback failure lacks the message's trace_id. */
    FAILURE_LOG_WITHOUT_TRACE_ID,
    /** No trace_id header on send, no MDC in the callback. */
    NO_TRACE,
    /** After a callback that throws, the MDC keeps that message's trace_id: the next untraced callback sees it. */
    MDC_KEPT_AFTER_THROWING_CALLBACK,
    /** A second close() of a producer or consumer throws IllegalStateException. */
    CLOSE_TWICE_THROWS,
    /** close() from inside the callback waits for subscribe to return: a deadlock. */
    CLOSE_INSIDE_DEADLOCKS,
    /** A callback that failed because its thread was interrupted counts as processed and is committed. */
    INTERRUPT_COUNTS_AS_PROCESSED,
    /** subscribe can be called again while it runs, or after close. */
    SUBSCRIBE_ANY_TIME,

    // ---------------------------------------------------------------- parallel consumption (concurrency > 1)

    /** Each batch fetched from a partition is handed to the dispatcher last message first: a key's messages run out of order. */
    BATCH_SUBMITTED_REVERSED,
    /** Every message gets a lane of its own, as if keys were compared by reference: one key's callbacks run at once. */
    LANES_IGNORE_KEY,
    /** All keys of a partition share one lane: callbacks of different keys never run at once. */
    ONE_LANE_PER_PARTITION,
    /** The offset after the highest one whose callback returned is committed instead of the contiguous prefix. */
    COMMIT_HIGHEST_COMPLETED,
    /** The dispatcher gets a window of a million messages instead of maxPendingPerPartition. */
    WINDOW_IGNORED,
    /** While any partition is at its window, nothing is fetched from any partition. */
    FULL_PARTITION_STOPS_ALL,
    /** close() stops the dispatcher at once: the callbacks in hand are neither waited for nor committed. */
    CLOSE_WITHOUT_WAITING,
    /** A callback of a message without a trace_id sees the trace_id of the last traced message its worker ran. */
    WORKER_STALE_TRACE_ID,

    // ---------------------------------------------------------------- retry and dead letter

    /** consumer.retry.maxAttempts is ignored: every message gets one attempt. */
    NO_RETRY,
    /** Dead letters are written without the provenance headers. */
    DEAD_LETTER_WITHOUT_PROVENANCE,
    /** A PermanentFailureException reaches the dispatcher re-wrapped without its cause: it is retried. */
    PERMANENT_RETRIED,
    /** Failure handling runs at concurrency 1 whatever is configured: a backoff holds the whole partition. */
    RETRY_BLOCKS_PARTITION,
    /** A dead letter of a dead letter keeps the earlier provenance headers too, renamed: it grows each time. */
    DEAD_LETTER_HEADERS_APPENDED,

    // ---------------------------------------------------------------- observers

    /** The clients report nothing to their observers. */
    OBSERVER_IGNORED,
    /** Headers an observer adds on send are not sent. */
    OBSERVER_HEADERS_DROPPED,
    /** A send's observation is never told where the message was stored. */
    SEND_LOCATION_NOT_OBSERVED,
    /** The first observer is called directly: what it throws reaches the caller or the consumer loop. */
    OBSERVER_UNGUARDED,
    /** The consumer loop never tells its observers it turned. */
    POLL_NOT_OBSERVED;

    static final String PROPERTY = "toy.faults";
}
