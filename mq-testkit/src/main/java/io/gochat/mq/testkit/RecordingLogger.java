package io.gochat.mq.testkit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An SLF4J logger, given to a client with {@code Option.withLogger}, that records every event —
 * fluent ones ({@code atError().addKeyValue(..)}) with their key-values — and passes it on to the
 * real logger of the same name so the output stays readable. Thread-safe.
 */
final class RecordingLogger extends LegacyAbstractLogger implements LoggingEventAware {
    private static final long serialVersionUID = 1L;

    /** One recorded event; key-values keep their order, values as given. */
    static final class Event {
        final Level level;
        final String message;
        final Map<String, Object> keyValues;
        final Throwable throwable;

        Event(Level level, String message, Map<String, Object> keyValues, Throwable throwable) {
            this.level = level;
            this.message = message;
            this.keyValues = keyValues;
            this.throwable = throwable;
        }

        @Override
        public String toString() {
            return level + " " + message + " " + keyValues + (throwable == null ? "" : " " + throwable);
        }
    }

    private final transient Logger delegate;
    private final transient List<Event> events = Collections.synchronizedList(new ArrayList<>());

    RecordingLogger(String name) {
        this.name = name;
        this.delegate = LoggerFactory.getLogger(name);
    }

    /** A snapshot of what was logged so far. */
    List<Event> events() {
        synchronized (events) {
            return new ArrayList<>(events);
        }
    }

    @Override
    public void log(LoggingEvent event) {
        Map<String, Object> keyValues = new LinkedHashMap<>();
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            for (KeyValuePair pair : pairs) {
                keyValues.put(pair.key, pair.value);
            }
        }
        String message = MessageFormatter.basicArrayFormat(event.getMessage(), event.getArgumentArray());
        events.add(new Event(event.getLevel(), message, Collections.unmodifiableMap(keyValues), event.getThrowable()));
        delegate.atLevel(event.getLevel())
                .setMessage(message + " " + keyValues)
                .setCause(event.getThrowable())
                .log();
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern, Object[] arguments,
                                               Throwable throwable) {
        String message = MessageFormatter.basicArrayFormat(messagePattern, arguments);
        events.add(new Event(level, message, Map.of(), throwable));
        delegate.atLevel(level).setMessage(message).setCause(throwable).log();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    public boolean isTraceEnabled() {
        return true;
    }

    @Override
    public boolean isDebugEnabled() {
        return true;
    }

    @Override
    public boolean isInfoEnabled() {
        return true;
    }

    @Override
    public boolean isWarnEnabled() {
        return true;
    }

    @Override
    public boolean isErrorEnabled() {
        return true;
    }
}
