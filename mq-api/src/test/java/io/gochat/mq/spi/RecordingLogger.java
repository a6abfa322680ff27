package io.gochat.mq.spi;

import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.Marker;
import org.slf4j.spi.LoggingEventAware;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every fluent logging event, key-values included. */
final class RecordingLogger extends LegacyAbstractLogger implements LoggingEventAware {
    private static final long serialVersionUID = 1L;
    final List<LoggingEvent> events = new CopyOnWriteArrayList<>();

    RecordingLogger() {
        this.name = "recording";
    }

    /** The key-values of {@code event}, by key. */
    static Map<String, Object> keyValues(LoggingEvent event) {
        Map<String, Object> kv = new HashMap<>();
        for (KeyValuePair pair : event.getKeyValuePairs()) {
            kv.put(pair.key, pair.value);
        }
        return kv;
    }

    @Override
    public void log(LoggingEvent event) {
        events.add(event);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String msg, Object[] args, Throwable t) {
        throw new AssertionError("expected fluent logging with key-values, got: " + msg);
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
