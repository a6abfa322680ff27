package io.gochat.mq;

/**
 * Learns how an asynchronous {@link Producer#send} ended. Called exactly once per message, on a
 * transport thread: keep it short and never block in it. An exception it throws is logged and
 * otherwise ignored.
 */
@FunctionalInterface
public interface SendCallback {
    /**
     * @param error {@code null} when the broker acknowledged the message; otherwise why it was not
     *     delivered (an {@link MqException}, often with the transport's exception as cause)
     */
    void onComplete(Throwable error);
}
