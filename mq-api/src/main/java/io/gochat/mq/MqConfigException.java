package io.gochat.mq;

/**
 * The configuration is missing or invalid. Thrown when a client is created, never later. The
 * message names the key, the bad value, what is allowed and where the configuration came from,
 * for example {@code producer.compression: expected one of [none, gzip, snappy, lz4, zstd] but
 * was [lz5] (file /etc/gochat/kafka.yaml)}.
 */
public class MqConfigException extends MqException {
    private static final long serialVersionUID = 1L;

    public MqConfigException(String message) {
        super(message);
    }

    public MqConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
