package io.gochat.mq.observe;

import io.gochat.mq.Message;

import java.util.Collection;

/**
 * Observes one client, from its creation to {@link #closed()}. Every method has a no-op default;
 * implement what you need. Methods are called on the client's threads (the sending thread, the
 * transport's I/O thread, the thread that polls, the threads that run callbacks), so they must be
 * thread-safe and quick. An exception thrown here is logged at WARN and ignored.
 */
public interface ClientObserver {
    /** Observes nothing. */
    ClientObserver NONE = new ClientObserver() {
    };

    /**
     * A send starts, on the thread that called {@code send} or {@code sendSync}, before the
     * transport takes the message. The returned observation may add headers to what is sent
     * (trace propagation) and hears how the send ended.
     */
    default SendObservation sendStarted(Message message) {
        return SendObservation.NONE;
    }

    /**
     * A consume callback is about to run for {@code message}, on the thread that runs it, with the
     * message's {@code trace_id} already in the MDC. {@code attempt} is 1 for the first call, 2 for
     * the first retry (consumer.retry). The returned observation is completed on the same thread.
     */
    default ConsumeObservation consumeStarted(Message message, int attempt) {
        return ConsumeObservation.NONE;
    }

    /** The consumer's loop turned (it polls, or waits for its broker): a sign of life, called often. */
    default void polled() {
    }

    /** The consumer subscribed: its loop runs from now until close. */
    default void subscribed(Collection<String> topics) {
    }

    /**
     * Offsets of a partition were committed: every message before {@code offset} is processed.
     * {@code logEndOffset} is the partition's end (the offset the next message written gets) as
     * the consumer last saw it, or -1 when unknown: {@code logEndOffset - offset} is the committed
     * lag, what {@code kafka-consumer-groups --describe} reports.
     */
    default void committed(Partition partition, long offset, long logEndOffset) {
    }

    /** Partitions were assigned to this consumer, revoked from it, lost, paused or resumed. */
    default void partitions(PartitionChange change, Collection<Partition> partitions) {
    }

    /** A failed callback will be tried again, attempt {@code attempt + 1}, after {@code delayNanos}. */
    default void retryScheduled(Message message, int attempt, long delayNanos, Throwable failure) {
    }

    /** A message that failed {@code attempts} times was published to {@code deadLetterTopic} and acknowledged. */
    default void deadLettered(Message message, String deadLetterTopic, int attempts, Throwable failure) {
    }

    /** The client is closed: nothing more is reported; release what belongs to it. */
    default void closed() {
    }

    /** How a consumer's partitions changed. */
    enum PartitionChange {
        /** The group gave them to this consumer. */
        ASSIGNED,
        /** The group took them back in a rebalance, after their offsets were committed. */
        REVOKED,
        /** Another member already owns them: dropped without a commit. */
        LOST,
        /** Fetching from them stopped: they hold {@code maxPendingPerPartition} uncommitted messages. */
        PAUSED,
        /** Fetching from them goes on. */
        RESUMED
    }
}
