package io.gochat.mq.micrometer;

import io.gochat.mq.Message;
import io.gochat.mq.observe.ClientInfo;
import io.gochat.mq.observe.ClientObserver;
import io.gochat.mq.observe.ConsumeObservation;
import io.gochat.mq.observe.ConsumerHealth;
import io.gochat.mq.observe.Partition;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters of one consumer: {@code mq.consume} per topic and outcome, retries and dead letters,
 * and its gauges (committed lag per topic, callbacks in flight, paused partitions, readiness,
 * liveness). Thread-safe: callbacks report from their threads, commits and partition changes from
 * the consumer's loop, gauges are read by the registry's.
 */
final class ConsumerMeters extends ClientMeters {
    static final String CONSUME = "mq.consume";
    static final String RETRIES = "mq.consume.retries";
    static final String DEAD_LETTERS = "mq.consume.dead.letters";
    static final String LAG = "mq.consumer.lag";
    static final String IN_FLIGHT = "mq.consumer.in.flight";
    static final String PAUSED = "mq.consumer.paused.partitions";
    static final String READY = "mq.consumer.ready";
    static final String LIVE = "mq.consumer.live";

    private static final ConsumeObservation.Outcome[] OUTCOMES = ConsumeObservation.Outcome.values();

    private final ConsumerHealth health;
    /** This consumer in {@link #health}. */
    private final ClientObserver tracked;
    private final Map<String, TopicMeters> byTopic = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Set<Partition> paused = ConcurrentHashMap.newKeySet();
    /** The last commit of each partition this consumer holds. */
    private final Map<Partition, Committed> commits = new ConcurrentHashMap<>();
    /** The topics that have a lag gauge. */
    private final Set<String> lagTopics = ConcurrentHashMap.newKeySet();

    ConsumerMeters(ClientInfo client, MeterRegistry registry, SharedMeters shared, ClientTags clientTags,
                   ConsumerHealth health) {
        super(client, registry, shared, clientTags);
        this.health = health;
        this.tracked = health.client(client);
        gauge(IN_FLIGHT, "callbacks running now", "callbacks", Tags.empty(), inFlight, AtomicInteger::get);
        gauge(PAUSED, "partitions not fetched from because they hold maxPendingPerPartition uncommitted messages",
                "partitions", Tags.empty(), paused, Set::size);
        gauge(READY, "1 when the consumer has subscribed and holds partitions, else 0", null, Tags.empty(), this,
                c -> c.status(true));
        gauge(LIVE, "0 while a callback has run, or the consumer loop stood still, longer than stuckAfter, else 1", null,
                Tags.empty(), this, c -> c.status(false));
    }

    /** {@code mq.consume} of one topic, indexed by outcome, and its counters. */
    private record TopicMeters(Timer[] byOutcome, Counter retries, Counter deadLetters) {
    }

    /** A partition's last commit; {@code logEnd} is -1 while unknown. */
    private record Committed(long offset, long logEnd) {
        long lag() {
            return logEnd < 0 ? 0 : Math.max(0, logEnd - offset);
        }
    }

    private TopicMeters meters(Tags topic) {
        Timer[] timers = new Timer[OUTCOMES.length];
        for (ConsumeObservation.Outcome outcome : OUTCOMES) {
            timers[outcome.ordinal()] = timer(CONSUME, "callback runs, retries included",
                    topic.and("outcome", outcome.name().toLowerCase(Locale.ROOT)));
        }
        return new TopicMeters(timers, counter(RETRIES, "failed callback runs that will be tried again", "retries", topic),
                counter(DEAD_LETTERS, "messages published to the dead-letter topic after their last attempt", "messages", topic));
    }

    /** 1 or 0: ready ({@code ready}) or live; 0 once the consumer is gone. */
    private double status(boolean ready) {
        for (ConsumerHealth.Status status : health.statuses()) {
            if (status.client() == client) {
                return (ready ? status.started() && status.assigned() : status.live()) ? 1 : 0;
            }
        }
        return 0;
    }

    private double lag(String topic) {
        long sum = 0;
        for (Map.Entry<Partition, Committed> e : commits.entrySet()) {
            if (e.getKey().topic().equals(topic)) {
                sum += e.getValue().lag();
            }
        }
        return sum;
    }

    @Override
    public ConsumeObservation consumeStarted(Message message, int attempt) {
        if (!recording()) {
            // nothing could read the timer, the in-flight gauge or liveness: a callback costs nothing here
            return ConsumeObservation.NONE;
        }
        ConsumeObservation liveness = tracked.consumeStarted(message, attempt);
        TopicMeters meters = perTopic(byTopic, message.topic(), this::meters);
        if (meters == null) {
            return liveness;
        }
        inFlight.incrementAndGet();
        return new Run(meters.byOutcome, liveness, inFlight, clock);
    }

    /** One callback run: when it started. */
    private static final class Run implements ConsumeObservation {
        private final Timer[] byOutcome;
        private final ConsumeObservation liveness;
        private final AtomicInteger inFlight;
        private final Clock clock;
        private final long started;

        Run(Timer[] byOutcome, ConsumeObservation liveness, AtomicInteger inFlight, Clock clock) {
            this.byOutcome = byOutcome;
            this.liveness = liveness;
            this.inFlight = inFlight;
            this.clock = clock;
            this.started = clock.monotonicTime();
        }

        @Override
        public void completed(Outcome outcome, Throwable failure) {
            byOutcome[outcome.ordinal()].record(clock.monotonicTime() - started, TimeUnit.NANOSECONDS);
            inFlight.decrementAndGet();
            liveness.completed(outcome, failure);
        }
    }

    @Override
    public void retryScheduled(Message message, int attempt, long delayNanos, Throwable failure) {
        TopicMeters meters = perTopic(byTopic, message.topic(), this::meters);
        if (meters != null) {
            meters.retries.increment();
        }
    }

    @Override
    public void deadLettered(Message message, String deadLetterTopic, int attempts, Throwable failure) {
        TopicMeters meters = perTopic(byTopic, message.topic(), this::meters);
        if (meters != null) {
            meters.deadLetters.increment();
        }
    }

    @Override
    public void committed(Partition partition, long offset, long logEndOffset) {
        // the log end only grows: one unknown (-1) keeps the last known
        commits.merge(partition, new Committed(offset, logEndOffset),
                (old, now) -> new Committed(now.offset, Math.max(old.logEnd, now.logEnd)));
        if (lagTopics.add(partition.topic())) {
            gauge(LAG, "messages not committed: log end offset minus committed offset, summed over the partitions"
                    + " this consumer holds", "messages", Tags.of("topic", partition.topic()), partition.topic(), this::lag);
        }
    }

    @Override
    public void partitions(PartitionChange change, Collection<Partition> partitions) {
        tracked.partitions(change, partitions);
        switch (change) {
            case PAUSED -> paused.addAll(partitions);
            case RESUMED -> paused.removeAll(partitions);
            case REVOKED, LOST -> {
                paused.removeAll(partitions);
                partitions.forEach(commits::remove);
            }
            default -> {
            }
        }
    }

    @Override
    public void polled() {
        tracked.polled();
    }

    @Override
    public void subscribed(Collection<String> topics) {
        tracked.subscribed(topics);
    }

    @Override
    public void closed() {
        tracked.closed();
        super.closed();
    }
}
