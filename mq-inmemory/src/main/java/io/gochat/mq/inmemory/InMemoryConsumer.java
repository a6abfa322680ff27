package io.gochat.mq.inmemory;

import io.gochat.mq.ConsumeCallback;
import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.config.ConsumerConfig;
import io.gochat.mq.observe.ClientInfo;
import io.gochat.mq.observe.ClientObserver;
import io.gochat.mq.observe.Partition;
import io.gochat.mq.spi.ApiPreconditions;
import io.gochat.mq.spi.CallbackRunner;
import io.gochat.mq.spi.ClientSpec;
import io.gochat.mq.spi.KeyOrderedDispatcher;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A member of a consumer group of an {@link InMemoryBroker}. {@link #subscribe} runs the whole
 * consume loop on the calling thread: it fetches batches from the partitions it owns (in turn,
 * for fairness), runs the callback for each message, commits processed offsets every
 * {@code consumer.autoCommitIntervalMs}, and between two messages answers the group's requests
 * (rebalance, close, crash). When it has nothing to do it parks; an append to one of its
 * partitions, or a group event, unparks it, so an idle consumer costs no CPU.
 *
 * <p>At {@code consumer.concurrency > 1} the callbacks run on the workers of a
 * {@link KeyOrderedDispatcher} instead, the one the Kafka transport uses: the subscribe thread
 * fetches ahead of the processed position (a partition at {@code maxPendingPerPartition}
 * uncommitted messages is not fetched from), and {@code position} becomes the dispatcher's
 * committable offset. Before a rebalance releases partitions, their running callbacks get half
 * of {@code consumer.sessionTimeoutMs} to finish; so does close.
 *
 * <p>Thread-safety: {@link #subscribe} once, from any thread; {@link #close()} and
 * {@link #crash()} from any thread, also from inside the callback. The claims and the batch are
 * owned by the subscribe thread; the flags that other threads set are volatile.
 */
final class InMemoryConsumer implements Consumer {
    private static final int BATCH = 256;
    private static final PartitionClaim[] NO_CLAIMS = new PartitionClaim[0];
    /** Checks for data before parking; a few microseconds, so an idle consumer soon costs nothing. */
    private static final int SPINS = 200;
    private static final long MAX_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private enum State { NEW, RUNNING, CLOSED }

    private final InMemoryBroker broker;
    private final ConsumerGroup group;
    private final String memberId;
    private final Logger log;
    private final boolean earliest;
    private final long commitIntervalNanos;
    private final long closeWaitMs;
    private final ConsumerConfig settings;
    /** Set while a parallel subscribe runs; read by close() to tell a worker thread. */
    private volatile KeyOrderedDispatcher<PartitionClaim> dispatcher;

    // guarded by this
    private State state = State.NEW;
    /** The subscribe thread; set once, before the consumer joins its group. */
    private volatile Thread thread;

    private final CountDownLatch finished = new CountDownLatch(1);

    /** Set after one of the flags below, so the loop checks a single field per message. */
    private volatile boolean attention;
    private volatile boolean closeRequested;
    private volatile boolean syncRequested;
    private volatile boolean crashed;
    private volatile boolean brokerClosed;
    /** True while the loop is about to park; an appender only unparks a waiting consumer. */
    private volatile boolean waiting;

    // subscribe thread only (and the group, under its lock, called from that thread)
    private PartitionClaim[] claims = NO_CLAIMS;
    private final byte[][] batchData = new byte[BATCH][];
    private final int[] batchPositions = new int[BATCH];
    private final long[] batchTimestamps = new long[BATCH];

    /** What this consumer was created with: its dead letters go through a producer made from it. */
    private final ClientSpec spec;
    /** Sees callbacks, commits, partition changes; {@link ClientObserver#NONE} without observers. */
    private final ClientObserver observer;
    /** Subscribe thread only: the partitions paused at their window, as the observer was told. */
    private final Set<PartitionClaim> paused = Collections.newSetFromMap(new IdentityHashMap<>());

    InMemoryConsumer(InMemoryBroker broker, ClientSpec spec) {
        this.broker = broker;
        this.group = broker.group(Objects.requireNonNull(spec.groupId(), "a consumer needs a group id"));
        this.memberId = spec.clientId() + "-" + broker.nextMemberNumber();
        this.log = spec.logger("consumer");
        this.earliest = "earliest".equals(spec.config().consumer().autoOffsetReset());
        this.commitIntervalNanos = TimeUnit.MILLISECONDS.toNanos(spec.config().consumer().autoCommitIntervalMs());
        this.closeWaitMs = spec.config().consumer().sessionTimeoutMs();
        this.settings = spec.config().consumer();
        this.spec = spec;
        this.observer = spec.observer(ClientInfo.Kind.CONSUMER, "consumer", null);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Topics that do not exist are created with the broker's default partition count.
     *
     * @throws io.gochat.mq.MqException if a topic name is one Kafka would refuse
     * @throws io.gochat.mq.MqClosedException if the broker was closed
     */
    @Override
    public void subscribe(List<String> topics, ConsumeCallback callback) {
        List<String> names = ApiPreconditions.checkSubscribe(topics, callback, settings);
        synchronized (this) {
            if (state == State.CLOSED) {
                throw new IllegalStateException("Consumer " + memberId + " of group " + group.id()
                        + " is closed; create a new one with Mq.newConsumer to subscribe again");
            }
            if (state == State.RUNNING) {
                throw new IllegalStateException("subscribe was already called on consumer " + memberId + " of group "
                        + group.id() + "; one consumer serves one subscribe call, create another with Mq.newConsumer");
            }
            state = State.RUNNING;
            thread = Thread.currentThread();
        }
        boolean joined = false;
        try {
            List<Topic> subscription = new ArrayList<>(names.size());
            for (String name : names) {
                subscription.add(broker.topicForSubscribe(name));
            }
            broker.register(this);
            group.join(this, subscription);
            joined = true;
            observer.subscribed(names);
            if (KeyOrderedDispatcher.needed(settings)) {
                runParallel(callback);
            } else {
                try (CallbackRunner.ConsumeLoop callbacks = CallbackRunner.ConsumeLoop.start(callback, log, observer)) {
                    run(callbacks);
                }
            }
        } finally {
            finish(joined);
        }
    }

    private void run(CallbackRunner.ConsumeLoop callbacks) {
        byte[][] data = this.batchData;
        int[] positions = this.batchPositions;
        long[] timestamps = this.batchTimestamps;
        long nextCommit = System.nanoTime() + commitIntervalNanos;
        Thread self = Thread.currentThread();
        loop:
        while (true) {
            observer.polled();
            if (attention && stopAfterEvents(() -> group.sync(this))) {
                break;
            }
            if (self.isInterrupted()) {
                log.atInfo().setMessage("subscribe thread interrupted; closing the consumer")
                        .addKeyValue("group", group.id()).addKeyValue("member", memberId).log();
                break;
            }
            boolean fetched = false;
            for (PartitionClaim claim : claims) {
                int n = claim.log.fetch(claim.position, data, positions, timestamps);
                if (n == PartitionLog.OUT_OF_RANGE) {
                    resetOutOfRange(claim);
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    long offset = claim.position;
                    Message message = claim.log.decode(offset, timestamps[i], data[i], positions[i]);
                    data[i] = null;
                    if (!callbacks.consume(message) && self.isInterrupted()) {
                        // a cancellation, not a processed message: it stays for the next member
                        Arrays.fill(data, i + 1, n, null);
                        break loop;
                    }
                    claim.position = offset + 1;
                    if (attention) {
                        Arrays.fill(data, i + 1, n, null);
                        continue loop;
                    }
                }
                fetched |= n > 0;
            }
            long now = System.nanoTime();
            if (now - nextCommit >= 0) {
                group.commit(this);
                nextCommit = now + commitIntervalNanos;
            }
            if (!fetched) {
                awaitData(nextCommit - now);
            }
        }
    }

    /**
     * The loop at {@code concurrency > 1}: fetches what the partitions' windows allow, hands it to
     * the dispatcher, applies its progress to the claims' positions, commits on the interval (or
     * sooner when a full window waits for it).
     */
    private void runParallel(ConsumeCallback callback) {
        KeyOrderedDispatcher<PartitionClaim> parallel = KeyOrderedDispatcher.start(callback, settings, memberId,
                group.id(), log, (claim, next) -> claim.position = next, () -> new InMemoryProducer(broker, spec.forProducer()), observer);
        dispatcher = parallel;
        Duration bound = Duration.ofMillis(closeWaitMs / 2);
        boolean interrupted = false;
        try {
            byte[][] data = this.batchData;
            int[] positions = this.batchPositions;
            long[] timestamps = this.batchTimestamps;
            long nextCommit = System.nanoTime() + commitIntervalNanos;
            Thread self = Thread.currentThread();
            while (true) {
                observer.polled();
                if (attention && stopAfterEvents(() -> sync(parallel, bound))) {
                    break;
                }
                if (self.isInterrupted() || parallel.cancelled()) {
                    log.atInfo().setMessage(parallel.cancelled() ? "a callback was cancelled by an interrupt; closing the consumer"
                                    : "subscribe thread interrupted; closing the consumer")
                            .addKeyValue("group", group.id()).addKeyValue("member", memberId).log();
                    interrupted = true;
                    break;
                }
                boolean fetched = false;
                for (PartitionClaim claim : claims) {
                    boolean full = parallel.isFull(claim);
                    if (observer != ClientObserver.NONE && full != paused.contains(claim)) {
                        observePause(claim, full);
                    }
                    if (full) {
                        continue;
                    }
                    int n = claim.log.fetch(claim.fetched, data, positions, timestamps);
                    if (n == PartitionLog.OUT_OF_RANGE) {
                        resetOutOfRange(claim);
                        continue;
                    }
                    for (int i = 0; i < n; i++) {
                        parallel.submit(claim, claim.log.decode(claim.fetched++, timestamps[i], data[i], positions[i]));
                        data[i] = null;
                    }
                    fetched |= n > 0;
                }
                parallel.drain();
                long now = System.nanoTime();
                if (now - nextCommit >= 0 || parallel.commitWanted()) {
                    commit(parallel);
                    nextCommit = now + commitIntervalNanos;
                }
                if (!fetched) {
                    awaitData(nextCommit - now, parallel);
                }
            }
        } finally {
            if (crashed || brokerClosed) {
                parallel.close();
            } else {
                if (interrupted) {
                    Thread.interrupted(); // waiting for the callbacks in hand needs a thread that can park
                    parallel.interruptCallbacks();
                }
                parallel.finish(bound);
            }
            if (interrupted) {
                // as at concurrency 1: subscribe returns with the interrupt flag set
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Answers the group's requests between messages: true to stop (close, crash, broker closed), after a sync if asked. */
    private boolean stopAfterEvents(Runnable sync) {
        attention = false;
        if (closeRequested || crashed || brokerClosed) {
            return true;
        }
        if (syncRequested) {
            syncRequested = false;
            sync.run();
        }
        return false;
    }

    /** Lets the partitions that leave finish their callbacks (within {@code bound}), then syncs with the group. */
    private void sync(KeyOrderedDispatcher<PartitionClaim> parallel, Duration bound) {
        List<PartitionClaim> leaving = group.leaving(this);
        if (!leaving.isEmpty()) {
            parallel.revoke(leaving, bound);
        }
        group.sync(this);
        Set<PartitionClaim> owned = Collections.newSetFromMap(new IdentityHashMap<>());
        owned.addAll(Arrays.asList(claims));
        List<PartitionClaim> gone = parallel.partitions().stream().filter(c -> !owned.contains(c)).toList();
        if (!gone.isEmpty()) {
            parallel.lose(gone); // released by a rebalance that came after the revocation above
        }
    }

    private void commit(KeyOrderedDispatcher<PartitionClaim> parallel) {
        group.commit(this);
        for (PartitionClaim claim : claims) {
            parallel.committed(claim, claim.committed);
        }
    }

    /** Parks until data arrives on an owned partition, a group event, or {@code maxNanos}. */
    private void awaitData(long maxNanos) {
        awaitData(maxNanos, null);
    }

    /** As {@link #awaitData(long)}; with a dispatcher, also until a callback completes. */
    private void awaitData(long maxNanos, KeyOrderedDispatcher<PartitionClaim> parallel) {
        // Spin a little first: under load the next message is usually less than a microsecond
        // away, and a parked consumer costs the appender an unpark (a system call) per message.
        // The spin is bounded, so an idle consumer parks after a few microseconds.
        for (int i = 0; i < SPINS; i++) {
            if (hasWork(parallel)) {
                return;
            }
            Thread.onSpinWait();
        }
        waiting = true;
        try {
            // Re-check after announcing the wait: an append that ran before it was visible did
            // not unpark us, but its data is visible here.
            if (hasWork(parallel)) {
                return;
            }
            long nanos = Math.max(1, Math.min(maxNanos, MAX_PARK_NANOS));
            if (parallel == null) {
                LockSupport.parkNanos(this, nanos);
            } else {
                parallel.awaitCompletion(nanos);
            }
        } finally {
            waiting = false;
        }
    }

    private boolean hasWork(KeyOrderedDispatcher<PartitionClaim> parallel) {
        if (attention) {
            return true;
        }
        if (parallel == null) {
            for (PartitionClaim claim : claims) {
                if (claim.log.endOffset() > claim.position) {
                    return true;
                }
            }
            return false;
        }
        if (parallel.hasCompletions()) {
            return true;
        }
        for (PartitionClaim claim : claims) {
            if (claim.log.endOffset() > claim.fetched && !parallel.isFull(claim)) {
                return true;
            }
        }
        return false;
    }

    private void resetOutOfRange(PartitionClaim claim) {
        long start = claim.log.startOffset();
        long resetTo = earliest ? start : claim.log.endOffset();
        log.atWarn()
                .setMessage("position is below the log-start offset (retention dropped those messages); reset")
                .addKeyValue("group", group.id())
                .addKeyValue("member", memberId)
                .addKeyValue("topic", claim.log.topic())
                .addKeyValue("partition", claim.log.partition())
                .addKeyValue("position", claim.position)
                .addKeyValue("logStartOffset", start)
                .addKeyValue("autoOffsetReset", earliest ? "earliest" : "latest")
                .addKeyValue("resetTo", resetTo)
                .log();
        claim.position = resetTo;
        claim.fetched = resetTo;
    }

    /** Tells the observer that {@code claim} was paused at its window, or resumed. */
    private void observePause(PartitionClaim claim, boolean full) {
        if (full) {
            paused.add(claim);
        } else {
            paused.remove(claim);
        }
        observer.partitions(full ? ClientObserver.PartitionChange.PAUSED : ClientObserver.PartitionChange.RESUMED,
                List.of(partition(claim)));
    }

    private static Partition partition(PartitionClaim claim) {
        return new Partition(claim.log.topic(), claim.log.partition());
    }

    /** Called by the group, under its lock, after it committed {@code claim}. */
    void committed(PartitionClaim claim) {
        observer.committed(partition(claim), claim.committed, claim.log.endOffset());
    }

    private void finish(boolean joined) {
        try {
            if (crashed) {
                // a crash that came while subscribe was still joining found nothing to evict
                group.evict(this);
            } else if (joined) {
                group.leave(this);
            }
        } finally {
            broker.unregister(this);
            synchronized (this) {
                state = State.CLOSED;
            }
            if (observer != ClientObserver.NONE && claims.length > 0) {
                observer.partitions(crashed || brokerClosed ? ClientObserver.PartitionChange.LOST
                        : ClientObserver.PartitionChange.REVOKED, Arrays.stream(claims).map(InMemoryConsumer::partition).toList());
            }
            observer.closed();
            finished.countDown();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>From another thread it waits for the message in hand at most
     * {@code consumer.sessionTimeoutMs}; a callback that takes longer is treated as a member that
     * stopped answering: it is removed from the group without a commit (logged at WARN), and its
     * messages since the last commit go to the next owner.
     */
    @Override
    public void close() {
        Thread loopThread;
        synchronized (this) {
            if (state == State.NEW) {
                state = State.CLOSED;
                observer.closed();
                return;
            }
            if (state == State.CLOSED) {
                return;
            }
            closeRequested = true;
            loopThread = thread;
        }
        signal();
        KeyOrderedDispatcher<PartitionClaim> parallel = dispatcher;
        if (Thread.currentThread() == loopThread || parallel != null && parallel.isWorkerThread()) {
            return; // inside a callback: the loop stops once it returns
        }
        try {
            if (!finished.await(closeWaitMs, TimeUnit.MILLISECONDS) && group.evict(this)) {
                log.atWarn()
                        .setMessage("the callback did not finish within consumer.sessionTimeoutMs; removed from the group without a commit")
                        .addKeyValue("group", group.id())
                        .addKeyValue("member", memberId)
                        .addKeyValue("sessionTimeoutMs", closeWaitMs)
                        .log();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Kills this consumer as a crash would: no callback after the one in hand, no commit of
     * anything since the last commit, out of the group at once, and {@code subscribe} returns.
     * Does not wait for the callback in hand. Test fault injection, reached through
     * {@link InMemoryBroker#crash}.
     */
    void crash() {
        synchronized (this) {
            if (state != State.RUNNING) {
                state = State.CLOSED;
                return;
            }
            crashed = true;
        }
        group.evict(this);
        log.atWarn()
                .setMessage("consumer crashed (fault injected by a test); nothing committed since its last commit")
                .addKeyValue("group", group.id())
                .addKeyValue("member", memberId)
                .log();
        signal();
    }

    /** The broker closed: the loop ends without committing (there is nowhere to commit to). */
    void brokerClosed() {
        brokerClosed = true;
        signal();
    }

    /** The group asks this member to {@link ConsumerGroup#sync} at its next message boundary. */
    void requestSync() {
        syncRequested = true;
        signal();
    }

    /** Called by an appender after it added data to a partition this consumer owns. */
    void dataArrived() {
        if (waiting) {
            LockSupport.unpark(thread);
        }
    }

    private void signal() {
        attention = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    boolean isFenced() {
        return crashed;
    }

    boolean startsAtEarliest() {
        return earliest;
    }

    PartitionClaim[] claims() {
        return claims;
    }

    /** The group hands this member its partitions; the observer hears what came and what went. */
    void claims(PartitionClaim[] claims) {
        if (observer != ClientObserver.NONE) {
            Set<PartitionClaim> before = Collections.newSetFromMap(new IdentityHashMap<>());
            before.addAll(Arrays.asList(this.claims));
            List<Partition> assigned = new ArrayList<>();
            for (PartitionClaim claim : claims) {
                if (!before.remove(claim)) {
                    assigned.add(partition(claim));
                }
            }
            if (!before.isEmpty()) {
                observer.partitions(crashed ? ClientObserver.PartitionChange.LOST : ClientObserver.PartitionChange.REVOKED,
                        before.stream().map(InMemoryConsumer::partition).toList());
                paused.removeAll(before);
            }
            if (!assigned.isEmpty()) {
                observer.partitions(ClientObserver.PartitionChange.ASSIGNED, assigned);
            }
        }
        this.claims = claims;
    }

    String memberId() {
        return memberId;
    }

    Logger log() {
        return log;
    }

    InMemoryBroker broker() {
        return broker;
    }

    @Override
    public String toString() {
        return "InMemoryConsumer{" + memberId + ", group=" + group.id() + ", broker=" + broker.name() + '}';
    }
}
