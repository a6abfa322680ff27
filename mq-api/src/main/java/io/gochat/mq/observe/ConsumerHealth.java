package io.gochat.mq.observe;

import io.gochat.mq.Message;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Tells a stuck consumer from an idle one: an observer that keeps, for each consumer created with
 * it, whether it has started, holds partitions, and is live. A consumer is <b>live</b> unless one
 * of its callbacks has been running longer than {@code stuckAfter}, or its loop — which turns
 * whenever it polls, also with nothing to read — has not turned for longer than {@code stuckAfter}
 * while it runs. An idle consumer with no messages is live. Thread-safe.
 *
 * <pre>{@code
 * ConsumerHealth health = new ConsumerHealth(Duration.ofSeconds(60));
 * Consumer consumer = Mq.newConsumer("im-logic", "im-logic-group", Option.withObserver(health));
 * // a liveness probe:  health.isLive()
 * // a readiness probe: health.isReady()
 * }</pre>
 */
public final class ConsumerHealth implements MqObserver {
    /** The default {@code stuckAfter}: a minute. */
    public static final Duration DEFAULT_STUCK_AFTER = Duration.ofSeconds(60);

    private final long stuckAfterNanos;
    private final LongSupplier clock;
    private final List<Tracked> consumers = new CopyOnWriteArrayList<>();

    /** A health observer with {@link #DEFAULT_STUCK_AFTER}. */
    public ConsumerHealth() {
        this(DEFAULT_STUCK_AFTER);
    }

    /** @param stuckAfter how long a callback may run, and the loop stay still, before the consumer is not live */
    public ConsumerHealth(Duration stuckAfter) {
        this(stuckAfter, System::nanoTime);
    }

    ConsumerHealth(Duration stuckAfter, LongSupplier clock) {
        if (stuckAfter.isNegative() || stuckAfter.isZero()) {
            throw new IllegalArgumentException("stuckAfter: expected a positive duration but was " + stuckAfter);
        }
        this.stuckAfterNanos = stuckAfter.toNanos();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public ClientObserver client(ClientInfo client) {
        if (client.kind() != ClientInfo.Kind.CONSUMER) {
            return ClientObserver.NONE;
        }
        Tracked tracked = new Tracked(client);
        consumers.add(tracked);
        return tracked;
    }

    /** One consumer's health, at one moment. */
    public record Status(ClientInfo client, boolean started, boolean assigned, boolean live, String reason) {
    }

    /** The health of each consumer created with this observer and not yet closed. */
    public List<Status> statuses() {
        long now = clock.getAsLong();
        List<Status> all = new ArrayList<>();
        for (Tracked tracked : consumers) {
            all.add(tracked.status(now));
        }
        return all;
    }

    /** Whether every consumer is live (true with none). */
    public boolean isLive() {
        return statuses().stream().allMatch(Status::live);
    }

    /** Whether every consumer has subscribed and holds partitions (false with none). */
    public boolean isReady() {
        List<Status> all = statuses();
        return !all.isEmpty() && all.stream().allMatch(s -> s.started() && s.assigned());
    }

    /** {@link Slot#since} while no callback runs. */
    private static final long IDLE = Long.MIN_VALUE;

    /**
     * The callback running on one thread of a consumer: since when, or {@link #IDLE}; also the
     * observation of each run on that thread (one at a time), so that a run allocates nothing.
     */
    private static final class Slot implements ConsumeObservation {
        final Thread thread;
        volatile long since = IDLE;

        Slot(Thread thread) {
            this.thread = thread;
        }

        @Override
        public void completed(Outcome outcome, Throwable failure) {
            since = IDLE;
        }
    }

    private final class Tracked implements ClientObserver {
        final ClientInfo client;
        final List<Slot> slots = new CopyOnWriteArrayList<>();
        final ThreadLocal<Slot> slot = ThreadLocal.withInitial(() -> {
            Slot s = new Slot(Thread.currentThread());
            slots.add(s);
            return s;
        });
        final java.util.Set<Partition> owned = java.util.concurrent.ConcurrentHashMap.newKeySet();
        volatile boolean started;
        volatile long lastTurn;

        Tracked(ClientInfo client) {
            this.client = client;
        }

        @Override
        public void subscribed(Collection<String> topics) {
            lastTurn = clock.getAsLong();
            started = true;
        }

        @Override
        public void polled() {
            lastTurn = clock.getAsLong();
        }

        @Override
        public ConsumeObservation consumeStarted(Message message, int attempt) {
            Slot s = slot.get();
            s.since = clock.getAsLong();
            return s;
        }

        @Override
        public void partitions(PartitionChange change, Collection<Partition> partitions) {
            switch (change) {
                case ASSIGNED -> owned.addAll(partitions);
                case REVOKED, LOST -> owned.removeAll(partitions);
                default -> {
                }
            }
        }

        @Override
        public void closed() {
            consumers.remove(this);
        }

        Status status(long now) {
            for (Slot s : slots) {
                long since = s.since;
                if (since != IDLE && now - since > stuckAfterNanos) {
                    return new Status(client, started, !owned.isEmpty(), false, "a callback on thread " + s.thread.getName()
                            + " has run for " + TimeUnit.NANOSECONDS.toMillis(now - since) + " ms (stuck after "
                            + TimeUnit.NANOSECONDS.toMillis(stuckAfterNanos) + " ms)");
                }
            }
            if (started && now - lastTurn > stuckAfterNanos) {
                return new Status(client, true, !owned.isEmpty(), false, "the consumer loop has not turned for "
                        + TimeUnit.NANOSECONDS.toMillis(now - lastTurn) + " ms (stuck after "
                        + TimeUnit.NANOSECONDS.toMillis(stuckAfterNanos) + " ms)");
            }
            return new Status(client, started, !owned.isEmpty(), true, started ? "running" : "not subscribed yet");
        }
    }
}
