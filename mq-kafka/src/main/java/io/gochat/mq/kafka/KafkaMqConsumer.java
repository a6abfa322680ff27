package io.gochat.mq.kafka;

import io.gochat.mq.ConsumeCallback;
import io.gochat.mq.Consumer;
import io.gochat.mq.MqException;
import io.gochat.mq.Producer;
import io.gochat.mq.observe.ClientInfo;
import io.gochat.mq.observe.ClientObserver;
import io.gochat.mq.observe.Partition;
import io.gochat.mq.spi.ApiPreconditions;
import io.gochat.mq.spi.CallbackRunner;
import io.gochat.mq.spi.ClientSpec;
import io.gochat.mq.spi.KeyOrderedDispatcher;
import io.gochat.mq.config.ConsumerConfig;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * {@link Consumer} on a {@link KafkaConsumer}, at least once with commit after processing: the
 * poll loop and the lifecycle. What to do with a poll's records is the {@link RecordDispatcher}'s
 * job, when and what to commit the {@link CommitPolicy}'s; this class owns the Kafka consumer and
 * turns its exceptions into the outcomes of those two.
 *
 * <p><b>Threads.</b> The thread that calls {@link #subscribe} owns the {@code KafkaConsumer}: it
 * polls, runs the callbacks, commits, and finally closes it; the dispatcher and the commit policy
 * are created by {@code subscribe} and confined to it. Other threads touch the consumer only through
 * {@link KafkaConsumer#wakeup()}, from {@link #close()} and {@link #crash()}, which are thread-safe
 * and otherwise only record a {@link StopMode}.
 *
 * <p><b>Commits.</b> {@code enable.auto.commit} is off. Processed offsets are committed
 * synchronously every {@code consumer.autoCommitIntervalMs}, for the revoked partitions in
 * {@code onPartitionsRevoked}, and on close; never in {@code onPartitionsLost} (another member
 * already owns them). A failed commit keeps the offsets pending (or, for partitions that left,
 * leaves them to their new owner, which starts at the last commit): duplicates, never loss.
 *
 * <p><b>Close.</b> Once the loop stops, every commit it still makes (the final one, and the one for
 * the partitions {@code KafkaConsumer.close} revokes) shares one budget of
 * {@code default.api.timeout.ms}; a {@code wakeup()} during a commit does not restart it. Leaving
 * the group takes at most {@code min(default.api.timeout.ms, 30 s)}. So a {@link #close()} from
 * another thread waits for the message in hand plus at most their sum (and 5 s of slack). An
 * interrupt of the subscribe thread stops the loop like {@code close()}; during the final commit it
 * abandons that commit, and the Kafka consumer is still closed. An unrecoverable error ends
 * {@code subscribe} with an {@link MqException}, commits nothing more and leaves the group.
 *
 * <p><b>Parallel.</b> At {@code consumer.concurrency > 1} the callbacks run on the workers of a
 * {@link KeyOrderedDispatcher}; this thread still owns the Kafka consumer and every offset. It
 * keeps polling while callbacks run, so no callback duration evicts the member; a partition
 * holding {@code maxPendingPerPartition} uncommitted messages is paused (and polled briefly, so
 * that it resumes soon after a commit makes room). What is committed is each partition's
 * contiguous processed prefix: on the interval, sooner when a full partition waits for it, on
 * revocation (after the revoked partitions' running callbacks had up to
 * {@code min(max.poll.interval.ms / 2, default.api.timeout.ms)} to finish) and on close (after the
 * same wait). Lost partitions are dropped without a commit.
 */
final class KafkaMqConsumer implements Consumer {
    private enum State { NEW, RUNNING, CLOSED }

    /** The poll timeout while a partition is paused at its window: it resumes at the next round after a commit. */
    private static final Duration WINDOW_POLL = Duration.ofMillis(10);

    private final Logger log;
    private final String groupId;
    private final KafkaClient<KafkaConsumer<byte[], byte[]>> kafka;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration pollTimeout;
    private final Duration commitInterval;
    private final Duration apiTimeout;
    private final Duration intervalCommitTimeout;
    private final ConsumerConfig settings;
    /** Sees callbacks, commits, partition changes; {@link ClientObserver#NONE} (compared, to skip work) without observers. */
    private final ClientObserver observer;
    /** What this consumer was created with: its dead-letter producer is made from it. */
    private final ClientSpec spec;
    /** How long revoked partitions' callbacks, and those in hand on close, may take to finish. */
    private final Duration callbackBound;
    /** The dispatcher of a parallel subscribe; read by close() to tell a worker thread. */
    private volatile KeyOrderedDispatcher<TopicPartition> parallel;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final AtomicReference<StopMode> stop = new AtomicReference<>(StopMode.RUNNING);
    private final CountDownLatch loopDone = new CountDownLatch(1);
    private volatile Thread loopThread;

    KafkaMqConsumer(ClientSpec spec) {
        this.log = spec.logger("consumer");
        this.groupId = spec.groupId();
        this.kafka = KafkaClient.create(spec, "consumer", KafkaProperties.consumer(spec.config(), spec.clientId(), groupId),
                KafkaConsumer::new, log, groupId);
        this.consumer = kafka.client();
        long commitIntervalMs = spec.config().consumer().autoCommitIntervalMs();
        this.commitInterval = Duration.ofMillis(commitIntervalMs);
        this.pollTimeout = Duration.ofMillis(Math.min(commitIntervalMs, 1000));
        this.apiTimeout = Duration.ofMillis(KafkaProperties.intProperty(kafka.properties(), "default.api.timeout.ms",
                KafkaProperties.DEFAULT_API_TIMEOUT_MS));
        // a broker that is away must not hold the loop for the whole API timeout at every interval
        this.intervalCommitTimeout = Duration.ofMillis(Math.min(apiTimeout.toMillis(), Math.max(5_000, commitIntervalMs)));
        this.settings = spec.config().consumer();
        this.observer = spec.observer(ClientInfo.Kind.CONSUMER, "consumer", consumer, kafka.id());
        this.spec = spec;
        // shorter than max.poll.interval.ms: a revocation waits inside poll()
        int maxPollInterval = KafkaProperties.intProperty(kafka.properties(), "max.poll.interval.ms", 300_000);
        this.callbackBound = Duration.ofMillis(Math.min(maxPollInterval / 2, apiTimeout.toMillis()));
    }

    @Override
    public void subscribe(List<String> topics, ConsumeCallback callback) {
        List<String> names = ApiPreconditions.checkSubscribe(topics, callback, settings);
        if (state.get() == State.NEW) {
            // only a consumer's first contact fails fast: once subscribed, brokers that go away are waited for
            kafka.requireReachableOnce(() -> "subscribe of group " + groupId + " to " + names);
        }
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException(state.get() == State.CLOSED
                    ? "subscribe after close(): create a new consumer for group " + groupId
                    : "subscribe called twice: one consumer serves one subscribe call (group " + groupId + ")");
        }
        loopThread = Thread.currentThread();
        CommitPolicy<TopicPartition, OffsetAndMetadata> commits = new CommitPolicy<>(this::commitAndSlide, commitInterval,
                intervalCommitTimeout, apiTimeout, stop::get, System::nanoTime, log, groupId);
        if (KeyOrderedDispatcher.needed(settings)) {
            parallel = KeyOrderedDispatcher.start(callback, settings, kafka.id(), groupId, log,
                    (tp, next) -> commits.processed(tp, new OffsetAndMetadata(next)), this::deadLetterProducer, observer);
        }
        MqException fatal = null;
        boolean interrupted = false;
        try {
            consumer.subscribe(names, new RebalanceListener(commits));
            observer.subscribed(names);
            log.atInfo().setMessage("consumer subscribed")
                    .addKeyValue("clientId", kafka.id()).addKeyValue("group", groupId).addKeyValue("topics", names).log();
            fatal = pollLoop(callback, commits);
        } catch (InterruptException e) {
            interrupted = true;
        } finally {
            if (Thread.interrupted()) {
                interrupted = true;
            }
            boolean cancelled = parallel != null && parallel.cancelled();
            try {
                if (shutdown(commits, fatal != null ? StopMode.FAIL : StopMode.CLOSE, interrupted) || cancelled) {
                    interrupted = true;
                }
            } finally {
                loopDone.countDown();
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (fatal != null) {
            throw fatal;
        }
    }

    /** The producer for dead letters: the service's own producer configuration, logger and observers. */
    private Producer deadLetterProducer() {
        return new KafkaMqProducer(spec.forProducer());
    }

    /** Runs until close, crash, an interrupt or an unrecoverable error, which it returns. */
    private MqException pollLoop(ConsumeCallback callback, CommitPolicy<TopicPartition, OffsetAndMetadata> commits) {
        KeyOrderedDispatcher<TopicPartition> dispatcher = parallel;
        if (dispatcher != null) {
            return pollLoop(() -> pollParallel(dispatcher, commits));
        }
        try (CallbackRunner.ConsumeLoop callbacks = CallbackRunner.ConsumeLoop.start(callback, log, observer)) {
            RecordDispatcher records = new RecordDispatcher(callbacks, commits::processed, this::stopRequested);
            return pollLoop(() -> {
                if (!records.dispatch(consumer.poll(pollTimeout))) {
                    return false;
                }
                commits.commitIfDue();
                return true;
            });
        }
    }

    /**
     * One round of the parallel loop: pauses the full partitions (resumes the others), polls,
     * hands the records to the dispatcher, applies its progress and commits when due. False once a
     * callback was cancelled by an interrupt.
     */
    private boolean pollParallel(KeyOrderedDispatcher<TopicPartition> dispatcher,
                                 CommitPolicy<TopicPartition, OffsetAndMetadata> commits) {
        Set<TopicPartition> full = dispatcher.full();
        Set<TopicPartition> paused = consumer.paused();
        if (!paused.equals(full)) {
            Set<TopicPartition> resume = new HashSet<>(paused);
            resume.removeAll(full);
            consumer.resume(resume);
            full.retainAll(consumer.assignment());
            consumer.pause(full);
            if (observer != ClientObserver.NONE) {
                observe(ClientObserver.PartitionChange.RESUMED, resume);
                Set<TopicPartition> newlyPaused = new HashSet<>(full);
                newlyPaused.removeAll(paused);
                observe(ClientObserver.PartitionChange.PAUSED, newlyPaused);
            }
        }
        // a full partition resumes after a commit: poll briefly so that the loop gets there soon
        ConsumerRecords<byte[], byte[]> records = consumer.poll(full.isEmpty() ? pollTimeout : WINDOW_POLL);
        for (TopicPartition tp : records.partitions()) {
            for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
                dispatcher.submit(tp, RecordDispatcher.message(record));
            }
        }
        dispatcher.drain();
        if (dispatcher.commitWanted()) {
            commits.commitNow();
        } else {
            commits.commitIfDue();
        }
        return !dispatcher.cancelled();
    }

    /** Runs {@code round} until it returns false, close, crash, an interrupt or an unrecoverable error (returned). */
    private MqException pollLoop(BooleanSupplier round) {
        while (!stopRequested() && !Thread.currentThread().isInterrupted()) {
            observer.polled();
            try {
                if (!round.getAsBoolean()) {
                    return null;
                }
            } catch (WakeupException e) {
                // close() or crash(); the loop condition decides
            } catch (InterruptException e) {
                throw e;
            } catch (RetriableException e) {
                log.atWarn().setMessage("kafka poll failed; retrying")
                        .addKeyValue("group", groupId).addKeyValue("error", KafkaErrors.describe(e)).log();
            } catch (KafkaException e) {
                MqException security = KafkaErrors.security(e, kafka.properties(), "consumer of group " + groupId);
                MqException fatal = security != null ? security
                        : new MqException("consumer of group " + groupId + " stopped on an unrecoverable Kafka error: "
                                + KafkaErrors.describe(e), e);
                log.atError().setMessage("consumer stopped on an unrecoverable error")
                        .addKeyValue("clientId", kafka.id()).addKeyValue("group", groupId)
                        .addKeyValue("error", fatal.getMessage()).log();
                return fatal;
            }
        }
        return null;
    }

    private boolean stopRequested() {
        return stop.get() != StopMode.RUNNING;
    }

    /** {@link #commitSync}; what was committed no longer counts against the parallel dispatcher's windows. */
    private CommitPolicy.Attempt commitAndSlide(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
        CommitPolicy.Attempt attempt = commitSync(offsets, timeout);
        KeyOrderedDispatcher<TopicPartition> dispatcher = parallel;
        if (dispatcher != null && attempt.outcome() == CommitPolicy.Outcome.COMMITTED) {
            offsets.forEach((tp, offset) -> dispatcher.committed(tp, offset.offset()));
        }
        return attempt;
    }

    /**
     * Where {@code tp} ends as this consumer last saw it (its position plus its lag from the last
     * fetch), or -1 when it does not know; never blocks.
     */
    private long logEnd(TopicPartition tp) {
        try {
            java.util.OptionalLong lag = consumer.currentLag(tp);
            return lag.isPresent() ? consumer.position(tp, Duration.ZERO) + lag.getAsLong() : -1;
        } catch (RuntimeException e) {
            return -1; // not assigned any more, or no position yet
        }
    }

    private static Partition partition(TopicPartition tp) {
        return new Partition(tp.topic(), tp.partition());
    }

    private void observe(ClientObserver.PartitionChange change, Collection<TopicPartition> partitions) {
        if (observer != ClientObserver.NONE && !partitions.isEmpty()) {
            observer.partitions(change, partitions.stream().map(KafkaMqConsumer::partition).toList());
        }
    }

    /** One synchronous commit, its Kafka exceptions turned into the policy's outcomes; an interrupt propagates. */
    private CommitPolicy.Attempt commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
        try {
            consumer.commitSync(offsets, timeout);
            if (observer != ClientObserver.NONE) {
                offsets.forEach((tp, offset) -> observer.committed(partition(tp), offset.offset(), logEnd(tp)));
            }
            return CommitPolicy.Attempt.COMMITTED;
        } catch (WakeupException e) {
            return CommitPolicy.Attempt.WOKEN_UP;
        } catch (RebalanceInProgressException e) {
            return CommitPolicy.Attempt.REBALANCING;
        } catch (CommitFailedException e) {
            return new CommitPolicy.Attempt(CommitPolicy.Outcome.NOT_IN_GENERATION, e.getMessage());
        } catch (InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            MqException security = KafkaErrors.security(e, kafka.properties(), "commit of group " + groupId);
            return new CommitPolicy.Attempt(CommitPolicy.Outcome.FAILED,
                    security != null ? security.getMessage() : KafkaErrors.describe(e));
        }
    }

    /**
     * Ends the loop as {@code ending} says unless a later mode was asked for (a crash): the last
     * commit if the mode commits, then closes the Kafka consumer, leaving the group if the mode
     * does. Returns whether the thread was interrupted meanwhile (the flag is then cleared, so that
     * the Kafka consumer still closes). A parallel dispatcher first gets {@code callbackBound} for
     * the callbacks in hand if the mode commits ({@code cancel}: interrupting them first), and
     * stops at once otherwise.
     */
    private boolean shutdown(CommitPolicy<TopicPartition, OffsetAndMetadata> commits, StopMode ending, boolean cancel) {
        boolean interrupted = false;
        try {
            boolean commit = stop.updateAndGet(mode -> mode.then(ending)).commits();
            KeyOrderedDispatcher<TopicPartition> dispatcher = parallel;
            if (dispatcher != null) {
                if (!commit) {
                    dispatcher.close();
                } else {
                    if (cancel) {
                        dispatcher.interruptCallbacks();
                    }
                    dispatcher.finish(callbackBound);
                    if (Thread.interrupted()) {
                        interrupted = true; // an interrupt during that wait: stop waiting, still commit
                    }
                }
            }
            if (!commit) {
                commits.abandon();
            } else {
                try {
                    commits.commitOnClose();
                } catch (InterruptException e) {
                    // an interrupt while the final commit waits means: stop waiting; still leave the group
                    Thread.interrupted();
                    interrupted = true;
                    commits.abandon();
                }
            }
            closeKafkaConsumer(stop.get());
        } finally {
            state.set(State.CLOSED);
        }
        log.atInfo().setMessage(stop.get().closedLog())
                .addKeyValue("clientId", kafka.id()).addKeyValue("group", groupId).log();
        return interrupted;
    }

    /** How long leaving the group and closing the Kafka consumer may take. */
    private Duration closeBound() {
        return Duration.ofMillis(Math.min(apiTimeout.toMillis(), 30_000));
    }

    private void closeKafkaConsumer(StopMode mode) {
        Duration bound = switch (mode) {
            case CRASH -> Duration.ZERO;
            case FAIL -> Duration.ofSeconds(5);
            default -> closeBound();
        };
        CloseOptions options = CloseOptions.timeout(bound).withGroupMembershipOperation(mode.leavesGroup()
                ? CloseOptions.GroupMembershipOperation.DEFAULT : CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP);
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                consumer.close(options);
                break;
            } catch (WakeupException e) {
                // a late wakeup() hit close itself; close again
            } catch (InterruptException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                log.atWarn().setMessage("kafka consumer did not close cleanly").addKeyValue("group", groupId)
                        .addKeyValue("error", KafkaErrors.describe(e)).log();
                break;
            }
        }
        kafka.releaseId();
        observer.closed();
    }

    @Override
    public void close() {
        stop(StopMode.CLOSE);
    }

    /**
     * A crash as the contract suite injects it: no further callbacks, nothing committed, the group
     * not left (it notices after {@code sessionTimeoutMs}). For tests; see the testkit fixture.
     */
    void crash() {
        stop(StopMode.CRASH);
    }

    private void stop(StopMode requested) {
        StopMode mode = stop.updateAndGet(current -> current.then(requested));
        if (state.compareAndSet(State.NEW, State.CLOSED)) {
            closeKafkaConsumer(mode);
            log.atInfo().setMessage("consumer closed before subscribe").addKeyValue("group", groupId).log();
            loopDone.countDown();
            return;
        }
        if (loopDone.getCount() > 0) {
            consumer.wakeup();
        }
        KeyOrderedDispatcher<TopicPartition> dispatcher = parallel;
        if (Thread.currentThread() == loopThread || dispatcher != null && dispatcher.isWorkerThread()) {
            return; // inside a callback: the loop stops when it returns
        }
        try {
            // the callbacks in hand may take callbackBound (parallel), the commits on close share
            // default.api.timeout.ms, the group leave takes closeBound()
            long boundMs = (dispatcher != null ? callbackBound.toMillis() : 0)
                    + apiTimeout.toMillis() + closeBound().toMillis() + 5_000;
            if (!loopDone.await(boundMs, TimeUnit.MILLISECONDS)) {
                log.atWarn().setMessage("close() gave up waiting for the consumer loop (a callback may be stuck);"
                                + " it stops after the message in hand")
                        .addKeyValue("group", groupId).addKeyValue("waitedMs", boundMs).log();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Tells the commit policy which partitions leave or are lost; logs each change. */
    private final class RebalanceListener implements ConsumerRebalanceListener {
        private final CommitPolicy<TopicPartition, OffsetAndMetadata> commits;

        RebalanceListener(CommitPolicy<TopicPartition, OffsetAndMetadata> commits) {
            this.commits = commits;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                KeyOrderedDispatcher<TopicPartition> dispatcher = parallel;
                if (dispatcher != null) {
                    dispatcher.revoke(partitions, callbackBound);
                }
                commits.revoked(partitions);
                observe(ClientObserver.PartitionChange.REVOKED, partitions);
                log.atInfo().setMessage("partitions revoked").addKeyValue("group", groupId)
                        .addKeyValue("partitions", partitions).log();
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            KeyOrderedDispatcher<TopicPartition> dispatcher = parallel;
            if (dispatcher != null) {
                dispatcher.lose(partitions);
            }
            commits.lost(partitions);
            observe(ClientObserver.PartitionChange.LOST, partitions);
            log.atWarn().setMessage("partitions lost; their messages since the last commit will be delivered again")
                    .addKeyValue("group", groupId).addKeyValue("partitions", partitions).log();
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            observe(ClientObserver.PartitionChange.ASSIGNED, partitions);
            log.atInfo().setMessage("partitions assigned").addKeyValue("group", groupId)
                    .addKeyValue("partitions", partitions).log();
        }
    }
}
