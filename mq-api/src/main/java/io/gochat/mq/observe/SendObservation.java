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
     * The send ended: acknowledged ({@code error == null}) or failed. Called once, on a transport
     * thread, before the send's callback runs.
     */
    default void completed(Throwable error) {
    }
}
