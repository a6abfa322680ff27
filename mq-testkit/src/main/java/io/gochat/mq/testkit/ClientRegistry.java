package io.gochat.mq.testkit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What one contract test opened — clients, recording consumers, threads, gates — closed in reverse
 * order after the test, so a failing test leaks no threads into the next. Each step runs on a
 * daemon thread and is given a bounded time, so a client whose {@code close()} hangs fails the
 * test instead of hanging the suite. Thread-safe.
 */
final class ClientRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ClientRegistry.class);

    private final Deque<Step> steps = new ArrayDeque<>();

    private static final class Step {
        final String name;
        final AutoCloseable action;

        Step(String name, AutoCloseable action) {
            this.name = name;
            this.action = action;
        }
    }

    /** Registers {@code closeable} to be closed after the test; returns it. */
    <T extends AutoCloseable> T add(T closeable) {
        return add(String.valueOf(closeable), closeable);
    }

    /** Registers {@code action} under {@code name}; returns it. */
    <T extends AutoCloseable> T add(String name, T action) {
        synchronized (steps) {
            steps.push(new Step(name, action));
        }
        return action;
    }

    /**
     * Runs every registered step, newest first, each within {@code timeout}.
     *
     * @throws AssertionError naming every step that did not finish in time
     */
    void closeAll(Duration timeout) {
        List<String> hung = new ArrayList<>();
        while (true) {
            Step step;
            synchronized (steps) {
                step = steps.poll();
            }
            if (step == null) {
                break;
            }
            if (!runBounded(step, timeout)) {
                hung.add(step.name);
            }
        }
        if (!hung.isEmpty()) {
            throw new AssertionError("clean-up did not finish within " + timeout + " for " + hung
                    + " (a close() that hangs breaks the contract)");
        }
    }

    private static boolean runBounded(Step step, Duration timeout) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                step.action.close();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "mq-testkit-cleanup");
        thread.setDaemon(true);
        thread.start();
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null) {
            LOG.atDebug().setMessage("clean-up step failed; ignored").addKeyValue("step", step.name)
                    .setCause(failure.get()).log();
        }
        return !thread.isAlive();
    }
}
