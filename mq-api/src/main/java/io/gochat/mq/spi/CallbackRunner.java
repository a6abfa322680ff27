package io.gochat.mq.spi;

import io.gochat.mq.ConsumeCallback;
import io.gochat.mq.Message;
import io.gochat.mq.SendCallback;
import io.gochat.mq.observe.ClientObserver;
import io.gochat.mq.observe.ConsumeObservation;
import org.slf4j.Logger;

/**
 * Runs user callbacks the way every transport must: with the trace id in the MDC, and with their
 * failures logged instead of breaking the transport's thread. Stateless.
 */
public final class CallbackRunner {
    private CallbackRunner() {
    }

    /**
     * Runs {@code callback} for one consumed message with its trace id in the MDC. A callback that
     * throws is logged at ERROR with topic, partition, offset, key and trace id; the message still
     * counts as processed (the seed's rule) — unless the thread is interrupted when it returns
     * {@code false}: that is a cancellation, and the transport must stop before marking the message
     * processed, so that the next member gets it (what the log line then says).
     *
     * @return {@code true} if the callback returned normally
     * @throws VirtualMachineError never swallowed
     */
    public static boolean consume(ConsumeCallback callback, Message message, Logger logger) {
        try (TraceContext.Scope ignored = TraceContext.open(message)) {
            return handle(callback, message, logger);
        }
    }

    private static boolean handle(ConsumeCallback callback, Message message, Logger logger) {
        Throwable e = attempt(callback, message);
        if (e == null) {
            return true;
        }
        logFailure(message, e, logger);
        return false;
    }

    /** Runs {@code callback}; returns what it threw, or {@code null}. An {@link InterruptedException} re-sets the interrupt flag. */
    private static Throwable attempt(ConsumeCallback callback, Message message) {
        try {
            callback.handle(message);
            return null;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return e;
        }
    }

    /**
     * Logs a failed callback at ERROR, the seed's way: counted as processed, or, when the thread is
     * interrupted, a cancellation whose message is delivered again.
     */
    static void logFailure(Message message, Throwable e, Logger logger) {
        logger.atError()
                .setMessage(Thread.currentThread().isInterrupted()
                        ? "consume callback failed and its thread is interrupted; the consumer stops and the"
                                + " message is not committed: it will be delivered again"
                        : "consume callback failed; the message counts as processed and consumption goes on")
                .addKeyValue("topic", message.topic())
                .addKeyValue("partition", message.partition())
                .addKeyValue("offset", message.offset())
                .addKeyValue("key", message.keyAsString())
                .addKeyValue("trace_id", message.traceId())
                .setCause(e)
                .log();
    }

    /**
     * Runs one consumer's callbacks, message after message, on the thread that {@link #start}ed it:
     * {@link #consume(ConsumeCallback, Message, Logger)} for a poll loop. It takes the thread's own
     * {@code trace_id} out of the MDC once, at start, and puts it back on {@link #close}; in
     * between, each callback sees its message's trace id or none, as with {@code consume}, for
     * one MDC read per untraced message instead of two. The transport's own log lines between
     * callbacks therefore carry no {@code trace_id}. Not thread-safe.
     *
     * <pre>{@code
     * try (CallbackRunner.ConsumeLoop loop = CallbackRunner.ConsumeLoop.start(callback, log)) {
     *     while (running) {
     *         for (Message m : fetch()) {
     *             loop.consume(m);
     *             markProcessed(m);
     *         }
     *     }
     * }
     * }</pre>
     */
    public static final class ConsumeLoop implements AutoCloseable {
        private final ConsumeCallback callback;
        private final Logger logger;
        private final TraceContext.Scope outer;
        private final ClientObserver observer;

        private ConsumeLoop(ConsumeCallback callback, Logger logger, ClientObserver observer) {
            this.callback = callback;
            this.logger = logger;
            this.observer = observer;
            this.outer = TraceContext.clear();
        }

        /** Starts a loop on the calling thread; close it on the same thread. */
        public static ConsumeLoop start(ConsumeCallback callback, Logger logger) {
            return new ConsumeLoop(callback, logger, ClientObserver.NONE);
        }

        /**
         * Starts a loop on the calling thread whose callbacks {@code observer} sees
         * ({@link ClientObserver#consumeStarted}, then the observation's completion, with the
         * message's trace id in the MDC); close it on the same thread.
         */
        public static ConsumeLoop start(ConsumeCallback callback, Logger logger, ClientObserver observer) {
            return new ConsumeLoop(callback, logger, observer);
        }

        /**
         * Runs the callback for {@code message}, as {@link CallbackRunner#consume} does.
         *
         * @return {@code true} if the callback returned normally
         */
        public boolean consume(Message message) {
            try (TraceContext.Scope ignored = TraceContext.openCleared(message)) {
                if (observer == ClientObserver.NONE) {
                    return handle(callback, message, logger);
                }
                Throwable e = observed(message, 1);
                if (e != null) {
                    logFailure(message, e, logger);
                }
                return e == null;
            }
        }

        /** Runs the callback between the observer's start and completion; returns what it threw. */
        private Throwable observed(Message message, int attempt) {
            ConsumeObservation observation = observer.consumeStarted(message, attempt);
            Throwable e = CallbackRunner.attempt(callback, message);
            observation.completed(e == null ? ConsumeObservation.Outcome.SUCCESS
                    : Thread.currentThread().isInterrupted() ? ConsumeObservation.Outcome.CANCELLED
                    : ConsumeObservation.Outcome.FAILURE, e);
            return e;
        }

        /**
         * Runs the callback for {@code message} with its trace id in the MDC, and logs nothing:
         * the caller decides what a failure means (a retry, a dead letter).
         *
         * @param attempt 1 for the first call of the callback for {@code message}, 2 for the first retry
         * @return what the callback threw, or {@code null} if it returned normally
         */
        public Throwable attempt(Message message, int attempt) {
            try (TraceContext.Scope ignored = TraceContext.openCleared(message)) {
                return observed(message, attempt);
            }
        }

        /** Gives the thread its own trace id back. */
        @Override
        public void close() {
            outer.close();
        }
    }

    /**
     * Tells {@code callback} how a send ended. An exception it throws is logged at WARN with the
     * message's topic and trace id, and otherwise ignored, so one bad callback cannot stop a
     * transport's I/O thread.
     */
    public static void complete(SendCallback callback, Throwable error, Message message, Logger logger) {
        Throwable thrown = run(callback, error);
        if (thrown != null) { // the trace id is read only now: decoding it costs a String per send
            logSendCallbackFailure(logger, message.topic(), message.traceId(), thrown);
        }
    }

    /**
     * {@link #complete(SendCallback, Throwable, Message, Logger)} for a transport that no longer
     * holds the {@link Message} it sent, or that added a trace id to the headers it sent:
     * {@code traceId} is the one that went out (or {@code null}).
     */
    public static void complete(SendCallback callback, Throwable error, String topic, String traceId, Logger logger) {
        Throwable thrown = run(callback, error);
        if (thrown != null) {
            logSendCallbackFailure(logger, topic, traceId, thrown);
        }
    }

    /** Runs {@code callback}; returns what it threw, or {@code null}. */
    private static Throwable run(SendCallback callback, Throwable error) {
        try {
            callback.onComplete(error);
            return null;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            return e;
        }
    }

    private static void logSendCallbackFailure(Logger logger, String topic, String traceId, Throwable thrown) {
        logger.atWarn()
                .setMessage("send callback threw; ignored")
                .addKeyValue("topic", topic)
                .addKeyValue("trace_id", traceId)
                .setCause(thrown)
                .log();
    }
}
