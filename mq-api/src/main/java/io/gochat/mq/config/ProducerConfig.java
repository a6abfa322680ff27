package io.gochat.mq.config;

import java.util.List;
import java.util.Map;

/**
 * {@code producer}: how messages are sent. Immutable. Defaults are the seed's: acks from all
 * replicas ({@code -1}), idempotence on, {@code lz4}, 16 KiB batches, 5 ms linger; plus a 120 s
 * delivery bound and a 30 s close bound.
 */
public final class ProducerConfig {
    /** Allowed {@code compression} values. */
    public static final List<String> COMPRESSIONS = List.of("none", "gzip", "snappy", "lz4", "zstd");
    /** Allowed {@code requiredAcks} values. */
    public static final List<Integer> ACKS = List.of(-1, 0, 1);

    private final int requiredAcks;
    private final boolean enableIdempotence;
    private final String compression;
    private final int batchSize;
    private final int lingerMs;
    private final int deliveryTimeoutMs;
    private final int closeTimeoutMs;
    private final Map<String, String> properties;

    private ProducerConfig(Builder b, Map<String, String> properties) {
        this.requiredAcks = b.requiredAcks;
        this.enableIdempotence = b.enableIdempotence;
        this.compression = b.compression;
        this.batchSize = b.batchSize;
        this.lingerMs = b.lingerMs;
        this.deliveryTimeoutMs = b.deliveryTimeoutMs;
        this.closeTimeoutMs = b.closeTimeoutMs;
        this.properties = properties;
    }

    static ProducerConfig validated(Builder b, String source, String prefix) {
        ConfigValues.oneOf(source, prefix + "requiredAcks", b.requiredAcks, ACKS);
        ConfigValues.oneOf(source, prefix + "compression", b.compression, COMPRESSIONS);
        ConfigValues.positive(source, prefix + "batchSize", b.batchSize);
        ConfigValues.notNegative(source, prefix + "lingerMs", b.lingerMs);
        ConfigValues.positive(source, prefix + "deliveryTimeoutMs", b.deliveryTimeoutMs);
        ConfigValues.positive(source, prefix + "closeTimeoutMs", b.closeTimeoutMs);
        if (b.enableIdempotence && b.requiredAcks != -1) {
            throw ConfigValues.invalid(source, prefix + "requiredAcks",
                    "-1 while " + prefix + "enableIdempotence is true (or set enableIdempotence: false)", b.requiredAcks);
        }
        return new ProducerConfig(b, b.validatedProperties(source, prefix));
    }

    /** {@code requiredAcks}: {@code 0} none, {@code 1} the leader, {@code -1} all in-sync replicas (default). */
    public int requiredAcks() {
        return requiredAcks;
    }

    /** {@code enableIdempotence}: no duplicates from producer retries (default true; needs acks -1). */
    public boolean enableIdempotence() {
        return enableIdempotence;
    }

    /** {@code compression}: one of {@link #COMPRESSIONS} (default {@code lz4}). */
    public String compression() {
        return compression;
    }

    /** {@code batchSize}: bytes per partition batch (default 16384). */
    public int batchSize() {
        return batchSize;
    }

    /** {@code lingerMs}: how long a batch may wait to fill (default 5; 0 sends at once). */
    public int lingerMs() {
        return lingerMs;
    }

    /** {@code deliveryTimeoutMs}: bound on a send, retries included, before its callback gets an error (default 120000). */
    public int deliveryTimeoutMs() {
        return deliveryTimeoutMs;
    }

    /** {@code closeTimeoutMs}: how long {@code close()} waits for buffered messages (default 30000). */
    public int closeTimeoutMs() {
        return closeTimeoutMs;
    }

    /** {@code properties}: raw transport properties for producers, applied last. */
    public Map<String, String> properties() {
        return properties;
    }

    Builder toBuilder() {
        Builder b = new Builder().requiredAcks(requiredAcks).enableIdempotence(enableIdempotence)
                .compression(compression).batchSize(batchSize).lingerMs(lingerMs)
                .deliveryTimeoutMs(deliveryTimeoutMs).closeTimeoutMs(closeTimeoutMs);
        return b.copyProperties(properties);
    }

    @Override
    public String toString() {
        return "{requiredAcks=" + requiredAcks + ", enableIdempotence=" + enableIdempotence + ", compression="
                + compression + ", batchSize=" + batchSize + ", lingerMs=" + lingerMs + ", deliveryTimeoutMs="
                + deliveryTimeoutMs + ", closeTimeoutMs=" + closeTimeoutMs + ", properties="
                + Secrets.masked(properties) + '}';
    }

    /** Builds {@link ProducerConfig}. */
    public static final class Builder extends PropertiesBuilder<Builder> {
        private int requiredAcks = -1;
        private boolean enableIdempotence = true;
        private String compression = "lz4";
        private int batchSize = 16384;
        private int lingerMs = 5;
        private int deliveryTimeoutMs = 120_000;
        private int closeTimeoutMs = 30_000;

        Builder() {
        }

        public Builder requiredAcks(int requiredAcks) {
            this.requiredAcks = requiredAcks;
            return this;
        }

        public Builder enableIdempotence(boolean enableIdempotence) {
            this.enableIdempotence = enableIdempotence;
            return this;
        }

        public Builder compression(String compression) {
            this.compression = compression;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder lingerMs(int lingerMs) {
            this.lingerMs = lingerMs;
            return this;
        }

        public Builder deliveryTimeoutMs(int deliveryTimeoutMs) {
            this.deliveryTimeoutMs = deliveryTimeoutMs;
            return this;
        }

        public Builder closeTimeoutMs(int closeTimeoutMs) {
            this.closeTimeoutMs = closeTimeoutMs;
            return this;
        }
    }
}
