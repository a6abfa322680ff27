package io.gochat.mq.coord;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.stream.Collectors;

/** Records what a Logback logger (and its children) logs, for assertions on log lines. */
final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(String name) {
        this.logger = (Logger) LoggerFactory.getLogger(name);
        appender.start();
        logger.addAppender(appender);
    }

    /** Captures {@code name} and the loggers below it. */
    static LogCapture of(String name) {
        return new LogCapture(name);
    }

    /** Captures every logger. */
    static LogCapture all() {
        return new LogCapture(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    /** A logger of a unique name below {@code io.gochat.mq.coord.test}, captured by {@link #of} its parent. */
    static org.slf4j.Logger testLogger(String name) {
        return LoggerFactory.getLogger("io.gochat.mq.coord.test." + name);
    }

    List<ILoggingEvent> events() {
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    List<ILoggingEvent> at(Level level) {
        return events().stream().filter(e -> e.getLevel() == level).collect(Collectors.toList());
    }

    /** Each event as one line: level, logger, message, key-values and the stack trace, if any. */
    List<String> lines() {
        return events().stream().map(LogCapture::line).collect(Collectors.toList());
    }

    static String line(ILoggingEvent e) {
        StringBuilder sb = new StringBuilder().append(e.getLevel()).append(' ').append(e.getLoggerName()).append(' ')
                .append(e.getFormattedMessage());
        if (e.getKeyValuePairs() != null) {
            e.getKeyValuePairs().forEach(kv -> sb.append(' ').append(kv.key).append('=').append(kv.value));
        }
        if (e.getThrowableProxy() != null) {
            sb.append('\n').append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
        }
        return sb.toString();
    }

    /** The value of key {@code key} in {@code e}, or null. */
    static Object value(ILoggingEvent e, String key) {
        if (e.getKeyValuePairs() == null) {
            return null;
        }
        return e.getKeyValuePairs().stream().filter(kv -> kv.key.equals(key)).map(kv -> kv.value).findFirst().orElse(null);
    }

    void setLevel(Level level) {
        logger.setLevel(level);
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
