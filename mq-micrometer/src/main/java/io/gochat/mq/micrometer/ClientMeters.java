package io.gochat.mq.micrometer;

import io.gochat.mq.observe.ClientInfo;
import io.gochat.mq.observe.ClientObserver;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * What the meters of one client have in common: its tags, the gauges it owns (tag {@code client}),
 * the shared timers and counters it holds, Kafka's own client metrics, and their removal on
 * {@link #closed()}. Called from the client's threads; registration and close under one lock, the
 * per-message path without it.
 */
abstract class ClientMeters implements ClientObserver {
    /** Whether kafka-clients is on the class path: only then may {@link KafkaClientBinding} load. */
    private static final boolean KAFKA_CLIENTS = present("org.apache.kafka.clients.producer.Producer");

    final ClientInfo client;
    final MeterRegistry registry;
    /** The registry's clock: what timers are measured with. */
    final Clock clock;
    /** {@link #registry} if it is a composite (as {@code Metrics.globalRegistry} is), else {@code null}. */
    private final CompositeMeterRegistry composite;
    /** {@code service}, and {@code group} for consumers. */
    final Tags tags;
    private final SharedMeters shared;
    private final ClientTags clientTags;
    private final String clientTag;
    private final AutoCloseable kafkaMetrics;
    /** Guarded by {@code this}. */
    private final List<Meter> owned = new ArrayList<>();
    /** Guarded by {@code this}. */
    private final List<Meter> held = new ArrayList<>();
    /** Guarded by {@code this}. */
    private boolean closed;

    ClientMeters(ClientInfo client, MeterRegistry registry, SharedMeters shared, ClientTags clientTags) {
        this.client = client;
        this.registry = registry;
        this.clock = registry.config().clock();
        this.composite = registry instanceof CompositeMeterRegistry c ? c : null;
        this.shared = shared;
        this.clientTags = clientTags;
        this.tags = client.group() == null ? Tags.of("service", client.service())
                : Tags.of("service", client.service(), "group", client.group());
        this.clientTag = clientTags.acquire(client);
        this.kafkaMetrics = KAFKA_CLIENTS && client.transportClient() != null
                ? KafkaClientBinding.bind(client.transportClient(), registry) : null;
    }

    /**
     * Whether what is recorded now reaches a registry: {@code false} while {@link #registry} is a
     * composite with no registry in it, as {@code Metrics.globalRegistry} is until an application
     * adds one. Then a timer would record into nothing, so a send or callback is not timed at all:
     * no clock read, no object. Checked per message, so timing starts with the first message after a
     * registry is added.
     */
    final boolean recording() {
        return composite == null || !composite.getRegistries().isEmpty();
    }

    /**
     * The meters of {@code topic} from {@code cache}, made by {@code create} (given the client's tags
     * and {@code topic}) the first time; {@code null} once the client is closed.
     */
    final <T> T perTopic(Map<String, T> cache, String topic, Function<Tags, T> create) {
        T found = cache.get(topic);
        if (found != null) {
            return found;
        }
        synchronized (this) {
            return closed ? null : cache.computeIfAbsent(topic, t -> create.apply(tags.and("topic", t)));
        }
    }

    /** A shared timer, held by this client until it closes. Only inside {@link #perTopic}'s {@code create}. */
    final Timer timer(String name, String description, Tags tags) {
        return hold(shared.timer(name, description, tags));
    }

    /** A shared counter, held by this client until it closes. Only inside {@link #perTopic}'s {@code create}. */
    final Counter counter(String name, String description, String baseUnit, Tags tags) {
        return hold(shared.counter(name, description, baseUnit, tags));
    }

    private <M extends Meter> M hold(M meter) {
        assert Thread.holdsLock(this);
        held.add(meter);
        return meter;
    }

    /** Registers a gauge of this client alone (tags: the client's, {@code client}, and {@code extra}), unless closed. */
    final synchronized <T> void gauge(String name, String description, String baseUnit, Tags extra, T state,
                                      ToDoubleFunction<T> value) {
        if (closed) {
            return;
        }
        owned.add(Gauge.builder(name, state, value).description(description).baseUnit(baseUnit).tags(tags)
                .tag("client", clientTag).tags(extra).strongReference(true).register(registry));
    }

    @Override
    public void closed() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            owned.forEach(registry::remove);
            held.forEach(shared::release);
            owned.clear();
            held.clear();
            clientTags.release(client, clientTag);
        }
        if (kafkaMetrics != null) {
            try {
                kafkaMetrics.close();
            } catch (Exception e) {
                throw new IllegalStateException("Kafka client metrics of " + client + " did not close: " + e, e);
            }
        }
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, ClientMeters.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
