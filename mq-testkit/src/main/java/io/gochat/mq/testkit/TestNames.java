package io.gochat.mq.testkit;

import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Unique topic and group names for tests, so a suite can run repeatedly and in parallel against
 * one broker without seeing another run's messages or committed offsets.
 *
 * <pre>{@code
 * String topic = TestNames.topic("orders");   // "mq-test-orders-5k2x9q-1"
 * String group = TestNames.group("billing");  // "mq-test-billing-g-5k2x9q-2"
 * }</pre>
 *
 * <p>Names use only the characters Kafka allows ({@code [a-zA-Z0-9._-]}) and stay well below its
 * 249-character limit. Stateless apart from a counter; callable from any thread.
 */
public final class TestNames {
    private static final int MAX_PURPOSE = 60;
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final String RUN = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 45), 36);

    private TestNames() {
    }

    /**
     * A topic name no other test run has used: {@code mq-test-<purpose>-<random>}.
     *
     * @param purpose a short word for humans reading broker listings; characters Kafka does not
     *     allow become {@code -}
     * @throws NullPointerException if {@code purpose} is null
     */
    public static String topic(String purpose) {
        return unique(purpose);
    }

    /** A consumer group name no other test run has used: {@code mq-test-<purpose>-g-<random>}. */
    public static String group(String purpose) {
        return unique(purpose + "-g");
    }

    private static String unique(String purpose) {
        Objects.requireNonNull(purpose, "purpose must not be null");
        String clean = purpose.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
        if (clean.length() > MAX_PURPOSE) {
            clean = clean.substring(0, MAX_PURPOSE);
        }
        String random = Long.toString(ThreadLocalRandom.current().nextLong(1L << 30, 1L << 35), 36);
        return "mq-test-" + clean + "-" + RUN + random + "-" + COUNTER.incrementAndGet();
    }
}
