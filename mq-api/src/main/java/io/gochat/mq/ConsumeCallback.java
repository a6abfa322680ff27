package io.gochat.mq;

/**
 * Processes one consumed message. Runs on the thread that called {@link Consumer#subscribe}; within
 * a partition, calls are one at a time in offset order. While it runs, the SLF4J MDC holds the
 * message's {@code trace_id}.
 *
 * <p>When it returns, the message counts as processed and its offset will be committed. When it
 * throws, the error is logged with topic, partition, offset, key and trace id, the message also
 * counts as processed, and consumption goes on (the seed's rule: retry and dead-letter policies
 * belong on top).
 */
@FunctionalInterface
public interface ConsumeCallback {
    void handle(Message message) throws Exception;
}
