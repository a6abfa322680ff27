package io.gochat.mq.config;

import java.util.List;
import java.util.Map;

/**
 * {@code consumer}: how a group member reads. Immutable. Defaults are the seed's: commit processed
 * offsets every 5 s, start at {@code latest} for a group with no committed offset, 30 s session,
 * 10 s heartbeat. Additions: one callback at a time ({@code concurrency: 1}), at most 1,000
 * fetched-but-uncommitted messages per partition, a WARN for a callback running over 30 s.
 */
public final class ConsumerConfig {
    /** The largest {@code concurrency}: more callbacks at once than this is a configuration mistake. */
    public static final int MAX_CONCURRENCY = 1024;
    /** Allowed {@code autoOffsetReset} values. */
    public static final List<String> OFFSET_RESETS = List.of("earliest", "latest");

    private final int autoCommitIntervalMs;
    private final String autoOffsetReset;
    private final int sessionTimeoutMs;
    private final int heartbeatIntervalMs;
    private final int concurrency;
    private final int maxPendingPerPartition;
    private final int stallThresholdMs;
    private final Map<String, String> properties;

    private ConsumerConfig(Builder b, Map<String, String> properties) {
        this.autoCommitIntervalMs = b.autoCommitIntervalMs;
        this.autoOffsetReset = b.autoOffsetReset;
        this.sessionTimeoutMs = b.sessionTimeoutMs;
        this.heartbeatIntervalMs = b.heartbeatIntervalMs;
        this.concurrency = b.concurrency;
        this.maxPendingPerPartition = b.maxPendingPerPartition;
        this.stallThresholdMs = b.stallThresholdMs;
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

    /** {@code properties}: raw transport properties for consumers, applied last. */
    public Map<String, String> properties() {
        return properties;
    }

    Builder toBuilder() {
        Builder b = new Builder().autoCommitIntervalMs(autoCommitIntervalMs).autoOffsetReset(autoOffsetReset)
                .sessionTimeoutMs(sessionTimeoutMs).heartbeatIntervalMs(heartbeatIntervalMs).concurrency(concurrency)
                .maxPendingPerPartition(maxPendingPerPartition).stallThresholdMs(stallThresholdMs);
        return b.copyProperties(properties);
    }

    @Override
    public String toString() {
        return "{autoCommitIntervalMs=" + autoCommitIntervalMs + ", autoOffsetReset=" + autoOffsetReset
                + ", sessionTimeoutMs=" + sessionTimeoutMs + ", heartbeatIntervalMs=" + heartbeatIntervalMs + ", concurrency=" + concurrency
                + ", maxPendingPerPartition=" + maxPendingPerPartition + ", stallThresholdMs=" + stallThresholdMs
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
    }
}
