package io.gochat.mq.spi;

import io.gochat.mq.ConsumeCallback;
import io.gochat.mq.Message;
import io.gochat.mq.SendCallback;
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
     * counts as processed (the seed's rule).
     *
     * @return {@code true} if the callback returned normally
     * @throws VirtualMachineError never swallowed
     */
    public static boolean consume(ConsumeCallback callback, Message message, Logger logger) {
        try (TraceContext.Scope ignored = TraceContext.open(message)) {
            try {
                callback.handle(message);
                return true;
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                logger.atError()
                        .setMessage("consume callback failed; the message counts as processed and consumption goes on")
                        .addKeyValue("topic", message.topic())
                        .addKeyValue("partition", message.partition())
                        .addKeyValue("offset", message.offset())
                        .addKeyValue("key", message.keyAsString())
                        .addKeyValue("trace_id", message.traceId())
                        .setCause(e)
                        .log();
                return false;
            }
        }
    }

    /**
     * Tells {@code callback} how a send ended. An exception it throws is logged at WARN and
     * otherwise ignored, so one bad callback cannot stop a transport's I/O thread.
     */
    public static void complete(SendCallback callback, Throwable error, Message message, Logger logger) {
        try {
            callback.onComplete(error);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            logger.atWarn()
                    .setMessage("send callback threw; ignored")
                    .addKeyValue("topic", message.topic())
                    .addKeyValue("trace_id", message.traceId())
                    .setCause(e)
                    .log();
        }
    }
}
