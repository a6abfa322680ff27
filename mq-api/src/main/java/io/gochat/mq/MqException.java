package io.gochat.mq;

/**
 * The root of every error this library reports. Unchecked: a caller that wants to branch catches
 * one of the few subtypes — {@link MqConfigException}, {@link MqClosedException},
 * {@link MqTimeoutException} — and everything else is a failure of the transport (the broker
 * refused the message, the credentials are wrong, …) whose message says what happened and whose
 * cause, when there is one, is the transport's own exception.
 */
public class MqException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MqException(String message) {
        super(message);
    }

    public MqException(String message, Throwable cause) {
        super(message, cause);
    }
}
