package io.gochat.mq;

import io.gochat.mq.config.MqConfig;
import org.slf4j.Logger;

import java.util.Objects;

/**
 * An optional argument of the {@link Mq} factories (the seed's {@code WithLogger} and friends).
 * When the same kind is given twice, the last one wins. Immutable.
 */
public final class Option {
    enum Kind { LOGGER, CONFIG, TRANSPORT, OBSERVER }

    final Kind kind;
    final Object value;

    private Option(Kind kind, Object value) {
        this.kind = kind;
        this.value = value;
    }

    /** Logs through {@code logger} instead of {@code io.gochat.mq.<component>}. */
    public static Option withLogger(Logger logger) {
        return new Option(Kind.LOGGER, Objects.requireNonNull(logger, "logger must not be null"));
    }

    /** Uses {@code config} and skips configuration loading (file, Consul, class path). */
    public static Option withConfig(MqConfig config) {
        return new Option(Kind.CONFIG, Objects.requireNonNull(config, "config must not be null"));
    }

    /**
     * Picks the transport by name ({@code "kafka"}, {@code "inmemory"}, …), before the
     * {@code mq.transport} system property, the {@code MQ_TRANSPORT} variable and the
     * configuration's {@code transport} key.
     */
    public static Option withTransport(String name) {
        Objects.requireNonNull(name, "transport name must not be null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("transport name must not be blank");
        }
        return new Option(Kind.TRANSPORT, name.trim());
    }

    /**
     * Adds an observer of the client (metrics, tracing, health; see {@link io.gochat.mq.observe}).
     * Unlike the other options, every one given counts, after those found by
     * {@link java.util.ServiceLoader}.
     */
    public static Option withObserver(io.gochat.mq.observe.MqObserver observer) {
        return new Option(Kind.OBSERVER, Objects.requireNonNull(observer, "observer must not be null"));
    }

    @Override
    public String toString() {
        return "Option." + kind + (kind == Kind.TRANSPORT ? "(" + value + ")" : "");
    }
}
