package io.gochat.mq.kafka;

import io.gochat.mq.ConsumeCallback;
import io.gochat.mq.Consumer;
import io.gochat.mq.MqException;
import io.gochat.mq.spi.ApiPreconditions;
import io.gochat.mq.spi.CallbackRunner;
import io.gochat.mq.spi.ClientSpec;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

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
 */
final class KafkaMqConsumer implements Consumer {
    private enum State { NEW, RUNNING, CLOSED }

    private final Logger log;
    private final String groupId;
    private final KafkaClient<KafkaConsumer<byte[], byte[]>> kafka;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration pollTimeout;
    private final Duration commitInterval;
    private final Duration apiTimeout;
    private final Duration intervalCommitTimeout;
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
    }

    @Override
    public void subscribe(List<String> topics, ConsumeCallback callback) {
        List<String> names = ApiPreconditions.checkSubscribe(topics, callback);
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException(state.get() == State.CLOSED
                    ? "subscribe after close(): create a new consumer for group " + groupId
                    : "subscribe called twice: one consumer serves one subscribe call (group " + groupId + ")");
        }
        loopThread = Thread.currentThread();
        CommitPolicy<TopicPartition, OffsetAndMetadata> commits = new CommitPolicy<>(this::commitSync, commitInterval,
                intervalCommitTimeout, apiTimeout, stop::get, System::nanoTime, log, groupId);
        MqException fatal = null;
        boolean interrupted = false;
        try {
            consumer.subscribe(names, new RebalanceListener(commits));
            log.atInfo().setMessage("consumer subscribed")
                    .addKeyValue("clientId", kafka.id()).addKeyValue("group", groupId).addKeyValue("topics", names).log();
            fatal = pollLoop(callback, commits);
        } catch (InterruptException e) {
            interrupted = true;
        } finally {
            if (Thread.interrupted()) {
                interrupted = true;
            }
            try {
                if (shutdown(commits, fatal != null ? StopMode.FAIL : StopMode.CLOSE)) {
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

    /** Runs until close, crash, an interrupt or an unrecoverable error, which it returns. */
    private MqException pollLoop(ConsumeCallback callback, CommitPolicy<TopicPartition, OffsetAndMetadata> commits) {
        try (CallbackRunner.ConsumeLoop callbacks = CallbackRunner.ConsumeLoop.start(callback, log)) {
            RecordDispatcher dispatcher = new RecordDispatcher(callbacks, commits::processed, this::stopRequested);
            while (!stopRequested() && !Thread.currentThread().isInterrupted()) {
                try {
                    if (!dispatcher.dispatch(consumer.poll(pollTimeout))) {
                        return null;
                    }
                    commits.commitIfDue();
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
    }

    private boolean stopRequested() {
        return stop.get() != StopMode.RUNNING;
    }

    /** One synchronous commit, its Kafka exceptions turned into the policy's outcomes; an interrupt propagates. */
    private CommitPolicy.Attempt commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
        try {
            consumer.commitSync(offsets, timeout);
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
     * the Kafka consumer still closes).
     */
    private boolean shutdown(CommitPolicy<TopicPartition, OffsetAndMetadata> commits, StopMode ending) {
        boolean interrupted = false;
        try {
            if (!stop.updateAndGet(mode -> mode.then(ending)).commits()) {
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
        if (Thread.currentThread() == loopThread) {
            return; // inside a callback: the loop stops when it returns
        }
        try {
            // the commits on close share default.api.timeout.ms, the group leave takes closeBound()
            long boundMs = apiTimeout.toMillis() + closeBound().toMillis() + 5_000;
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
                commits.revoked(partitions);
                log.atInfo().setMessage("partitions revoked").addKeyValue("group", groupId)
                        .addKeyValue("partitions", partitions).log();
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            commits.lost(partitions);
            log.atWarn().setMessage("partitions lost; their messages since the last commit will be delivered again")
                    .addKeyValue("group", groupId).addKeyValue("partitions", partitions).log();
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            log.atInfo().setMessage("partitions assigned").addKeyValue("group", groupId)
                    .addKeyValue("partitions", partitions).log();
        }
    }
}
