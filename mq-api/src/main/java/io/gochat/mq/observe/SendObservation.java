package io.gochat.mq.observe;

import java.util.Map;

/** One send, as an observer follows it. */
public interface SendObservation {
    /** Adds nothing, hears nothing. */
    SendObservation NONE = new SendObservation() {
    };

    /**
     * Headers to add to the record sent (replacing headers of the same name), read once, right
     * after {@link ClientObserver#sendStarted}, on the sending thread; the caller's message is not
     * changed. A tracer puts {@code traceparent} here, and {@code trace_id} to match its trace.
     */
    default Map<String, byte[]> headers() {
        return Map.of();
    }

    /**
     * Where the broker stored the message: {@code offset} in {@code partition} of its topic. Called
     * once, on a transport thread, right before {@link #completed completed(null)}; never for a send
     * that failed. {@code offset} is -1 when the transport does not learn it (Kafka with
     * {@code acks: 0}). A tracer records it on the send's span.
     */
    default void acknowledged(int partition, long offset) {
    }

    /**
     * The send ended: acknowledged ({@code error == null}) or failed. Called once, on a transport
     * thread, before the send's callback runs.
     */
    default void completed(Throwable error) {
    }
}
