package io.gochat.mq.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The whole of {@code kafka.yaml}, typed, validated and immutable: {@code common},
 * {@code producer}, {@code consumer}, the optional {@code transport} and the per-service overrides
 * of {@code services.<name>}.
 *
 * <p>Values are checked once, in {@link Builder#build()}; a bad one throws
 * {@link io.gochat.mq.MqConfigException} naming the key, the value, what is allowed and the
 * {@link #source()}. Per-service overrides are deep-merged over the defaults: an override changes
 * only the keys it sets, and {@link #forService(String)} returns the merged result.
 *
 * <pre>{@code
 * MqConfig config = MqConfig.builder()
 *         .common(c -> c.brokers("kafka-1:9092", "kafka-2:9092"))
 *         .producer(p -> p.lingerMs(10))
 *         .service("im-gateway", s -> s.producer(p -> p.compression("zstd")))
 *         .build();
 * }</pre>
 *
 * <p>{@link #toString()} masks passwords and secret-looking pass-through properties.
 */
public final class MqConfig {
    private static final MqConfig DEFAULTS = builder().source("defaults").build();

    private final String source;
    private final String transport;
    private final CommonConfig common;
    private final ProducerConfig producer;
    private final ConsumerConfig consumer;
    private final Map<String, Consumer<Builder>> overrides;
    private final Map<String, MqConfig> services;

    private MqConfig(String source, String transport, CommonConfig common, ProducerConfig producer,
                     ConsumerConfig consumer, Map<String, Consumer<Builder>> overrides, Map<String, MqConfig> services) {
        this.source = source;
        this.transport = transport;
        this.common = common;
        this.producer = producer;
        this.consumer = consumer;
        this.overrides = overrides;
        this.services = services;
    }

    /** The seed's defaults, with no brokers and no transport. */
    public static MqConfig defaults() {
        return DEFAULTS;
    }

    /** A builder that starts from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this configuration, overrides included. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.source = source;
        b.transport = transport;
        b.common = common.toBuilder();
        b.producer = producer.toBuilder();
        b.consumer = consumer.toBuilder();
        b.overrides.putAll(overrides);
        return b;
    }

    /** Where this configuration came from, for messages: {@code "file /etc/kafka.yaml"}, {@code "consul …"}. */
    public String source() {
        return source;
    }

    /** {@code transport}: the transport to use, or {@code null} to leave the choice to {@code Mq}. */
    public String transport() {
        return transport;
    }

    /** {@code common}. */
    public CommonConfig common() {
        return common;
    }

    /** {@code producer}. */
    public ProducerConfig producer() {
        return producer;
    }

    /** {@code consumer}. */
    public ConsumerConfig consumer() {
        return consumer;
    }

    /** The names under {@code services}. */
    public Set<String> serviceNames() {
        return services.keySet();
    }

    /**
     * The configuration {@code serviceName} runs with: this one with {@code services.<serviceName>}
     * merged over it, or this one when the service has no override. The result has no services.
     */
    public MqConfig forService(String serviceName) {
        MqConfig service = services.get(serviceName);
        if (service != null) {
            return service;
        }
        return overrides.isEmpty() ? this
                : new MqConfig(source, transport, common, producer, consumer, Map.of(), Map.of());
    }

    @Override
    public String toString() {
        return "MqConfig{source=" + source + ", transport=" + transport + ", common=" + common + ", producer="
                + producer + ", consumer=" + consumer + ", services=" + services.keySet() + '}';
    }

    /** Builds {@link MqConfig}. Not thread-safe. */
    public static final class Builder {
        private String source = "MqConfig.builder()";
        private String transport;
        private CommonConfig.Builder common = new CommonConfig.Builder();
        private ProducerConfig.Builder producer = new ProducerConfig.Builder();
        private ConsumerConfig.Builder consumer = new ConsumerConfig.Builder();
        private final Map<String, Consumer<Builder>> overrides = new LinkedHashMap<>();
        private boolean insideOverride;

        private Builder() {
        }

        /** Where the values come from; every validation message ends with it. */
        public Builder source(String source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /** {@code transport}; {@code null} or blank leaves the choice to {@code Mq}. */
        public Builder transport(String transport) {
            this.transport = transport == null || transport.isBlank() ? null : transport.trim();
            return this;
        }

        public Builder common(Consumer<CommonConfig.Builder> customizer) {
            customizer.accept(common);
            return this;
        }

        public Builder producer(Consumer<ProducerConfig.Builder> customizer) {
            customizer.accept(producer);
            return this;
        }

        public Builder consumer(Consumer<ConsumerConfig.Builder> customizer) {
            customizer.accept(consumer);
            return this;
        }

        /**
         * {@code services.<serviceName>}: changes applied over the defaults for one service only.
         * Several calls for one service add up, in order.
         *
         * @throws IllegalArgumentException if {@code serviceName} is blank, or when called inside another override
         */
        public Builder service(String serviceName, Consumer<Builder> override) {
            Objects.requireNonNull(serviceName, "serviceName");
            Objects.requireNonNull(override, "override");
            if (serviceName.isBlank()) {
                throw new IllegalArgumentException("services: a service name must not be blank");
            }
            if (insideOverride) {
                throw new IllegalArgumentException("services." + serviceName + ": overrides cannot be nested");
            }
            overrides.merge(serviceName, override, Consumer::andThen);
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws io.gochat.mq.MqConfigException naming the first bad key, its value, what is allowed and the source
         */
        public MqConfig build() {
            MqConfig base = buildSections("");
            if (overrides.isEmpty()) {
                return base;
            }
            Map<String, MqConfig> services = new LinkedHashMap<>();
            overrides.forEach((name, override) -> {
                Builder b = base.toBuilder();
                b.overrides.clear();
                b.insideOverride = true;
                override.accept(b);
                services.put(name, b.buildSections("services." + name + "."));
            });
            return new MqConfig(base.source, base.transport, base.common, base.producer, base.consumer,
                    Collections.unmodifiableMap(new LinkedHashMap<>(overrides)), Collections.unmodifiableMap(services));
        }

        private MqConfig buildSections(String prefix) {
            return new MqConfig(source, transport,
                    CommonConfig.validated(common, source, prefix + "common."),
                    ProducerConfig.validated(producer, source, prefix + "producer."),
                    ConsumerConfig.validated(consumer, source, prefix + "consumer."),
                    Map.of(), Map.of());
        }
    }
}
