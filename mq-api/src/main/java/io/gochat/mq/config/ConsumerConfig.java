package io.gochat.mq.config;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code consumer}: how a group member reads. Immutable. Defaults are the seed's: commit processed
 * offsets every 5 s, start at {@code latest} for a group with no committed offset, 30 s session,
 * 10 s heartbeat. Additions: one callback at a time ({@code concurrency: 1}), at most 1,000
 * fetched-but-uncommitted messages per partition, a WARN for a callback running over 30 s, no
 * retry ({@code retry.maxAttempts: 1}) and no dead-letter topic: a failing callback is logged and
 * its message counts as processed.
 */
public final class ConsumerConfig {
    /** The largest {@code concurrency}: more callbacks at once than this is a configuration mistake. */
    public static final int MAX_CONCURRENCY = 1024;
    /** Allowed {@code autoOffsetReset} values. */
    public static final List<String> OFFSET_RESETS = List.of("earliest", "latest");
    /** In {@code deadLetter.topic}, stands for the topic of the message that failed. */
    public static final String TOPIC_PLACEHOLDER = "{topic}";
    private static final Pattern DEAD_LETTER_TOPIC = Pattern.compile("|([a-zA-Z0-9._-]|\\{topic})+");

    private final int autoCommitIntervalMs;
    private final String autoOffsetReset;
    private final int sessionTimeoutMs;
    private final int heartbeatIntervalMs;
    private final int concurrency;
    private final int maxPendingPerPartition;
    private final int stallThresholdMs;
    private final int retryMaxAttempts;
    private final int retryBackoffMs;
    private final int retryMaxBackoffMs;
    private final double retryMultiplier;
    private final String deadLetterTopic;
    private final Map<String, String> properties;

    private ConsumerConfig(Builder b, Map<String, String> properties) {
        this.autoCommitIntervalMs = b.autoCommitIntervalMs;
        this.autoOffsetReset = b.autoOffsetReset;
        this.sessionTimeoutMs = b.sessionTimeoutMs;
        this.heartbeatIntervalMs = b.heartbeatIntervalMs;
        this.concurrency = b.concurrency;
        this.maxPendingPerPartition = b.maxPendingPerPartition;
        this.stallThresholdMs = b.stallThresholdMs;
        this.retryMaxAttempts = b.retryMaxAttempts;
        this.retryBackoffMs = b.retryBackoffMs;
        this.retryMaxBackoffMs = b.retryMaxBackoffMs;
        this.retryMultiplier = b.retryMultiplier;
        this.deadLetterTopic = b.deadLetterTopic;
        this.properties = properties;
    }

    static ConsumerConfig validated(Builder b, String source, String prefix) {
        ConfigValues.positive(source, prefix + "autoCommitIntervalMs", b.autoCommitIntervalMs);
        ConfigValues.oneOf(source, prefix + "autoOffsetReset", b.autoOffsetReset, OFFSET_RESETS);
        ConfigValues.positive(source, prefix + "sessionTimeoutMs", b.sessionTimeoutMs);
        ConfigValues.positive(source, prefix + "heartbeatIntervalMs", b.heartbeatIntervalMs);
        if (b.heartbeatIntervalMs > b.sessionTimeoutMs / 3) {
            throw ConfigValues.invalid(source, prefix + "heartbeatIntervalMs",
                    "at most a third of " + prefix + "sessionTimeoutMs (" + b.sessionTimeoutMs / 3 + ")",
                    b.heartbeatIntervalMs);
        }
        if (b.concurrency < 1 || b.concurrency > MAX_CONCURRENCY) {
            throw ConfigValues.invalid(source, prefix + "concurrency", "an integer from 1 to " + MAX_CONCURRENCY,
                    b.concurrency);
        }
        ConfigValues.positive(source, prefix + "maxPendingPerPartition", b.maxPendingPerPartition);
        ConfigValues.positive(source, prefix + "stallThresholdMs", b.stallThresholdMs);
        ConfigValues.positive(source, prefix + "retry.maxAttempts", b.retryMaxAttempts);
        ConfigValues.notNegative(source, prefix + "retry.backoffMs", b.retryBackoffMs);
        if (b.retryMaxBackoffMs < b.retryBackoffMs) {
            throw ConfigValues.invalid(source, prefix + "retry.maxBackoffMs",
                    "at least " + prefix + "retry.backoffMs (" + b.retryBackoffMs + ")", b.retryMaxBackoffMs);
        }
        if (!(b.retryMultiplier >= 1.0 && b.retryMultiplier <= 100.0)) {
            throw ConfigValues.invalid(source, prefix + "retry.multiplier", "a number from 1.0 to 100.0",
                    b.retryMultiplier);
        }
        if (b.deadLetterTopic == null || !DEAD_LETTER_TOPIC.matcher(b.deadLetterTopic).matches()) {
            throw ConfigValues.invalid(source, prefix + "deadLetter.topic", "empty (no dead-letter topic) or a topic"
                    + " name of letters, digits, '.', '_' and '-', where {topic} stands for the message's topic",
                    b.deadLetterTopic);
        }
        return new ConsumerConfig(b, b.validatedProperties(source, prefix));
    }

    /** {@code autoCommitIntervalMs}: how often processed offsets are committed (default 5000). */
    public int autoCommitIntervalMs() {
        return autoCommitIntervalMs;
    }

    /** {@code autoOffsetReset}: where a group with no committed offset starts, {@code earliest} or {@code latest} (default). */
    public String autoOffsetReset() {
        return autoOffsetReset;
    }

    /** {@code sessionTimeoutMs}: a member silent this long is removed from the group (default 30000). */
    public int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    /** {@code heartbeatIntervalMs}: at most a third of the session timeout (default 10000). */
    public int heartbeatIntervalMs() {
        return heartbeatIntervalMs;
    }

    /**
     * {@code concurrency}: how many callbacks of one consumer may run at once (default 1: one at a
     * time, on the thread that called {@code subscribe}). Above 1, messages with the same key still
     * run one at a time in offset order, and messages without a key keep their partition's order
     * among themselves; different keys run at once on the consumer's worker threads.
     */
    public int concurrency() {
        return concurrency;
    }

    /**
     * {@code maxPendingPerPartition}: how many fetched-but-uncommitted messages one partition may
     * hold before the consumer stops fetching from it (default 1000). Bounds memory, and the
     * messages delivered again after a crash.
     */
    public int maxPendingPerPartition() {
        return maxPendingPerPartition;
    }

    /** {@code stallThresholdMs}: a callback running longer than this is logged at WARN, once (default 30000). */
    public int stallThresholdMs() {
        return stallThresholdMs;
    }

    /**
     * {@code retry.maxAttempts}: how many times a callback is called for one message before it
     * counts as failed for good (default 1: no retry). Retries of a message wait
     * {@link #retryBackoffMs()} and more, hold back only the later messages of its key (at
     * {@code concurrency: 1}, of its partition), and never sleep on the thread that polls.
     */
    public int retryMaxAttempts() {
        return retryMaxAttempts;
    }

    /** {@code retry.backoffMs}: the wait before the first retry (default 1000). */
    public int retryBackoffMs() {
        return retryBackoffMs;
    }

    /** {@code retry.maxBackoffMs}: the longest wait between two attempts (default 30000). */
    public int retryMaxBackoffMs() {
        return retryMaxBackoffMs;
    }

    /**
     * {@code retry.multiplier}: each wait is the one before times this (default 2.0), up to
     * {@link #retryMaxBackoffMs()}; the wait actually taken is drawn between half of it and all of
     * it (jitter), so that retries of many keys do not arrive together.
     */
    public double retryMultiplier() {
        return retryMultiplier;
    }

    /**
     * {@code deadLetter.topic}: where a message goes when its last attempt failed, or it failed
     * permanently (empty, the default: nowhere — the failure is logged and the message counts as
     * processed). {@code {topic}} stands for the message's topic: {@code "{topic}.dlt"}.
     */
    public String deadLetterTopic() {
        return deadLetterTopic;
    }

    /** The dead-letter topic for messages of {@code topic}, or {@code null} when there is none. */
    public String deadLetterTopicFor(String topic) {
        return deadLetterTopic.isEmpty() ? null : deadLetterTopic.replace(TOPIC_PLACEHOLDER, topic);
    }

    /**
     * Whether failed callbacks get more than the seed's rule (log, count as processed): a retry or
     * a dead-letter topic is configured.
     */
    public boolean handlesFailures() {
        return retryMaxAttempts > 1 || !deadLetterTopic.isEmpty();
    }

    /** {@code properties}: raw transport properties for consumers, applied last. */
    public Map<String, String> properties() {
        return properties;
    }

    Builder toBuilder() {
        Builder b = new Builder().autoCommitIntervalMs(autoCommitIntervalMs).autoOffsetReset(autoOffsetReset)
                .sessionTimeoutMs(sessionTimeoutMs).heartbeatIntervalMs(heartbeatIntervalMs).concurrency(concurrency)
                .maxPendingPerPartition(maxPendingPerPartition).stallThresholdMs(stallThresholdMs)
                .retryMaxAttempts(retryMaxAttempts).retryBackoffMs(retryBackoffMs).retryMaxBackoffMs(retryMaxBackoffMs)
                .retryMultiplier(retryMultiplier).deadLetterTopic(deadLetterTopic);
        return b.copyProperties(properties);
    }

    @Override
    public String toString() {
        return "{autoCommitIntervalMs=" + autoCommitIntervalMs + ", autoOffsetReset=" + autoOffsetReset
                + ", sessionTimeoutMs=" + sessionTimeoutMs + ", heartbeatIntervalMs=" + heartbeatIntervalMs + ", concurrency=" + concurrency
                + ", maxPendingPerPartition=" + maxPendingPerPartition + ", stallThresholdMs=" + stallThresholdMs
                + ", retry={maxAttempts=" + retryMaxAttempts + ", backoffMs=" + retryBackoffMs + ", maxBackoffMs="
                + retryMaxBackoffMs + ", multiplier=" + retryMultiplier + "}, deadLetter={topic=" + deadLetterTopic + "}"
                + ", properties=" + Secrets.masked(properties) + '}';
    }

    /** Builds {@link ConsumerConfig}. */
    public static final class Builder extends PropertiesBuilder<Builder> {
        private int autoCommitIntervalMs = 5000;
        private String autoOffsetReset = "latest";
        private int sessionTimeoutMs = 30_000;
        private int heartbeatIntervalMs = 10_000;
        private int concurrency = 1;
        private int maxPendingPerPartition = 1000;
        private int stallThresholdMs = 30_000;
        private int retryMaxAttempts = 1;
        private int retryBackoffMs = 1000;
        private int retryMaxBackoffMs = 30_000;
        private double retryMultiplier = 2.0;
        private String deadLetterTopic = "";

        Builder() {
        }

        public Builder autoCommitIntervalMs(int autoCommitIntervalMs) {
            this.autoCommitIntervalMs = autoCommitIntervalMs;
            return this;
        }

        public Builder autoOffsetReset(String autoOffsetReset) {
            this.autoOffsetReset = autoOffsetReset;
            return this;
        }

        public Builder sessionTimeoutMs(int sessionTimeoutMs) {
            this.sessionTimeoutMs = sessionTimeoutMs;
            return this;
        }

        public Builder heartbeatIntervalMs(int heartbeatIntervalMs) {
            this.heartbeatIntervalMs = heartbeatIntervalMs;
            return this;
        }

        public Builder concurrency(int concurrency) {
            this.concurrency = concurrency;
            return this;
        }

        public Builder maxPendingPerPartition(int maxPendingPerPartition) {
            this.maxPendingPerPartition = maxPendingPerPartition;
            return this;
        }

        public Builder stallThresholdMs(int stallThresholdMs) {
            this.stallThresholdMs = stallThresholdMs;
            return this;
        }

        public Builder retryMaxAttempts(int retryMaxAttempts) {
            this.retryMaxAttempts = retryMaxAttempts;
            return this;
        }

        public Builder retryBackoffMs(int retryBackoffMs) {
            this.retryBackoffMs = retryBackoffMs;
            return this;
        }

        public Builder retryMaxBackoffMs(int retryMaxBackoffMs) {
            this.retryMaxBackoffMs = retryMaxBackoffMs;
            return this;
        }

        public Builder retryMultiplier(double retryMultiplier) {
            this.retryMultiplier = retryMultiplier;
            return this;
        }

        /** Empty for none; {@code {topic}} stands for the message's topic. */
        public Builder deadLetterTopic(String deadLetterTopic) {
            this.deadLetterTopic = deadLetterTopic;
            return this;
        }
    }
}
