package io.gochat.mq.micrometer;

import io.gochat.mq.observe.ClientInfo;
import io.gochat.mq.observe.ClientObserver;
import io.gochat.mq.observe.ConsumerHealth;
import io.gochat.mq.observe.MqObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

import java.time.Duration;
import java.util.Objects;

/**
 * Micrometer meters for every client of this library: how long sends and callbacks take and how
 * they end, how far each group is behind by its committed offsets, what is in flight and paused,
 * whether each consumer is ready and live, and Kafka's own client metrics. Meters belonging to one
 * client are removed when it closes; timers and counters shared by several clients of a service
 * are removed when the last of them closes.
 *
 * <p><b>Registration.</b> This module registers the no-argument instance for
 * {@link java.util.ServiceLoader}: with the module on the class path every client records into
 * {@link Metrics#globalRegistry}, and an application publishes it by adding its registry there
 * ({@code Metrics.addRegistry(registry)}, Micrometer's own idiom; Spring Boot's
 * {@code management.metrics.use-global-registry} does it). To record into a registry of your own
 * instead, give an instance with {@code Option.withObserver(new MicrometerObserver(registry))} and
 * set the system property {@value #GLOBAL_PROPERTY}{@code =false}, so that the automatic instance
 * stays out: a registry that is also a member of the global registry would otherwise count every
 * event twice.
 *
 * <p><b>Meters</b> (all tagged {@code service}; consumer meters also {@code group}; never a key or a
 * partition):
 * <ul>
 *   <li>{@code mq.send} timer, tags {@code topic}, {@code outcome} = {@code success} | {@code failure}:
 *       from {@code send}/{@code sendSync} to the broker's acknowledgement or the failure;</li>
 *   <li>{@code mq.consume} timer, tags {@code topic}, {@code outcome} = {@code success} |
 *       {@code failure} | {@code cancelled}: each callback run, retries included;</li>
 *   <li>{@code mq.consume.retries} and {@code mq.consume.dead.letters} counters, tag {@code topic}
 *       (the message's own topic);</li>
 *   <li>per consumer (tag {@code client}, the client id, with {@code -2}, {@code -3}, … for further
 *       clients of the same id): {@code mq.consumer.lag} (tag {@code topic}; messages: the sum over
 *       this consumer's partitions of log end offset minus committed offset, as of the last
 *       commit), {@code mq.consumer.in.flight} (callbacks running), {@code mq.consumer.paused.partitions},
 *       {@code mq.consumer.ready} and {@code mq.consumer.live} (1 or 0, as {@link ConsumerHealth}
 *       says);</li>
 *   <li>on Kafka, the client's own metrics ({@code kafka.producer.*}, {@code kafka.consumer.*}, tag
 *       {@code client.id}) through Micrometer's {@code KafkaClientMetrics}.</li>
 * </ul>
 * Timers publish no percentiles by default; turn them on with a {@code MeterFilter} on the registry.
 *
 * <pre>{@code
 * MeterRegistry registry = new SimpleMeterRegistry();
 * Consumer consumer = Mq.newConsumer("im-logic", "im-logic-group",
 *         Option.withObserver(new MicrometerObserver(registry, Duration.ofSeconds(30))));
 * }</pre>
 *
 * <p>Thread-safe; what it does per message is a map look-up, two reads of the registry's clock and
 * one small object — and nothing while the registry is a composite with no registry in it
 * ({@link Metrics#globalRegistry} before an application adds one): a timer would record into
 * nothing, so sends and callbacks are not timed until a registry is added.
 */
public final class MicrometerObserver implements MqObserver {
    /**
     * System property: {@code false} turns off the instance made by the no-argument constructor
     * (the one {@link java.util.ServiceLoader} creates): it then observes no client. Read for each
     * new client.
     */
    public static final String GLOBAL_PROPERTY = "gochat.mq.micrometer.global";

    private final MeterRegistry registry;
    private final boolean automatic;
    private final ConsumerHealth health;
    private final SharedMeters shared;
    private final ClientTags clientTags = new ClientTags();

    /**
     * Records into {@link Metrics#globalRegistry}, liveness after {@link ConsumerHealth#DEFAULT_STUCK_AFTER};
     * observes nothing while the system property {@value #GLOBAL_PROPERTY} is {@code false}.
     * Called by {@link java.util.ServiceLoader}.
     */
    public MicrometerObserver() {
        this(Metrics.globalRegistry, ConsumerHealth.DEFAULT_STUCK_AFTER, true);
    }

    /** Records into {@code registry}; liveness after {@link ConsumerHealth#DEFAULT_STUCK_AFTER}. */
    public MicrometerObserver(MeterRegistry registry) {
        this(registry, ConsumerHealth.DEFAULT_STUCK_AFTER);
    }

    /**
     * Records into {@code registry}; {@code mq.consumer.live} is 0 while a callback has run longer
     * than {@code stuckAfter}, or the consumer's loop has not turned for that long.
     *
     * @throws IllegalArgumentException if {@code stuckAfter} is not positive
     */
    public MicrometerObserver(MeterRegistry registry, Duration stuckAfter) {
        this(registry, stuckAfter, false);
    }

    private MicrometerObserver(MeterRegistry registry, Duration stuckAfter, boolean automatic) {
        this.registry = Objects.requireNonNull(registry, "registry must not be null");
        this.health = new ConsumerHealth(Objects.requireNonNull(stuckAfter, "stuckAfter must not be null"));
        this.automatic = automatic;
        this.shared = new SharedMeters(registry);
    }

    @Override
    public ClientObserver client(ClientInfo client) {
        if (automatic && "false".equalsIgnoreCase(System.getProperty(GLOBAL_PROPERTY, "").trim())) {
            return ClientObserver.NONE;
        }
        return switch (client.kind()) {
            case PRODUCER -> new ProducerMeters(client, registry, shared, clientTags);
            case CONSUMER -> new ConsumerMeters(client, registry, shared, clientTags, health);
            case ADMIN -> ClientObserver.NONE;
        };
    }

    @Override
    public String toString() {
        return "MicrometerObserver{" + registry.getClass().getSimpleName() + (automatic ? ", global" : "") + '}';
    }
}
