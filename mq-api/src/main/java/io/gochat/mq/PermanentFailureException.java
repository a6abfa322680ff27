package io.gochat.mq;

/**
 * Thrown by a {@link ConsumeCallback} to say that its message can never succeed — it is malformed,
 * refers to something that does not exist, breaks a rule — so retrying it is pointless. The
 * consumer does not retry it, whatever {@code consumer.retry.maxAttempts} says: it goes straight
 * to the dead-letter topic ({@code consumer.deadLetter.topic}), or, without one, is logged and
 * counts as processed. An exception whose cause chain holds a {@code PermanentFailureException}
 * counts as one too.
 *
 * <pre>{@code
 * consumer.subscribe(List.of("gochat.messages.push"), message -> {
 *     Push push = Push.parse(message.value()); // throws on bad JSON
 *     if (push == null) {
 *         throw new PermanentFailureException("not a push: " + message.valueAsString());
 *     }
 *     pushService.send(push); // an IOException here is retried
 * });
 * }</pre>
 */
public class PermanentFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PermanentFailureException(String message) {
        super(message);
    }

    public PermanentFailureException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether {@code failure}, or one of its causes, is a {@code PermanentFailureException}. */
    public static boolean isPermanent(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PermanentFailureException) {
                return true;
            }
        }
        return false;
    }
}
