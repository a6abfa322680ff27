package io.gochat.mq.inmemory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/** Records what one logger logs until closed. Events may come from any thread. */
final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(String name) {
        logger = (Logger) LoggerFactory.getLogger(name);
        appender.start();
        logger.addAppender(appender);
    }

    /** Starts recording {@code name}, e.g. {@code io.gochat.mq.consumer}. */
    static LogCapture of(String name) {
        return new LogCapture(name);
    }

    /** What was logged so far, in order; a copy. */
    List<ILoggingEvent> events() {
        synchronized (appender) { // the appender appends under its own monitor
            return new ArrayList<>(appender.list);
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
