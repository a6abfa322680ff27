package io.gochat.mq;

import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.helpers.NOPLoggerFactory;
import org.slf4j.spi.MDCAdapter;

import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Says, once per JVM at the first client, when the logging set-up loses what the library logs or
 * the trace ids it puts in the MDC: no SLF4J provider bound (SLF4J 2 falls back to NOP and says so
 * only once, easily missed), or a backend whose MDC keeps nothing (slf4j-simple, slf4j-nop), so
 * {@code trace_id} is silently absent from every log line.
 *
 * <p>Without a provider a log call goes nowhere, so that warning is printed on {@code System.err};
 * the MDC warning goes through the backend, which does print.
 *
 * <p>Thread-safe: {@link #checkOnce} reports at most once, whichever thread calls it first.
 */
final class LoggingBackendCheck {
    static final String ADD_BACKEND = "add a logging backend with an MDC, e.g. ch.qos.logback:logback-classic";
    private static final String PROBE_KEY = "io.gochat.mq.mdc-probe";

    private final ILoggerFactory factory;
    private final MDCAdapter mdc;
    private final PrintStream stderr;
    private final AtomicBoolean done = new AtomicBoolean();

    LoggingBackendCheck(ILoggerFactory factory, MDCAdapter mdc, PrintStream stderr) {
        this.factory = factory;
        this.mdc = mdc;
        this.stderr = stderr;
    }

    /** The check of this JVM's SLF4J set-up, printing on {@code System.err}. */
    static LoggingBackendCheck ofThisJvm() {
        return new LoggingBackendCheck(LoggerFactory.getILoggerFactory(), MDC.getMDCAdapter(), System.err);
    }

    /** Reports the first time it is called, if anything is wrong; does nothing after. */
    void checkOnce() {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        Optional<String> problem = problem();
        if (problem.isEmpty()) {
            return;
        }
        if (factory instanceof NOPLoggerFactory) {
            stderr.println("WARN gochat-mq: " + problem.get());
        } else {
            Logger log = factory.getLogger("io.gochat.mq.Mq");
            log.atWarn().setMessage(problem.get()).addKeyValue("mdcAdapter", mdc.getClass().getName()).log();
        }
    }

    /** What is wrong with the set-up, or empty when logs and trace ids reach the log lines. */
    Optional<String> problem() {
        if (factory instanceof NOPLoggerFactory) {
            return Optional.of("no SLF4J provider is bound (SLF4J uses NOP): the library's logs are discarded and"
                    + " trace_id cannot reach log lines; " + ADD_BACKEND);
        }
        if (!keeps(mdc)) {
            return Optional.of("the SLF4J backend " + factory.getClass().getName() + " has no MDC ("
                    + mdc.getClass().getName() + " keeps nothing): trace_id will be missing from every log line; "
                    + ADD_BACKEND);
        }
        return Optional.empty();
    }

    /** Puts a value in the MDC and reads it back, restoring what the caller had there. */
    private static boolean keeps(MDCAdapter mdc) {
        String before = mdc.get(PROBE_KEY);
        String probe = "probe-" + System.nanoTime();
        mdc.put(PROBE_KEY, probe);
        try {
            return probe.equals(mdc.get(PROBE_KEY));
        } finally {
            if (before == null) {
                mdc.remove(PROBE_KEY);
            } else {
                mdc.put(PROBE_KEY, before);
            }
        }
    }
}
