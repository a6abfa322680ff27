package io.gochat.mq.observe;

/** One callback run, as an observer follows it. */
public interface ConsumeObservation {
    /** Hears nothing. */
    ConsumeObservation NONE = new ConsumeObservation() {
    };

    /**
     * The callback returned or threw: once, on the thread that ran it, before the message's
     * {@code trace_id} leaves the MDC. {@code failure} is what it threw, or {@code null}.
     */
    default void completed(Outcome outcome, Throwable failure) {
    }

    /** How a callback run ended. */
    enum Outcome {
        /** It returned. */
        SUCCESS,
        /** It threw: the message is retried, dead-lettered, or logged and counted as processed. */
        FAILURE,
        /** It threw while its thread was interrupted: not processed, the consumer stops. */
        CANCELLED
    }
}
