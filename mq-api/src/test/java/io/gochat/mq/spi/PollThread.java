package io.gochat.mq.spi;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.awaitility.Awaitility.await;

/** What a transport's poll thread does between fetches, played by a dispatcher test's own thread. */
final class PollThread {
    private PollThread() {
    }

    /**
     * Drains {@code dispatcher} on this thread, then runs {@code afterDrain} (a transport's commit,
     * say), until {@code condition} holds or {@code timeout} passes.
     */
    static void pumpUntil(KeyOrderedDispatcher<String> dispatcher, String what, Duration timeout,
                          BooleanSupplier condition, Runnable afterDrain) {
        await(what).atMost(timeout).pollInSameThread().pollInterval(Duration.ofMillis(1)).until(() -> {
            dispatcher.drain();
            afterDrain.run();
            if (condition.getAsBoolean()) {
                return true;
            }
            dispatcher.awaitCompletion(TimeUnit.MILLISECONDS.toNanos(20));
            return false;
        });
    }

    /** The last committable offset the dispatcher reported for {@code partition}, or -1. */
    static long lastReported(Map<String, List<Long>> reported, String partition) {
        List<Long> all = reported.getOrDefault(partition, List.of());
        return all.isEmpty() ? -1 : all.get(all.size() - 1);
    }
}
