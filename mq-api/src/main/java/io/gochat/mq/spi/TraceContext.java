package io.gochat.mq.spi;

import io.gochat.mq.Message;
import io.gochat.mq.internal.MessageAccess;
import org.slf4j.MDC;

/**
 * Carries the {@code trace_id} between the SLF4J MDC and the {@value Message#TRACE_ID_HEADER}
 * header. On send a transport calls {@link #traceIdToAdd} (or {@link #inject}, built on it); on
 * receipt {@link CallbackRunner} puts the message's trace id into the MDC. Stateless; callable
 * from any thread.
 */
public final class TraceContext {
    /** The MDC key, the same as the header name. */
    static final String MDC_KEY = Message.TRACE_ID_HEADER;

    private TraceContext() {
    }

    /**
     * The send rule, for transports that write headers themselves: the MDC's {@code trace_id} that
     * must be added to {@code message}'s headers, or {@code null} when nothing is to be added —
     * because the message has a {@code trace_id} header (a header present with a {@code null}
     * value means "explicitly no trace id" and is kept as it is) or the caller's MDC has none.
     * Call it on the sending thread: the MDC is per thread. Does not change {@code message}.
     */
    public static String traceIdToAdd(Message message) {
        // containsKey, not get: a header set to null is the sender's choice, not a missing one
        if (MessageAccess.headers(message).containsKey(Message.TRACE_ID_HEADER)) {
            return null;
        }
        return MDC.get(MDC_KEY);
    }

    /**
     * On send: {@code message} with the header {@link #traceIdToAdd} says to add, as a copy;
     * otherwise {@code message} itself. For transports that keep the {@link Message}; one that
     * serialises it can write {@code traceIdToAdd(message)} into its own headers instead of copying.
     */
    public static Message inject(Message message) {
        String traceId = traceIdToAdd(message);
        return traceId == null ? message : message.toBuilder().header(Message.TRACE_ID_HEADER, traceId).build();
    }

    /**
     * On receipt: puts the message's trace id (or nothing) into the MDC until the returned scope
     * is closed, which restores what the MDC held before.
     */
    static Scope open(Message message) {
        String previous = MDC.get(MDC_KEY);
        String traceId = message.traceId();
        if (traceId == null && previous == null) {
            return Scope.NONE; // the common case without tracing: nothing to set
        }
        if (traceId != null) {
            MDC.put(MDC_KEY, traceId);
        } else {
            MDC.remove(MDC_KEY);
        }
        return previous == null ? Scope.REMOVE : new Scope(previous); // here traceId != null if previous is null
    }

    /**
     * Takes the thread's {@code trace_id} out of the MDC until the returned scope is closed, which
     * puts it back; the start of a {@link CallbackRunner.ConsumeLoop}.
     */
    static Scope clear() {
        String previous = MDC.get(MDC_KEY);
        if (previous == null) {
            return Scope.NONE;
        }
        MDC.remove(MDC_KEY);
        return new Scope(previous);
    }

    /**
     * {@link #open} on a thread whose MDC holds no trace id, as inside a
     * {@link CallbackRunner.ConsumeLoop}: the scope's close leaves it without one again.
     */
    static Scope openCleared(Message message) {
        String traceId = message.traceId();
        if (traceId == null) {
            return Scope.NONE;
        }
        MDC.put(MDC_KEY, traceId);
        return Scope.REMOVE;
    }

    /** Restores the MDC's previous {@code trace_id} on close. Close it on the thread that opened it. */
    static final class Scope implements AutoCloseable {
        /** The scope on a thread that had no trace id: closing it leaves the MDC without one. */
        private static final Scope NONE = new Scope(null);
        /** {@link #NONE} after this scope put a trace id into the MDC: close removes it without reading first. */
        private static final Scope REMOVE = new Scope(null);

        private final String previous;

        private Scope(String previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            if (previous != null) {
                MDC.put(MDC_KEY, previous);
            } else if (this == REMOVE || MDC.get(MDC_KEY) != null) { // one the callback set: a read is cheaper than a remove
                MDC.remove(MDC_KEY);
            }
        }
    }
}
