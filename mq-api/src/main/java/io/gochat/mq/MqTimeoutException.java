package io.gochat.mq;

/** The operation did not complete within its configured bound; the message names the bound. */
public class MqTimeoutException extends MqException {
    private static final long serialVersionUID = 1L;

    public MqTimeoutException(String message) {
        super(message);
    }

    public MqTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
