package io.gochat.mq.config;

import java.util.List;
import java.util.Map;

/**
 * {@code consumer}: how a group member reads. Immutable. Defaults are the seed's: commit processed
 * offsets every 5 s, start at {@code latest} for a group with no committed offset, 30 s session,
 * 10 s heartbeat.
 */
public final class ConsumerConfig {
    /** Allowed {@code autoOffsetReset} values. */
    public static final List<String> OFFSET_RESETS = List.of("earliest", "latest");

    private final int autoCommitIntervalMs;
    private final String autoOffsetReset;
    private final int sessionTimeoutMs;
    private final int heartbeatIntervalMs;
    private final Map<String, String> properties;

    private ConsumerConfig(Builder b, Map<String, String> properties) {
        this.autoCommitIntervalMs = b.autoCommitIntervalMs;
        this.autoOffsetReset = b.autoOffsetReset;
        this.sessionTimeoutMs = b.sessionTimeoutMs;
        this.heartbeatIntervalMs = b.heartbeatIntervalMs;
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

    /** {@code properties}: raw transport properties for consumers, applied last. */
    public Map<String, String> properties() {
        return properties;
    }

    Builder toBuilder() {
        Builder b = new Builder().autoCommitIntervalMs(autoCommitIntervalMs).autoOffsetReset(autoOffsetReset)
                .sessionTimeoutMs(sessionTimeoutMs).heartbeatIntervalMs(heartbeatIntervalMs);
        return b.copyProperties(properties);
    }

    @Override
    public String toString() {
        return "{autoCommitIntervalMs=" + autoCommitIntervalMs + ", autoOffsetReset=" + autoOffsetReset
                + ", sessionTimeoutMs=" + sessionTimeoutMs + ", heartbeatIntervalMs=" + heartbeatIntervalMs
                + ", properties=" + Secrets.masked(properties) + '}';
    }

    /** Builds {@link ConsumerConfig}. */
    public static final class Builder extends PropertiesBuilder<Builder> {
        private int autoCommitIntervalMs = 5000;
        private String autoOffsetReset = "latest";
        private int sessionTimeoutMs = 30_000;
        private int heartbeatIntervalMs = 10_000;

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
    }
}
