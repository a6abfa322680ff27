package io.gochat.mq;

/** The producer or consumer was closed before the operation could complete. */
public class MqClosedException extends MqException {
    private static final long serialVersionUID = 1L;

    public MqClosedException(String message) {
        super(message);
    }
}
