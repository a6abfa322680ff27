package io.gochat.mq;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.NOPLoggerFactory;
import org.slf4j.helpers.NOPMDCAdapter;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class LoggingBackendCheckTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8);

    private String printed() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("without an SLF4J provider, the warning goes to stderr and names the backend to add")
    void noProvider() {
        new LoggingBackendCheck(new NOPLoggerFactory(), new NOPMDCAdapter(), stderr).checkOnce();

        assertThat(printed()).isEqualTo("WARN gochat-mq: no SLF4J provider is bound (SLF4J uses NOP): the library's"
                + " logs are discarded and trace_id cannot reach log lines; add a logging backend with an MDC,"
                + " e.g. ch.qos.logback:logback-classic" + System.lineSeparator());
    }

    @Test
    @DisplayName("a backend whose MDC keeps nothing gets a WARN through the backend naming the MDC adapter")
    void mdcKeepsNothing() {
        LoggerContext backend = new LoggerContext();
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        backend.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);

        new LoggingBackendCheck(backend, new NOPMDCAdapter(), stderr).checkOnce();

        assertThat(printed()).isEmpty();
        assertThat(appender.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel().toString()).isEqualTo("WARN");
            assertThat(e.getFormattedMessage()).isEqualTo("the SLF4J backend " + LoggerContext.class.getName()
                    + " has no MDC (org.slf4j.helpers.NOPMDCAdapter keeps nothing): trace_id will be missing from"
                    + " every log line; add a logging backend with an MDC, e.g. ch.qos.logback:logback-classic");
        });
    }

    @Test
    @DisplayName("a backend with a working MDC gets no warning, and the probe leaves the caller's MDC as it was")
    void workingBackend() {
        BasicMDCAdapter mdc = new BasicMDCAdapter();
        mdc.put("trace_id", "t-1");
        LoggingBackendCheck check = new LoggingBackendCheck(LoggerFactory.getILoggerFactory(), mdc, stderr);

        assertThat(check.problem()).isEmpty();
        assertThat(mdc.getCopyOfContextMap()).containsExactly(java.util.Map.entry("trace_id", "t-1"));
        assertThat(new LoggingBackendCheck(LoggerFactory.getILoggerFactory(), MDC.getMDCAdapter(), stderr).problem())
                .as("this build's own backend, logback").isEmpty();
    }

    @Test
    @DisplayName("the warning is printed once however many clients are created, from however many threads")
    void once() throws Exception {
        LoggingBackendCheck check = new LoggingBackendCheck(new NOPLoggerFactory(), new NOPMDCAdapter(), stderr);
        Thread[] clients = new Thread[3];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = new Thread(check::checkOnce);
            clients[i].start();
        }
        for (Thread client : clients) {
            client.join(10_000);
        }
        check.checkOnce();

        assertThat(printed().lines()).singleElement().asString().startsWith("WARN gochat-mq: no SLF4J provider is bound");
    }
}
