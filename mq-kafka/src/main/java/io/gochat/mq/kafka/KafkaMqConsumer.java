package io.gochat.mq.kafka;

import io.gochat.mq.ConsumeCallback;
import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.MqException;
import io.gochat.mq.spi.ApiPreconditions;
import io.gochat.mq.spi.CallbackRunner;
import io.gochat.mq.internal.MessageAccess;
import io.gochat.mq.spi.ClientSpec;
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
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link Consumer} on a {@link KafkaConsumer}, at least once with commit after processing.
 *
 * <p><b>Threads.</b> The thread that calls {@link #subscribe} owns the {@code KafkaConsumer}: it
 * polls, runs the callbacks, commits, and finally closes it. Other threads touch it only through
 * {@link KafkaConsumer#wakeup()}, from {@link #close()} and {@link #crash()}, which are
 * thread-safe. The {@link OffsetTracker} belongs to the poll thread.
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
 * abandons that commit, and the Kafka consumer is still closed.
 */
final class KafkaMqConsumer implements Consumer {
    private enum State { NEW, RUNNING, CLOSED }

    private final Logger log;
    private final String groupId;
    private final String clientIdBase;
    private final String clientId;
    private final Map<String, Object> props;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration pollTimeout;
    private final long commitIntervalMs;
    private final Duration apiTimeout;
    private final Duration intervalCommitTimeout;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final CountDownLatch loopDone = new CountDownLatch(1);
    private final OffsetTracker offsets = new OffsetTracker();
    private volatile boolean closing;
    private volatile boolean crashed;
    private volatile Thread loopThread;
    /** Poll thread only: whether the shutdown commit budget runs, and when it ends (nano time). */
    private boolean shutdownBudgetStarted;
    private long shutdownCommitDeadline;
    /** Poll thread only: set after an unrecoverable error or an interrupt during shutdown; no more commits. */
    private boolean commitsAbandoned;

    KafkaMqConsumer(ClientSpec spec) {
        this.log = spec.logger("consumer");
        this.groupId = spec.groupId();
        this.clientIdBase = spec.clientId();
        Map<String, Object> base = KafkaProperties.consumer(spec.config(), clientIdBase, groupId);
        this.clientId = ClientIds.acquire(clientIdBase, "consumer");
        base.put("client.id", clientId);
        this.props = Map.copyOf(base);
        this.commitIntervalMs = spec.config().consumer().autoCommitIntervalMs();
        this.pollTimeout = Duration.ofMillis(Math.min(commitIntervalMs, 1000));
        this.apiTimeout = Duration.ofMillis(KafkaProperties.intProperty(base, "default.api.timeout.ms",
                KafkaProperties.DEFAULT_API_TIMEOUT_MS));
        // a broker that is away must not hold the loop for the whole API timeout at every interval
        this.intervalCommitTimeout = Duration.ofMillis(Math.min(apiTimeout.toMillis(), Math.max(5_000, commitIntervalMs)));
        try {
            this.consumer = new KafkaConsumer<>(base);
        } catch (RuntimeException e) {
            ClientIds.release(clientIdBase, "consumer", clientId);
            throw KafkaErrors.creation("consumer", e, spec.config().source(), base);
        }
        log.atInfo().setMessage("kafka consumer created")
                .addKeyValue("clientId", clientId)
                .addKeyValue("group", groupId)
                .addKeyValue("brokers", props.get("bootstrap.servers"))
                .addKeyValue("properties", KafkaProperties.forLog(base))
                .log();
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
        MqException fatal = null;
        boolean interrupted = false;
        try {
            consumer.subscribe(names, new CommitOnRevoke());
            log.atInfo().setMessage("consumer subscribed")
                    .addKeyValue("clientId", clientId).addKeyValue("group", groupId).addKeyValue("topics", names).log();
            fatal = pollLoop(callback);
        } catch (InterruptException e) {
            interrupted = true;
        } finally {
            if (Thread.interrupted()) {
                interrupted = true;
            }
            try {
                if (shutdown(fatal != null)) {
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
    private MqException pollLoop(ConsumeCallback callback) {
        try (CallbackRunner.ConsumeLoop callbacks = CallbackRunner.ConsumeLoop.start(callback, log)) {
            return pollLoop(callbacks);
        }
    }

    private MqException pollLoop(CallbackRunner.ConsumeLoop callbacks) {
        long nextCommit = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(commitIntervalMs);
        while (!closing && !Thread.currentThread().isInterrupted()) {
            try {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
                if (!process(records, callbacks)) {
                    return null;
                }
                if (System.nanoTime() - nextCommit >= 0) {
                    nextCommit = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(commitIntervalMs);
                    if (!commit(offsets.pending(), "interval", intervalCommitTimeout)) {
                        // rebalancing: try again right after the next poll has completed it
                        nextCommit = System.nanoTime();
                    }
                }
            } catch (WakeupException e) {
                // close() or crash(); the loop condition decides
            } catch (InterruptException e) {
                throw e;
            } catch (RetriableException e) {
                log.atWarn().setMessage("kafka poll failed; retrying")
                        .addKeyValue("group", groupId).addKeyValue("error", KafkaErrors.describe(e)).log();
            } catch (KafkaException e) {
                MqException security = KafkaErrors.security(e, props, "consumer of group " + groupId);
                MqException fatal = security != null ? security
                        : new MqException("consumer of group " + groupId + " stopped on an unrecoverable Kafka error: "
                                + KafkaErrors.describe(e), e);
                log.atError().setMessage("consumer stopped on an unrecoverable error")
                        .addKeyValue("clientId", clientId).addKeyValue("group", groupId)
                        .addKeyValue("error", fatal.getMessage()).log();
                return fatal;
            }
        }
        return null;
    }

    /**
     * Runs the callbacks, partition by partition in offset order; false when stopped midway by
     * close() or by an interrupt of this thread. An interrupt is a cancellation: the rest of the
     * batch is left for the next member, and so is a message whose callback failed because of it.
     *
     * <p>The offset tracker learns of each partition's progress once, when its records are done or
     * the loop stops among them: nothing reads it while callbacks run (commits happen on this
     * thread, between polls), and a map update per record was a tenth of the loop's own cost.
     */
    private boolean process(ConsumerRecords<byte[], byte[]> records, CallbackRunner.ConsumeLoop callbacks) {
        for (TopicPartition tp : records.partitions()) {
            ConsumerRecord<byte[], byte[]> done = null;
            try {
                for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
                    if (closing || Thread.currentThread().isInterrupted()) {
                        return false;
                    }
                    if (!callbacks.consume(message(record)) && Thread.currentThread().isInterrupted()) {
                        return false; // a cancellation: not processed, the next member gets it (logged by the runner)
                    }
                    done = record;
                }
            } finally {
                if (done != null) {
                    offsets.processed(done);
                }
            }
        }
        return !closing;
    }

    /**
     * Commits {@code toCommit} synchronously within {@code timeout} (and, once the loop is stopping,
     * within what is left of the shutdown budget). Returns false when it was not committed and may
     * be tried again: a rebalance is in progress, or the time ran out while woken up.
     */
    private boolean commit(Map<TopicPartition, OffsetAndMetadata> toCommit, String why, Duration timeout) {
        if (toCommit.isEmpty()) {
            return true;
        }
        long deadline = deadline(timeout);
        while (true) {
            if (crashed || commitsAbandoned) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                log.atWarn().setMessage("commit skipped: the time for commits on close (default.api.timeout.ms) is used up;"
                                + " those messages will be delivered again")
                        .addKeyValue("group", groupId).addKeyValue("why", why).addKeyValue("offsets", toCommit).log();
                return false;
            }
            try {
                consumer.commitSync(toCommit, Duration.ofNanos(left));
                offsets.committed(toCommit);
                log.atDebug().setMessage("offsets committed").addKeyValue("group", groupId)
                        .addKeyValue("why", why).addKeyValue("offsets", toCommit).log();
                return true;
            } catch (WakeupException e) {
                // close() asked the loop to stop while it was committing: the commit still has to
                // happen, but within the shutdown budget rather than a fresh timeout
                long budget = deadline(timeout);
                if (budget - deadline < 0) {
                    deadline = budget;
                }
            } catch (RebalanceInProgressException e) {
                log.atInfo().setMessage("commit deferred: the group is rebalancing").addKeyValue("group", groupId)
                        .addKeyValue("why", why).log();
                return false;
            } catch (CommitFailedException e) {
                // the member left the generation: its partitions go to others, who restart at the last commit
                log.atWarn().setMessage("commit failed: this member is no longer in the group's generation;"
                                + " the messages since the last commit will be delivered again")
                        .addKeyValue("group", groupId).addKeyValue("why", why).addKeyValue("offsets", toCommit)
                        .addKeyValue("error", e.getMessage()).log();
                return true;
            } catch (InterruptException e) {
                throw e;
            } catch (KafkaException e) {
                MqException security = KafkaErrors.security(e, props, "commit of group " + groupId);
                log.atWarn().setMessage("commit failed; the offsets stay pending and are committed later")
                        .addKeyValue("group", groupId).addKeyValue("why", why).addKeyValue("offsets", toCommit)
                        .addKeyValue("error", security != null ? security.getMessage() : KafkaErrors.describe(e)).log();
                return true;
            }
        }
    }

    /** When a commit of {@code timeout} started now must end: never after the shutdown budget, once it runs. */
    private long deadline(Duration timeout) {
        long now = System.nanoTime();
        long own = now + timeout.toNanos();
        if (closing && !shutdownBudgetStarted) {
            startShutdownBudget();
        }
        return shutdownBudgetStarted && shutdownCommitDeadline - own < 0 ? shutdownCommitDeadline : own;
    }

    private void startShutdownBudget() {
        if (!shutdownBudgetStarted) {
            shutdownBudgetStarted = true;
            shutdownCommitDeadline = System.nanoTime() + apiTimeout.toNanos();
        }
    }

    /**
     * Last commit (unless crashed or failed), then close the Kafka consumer, leaving the group.
     * Returns whether the thread was interrupted meanwhile (the flag is then cleared, so that the
     * Kafka consumer still closes).
     */
    private boolean shutdown(boolean failed) {
        boolean interrupted = false;
        try {
            if (crashed || failed) {
                commitsAbandoned = true;
            } else {
                startShutdownBudget();
                try {
                    commit(offsets.pending(), "close", apiTimeout);
                } catch (InterruptException e) {
                    // an interrupt while the final commit waits means: stop waiting; still leave the group
                    Thread.interrupted();
                    interrupted = true;
                    commitsAbandoned = true;
                }
                if (!offsets.isEmpty()) {
                    log.atWarn().setMessage("offsets not committed on close; those messages will be delivered again")
                            .addKeyValue("group", groupId).addKeyValue("offsets", offsets.pending()).log();
                }
            }
            Duration bound = crashed ? Duration.ZERO : failed ? Duration.ofSeconds(5) : closeBound();
            CloseOptions options = CloseOptions.timeout(bound)
                    .withGroupMembershipOperation(crashed ? CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP
                            : CloseOptions.GroupMembershipOperation.DEFAULT);
            closeKafkaConsumer(options);
        } finally {
            state.set(State.CLOSED);
        }
        log.atInfo().setMessage(crashed ? "consumer crashed (test fault): nothing committed, group not left"
                        : "consumer closed")
                .addKeyValue("clientId", clientId).addKeyValue("group", groupId).log();
        return interrupted;
    }

    /** How long leaving the group and closing the Kafka consumer may take. */
    private Duration closeBound() {
        return Duration.ofMillis(Math.min(apiTimeout.toMillis(), 30_000));
    }

    private void closeKafkaConsumer(CloseOptions options) {
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
        ClientIds.release(clientIdBase, "consumer", clientId);
    }

    @Override
    public void close() {
        stop(false);
    }

    /**
     * A crash as the contract suite injects it: no further callbacks, nothing committed, the group
     * not left (it notices after {@code sessionTimeoutMs}). For tests; see the testkit fixture.
     */
    void crash() {
        stop(true);
    }

    private void stop(boolean crash) {
        if (state.compareAndSet(State.NEW, State.CLOSED)) {
            crashed = crash;
            closeKafkaConsumer(CloseOptions.timeout(crash ? Duration.ZERO : apiTimeout));
            log.atInfo().setMessage("consumer closed before subscribe").addKeyValue("group", groupId).log();
            loopDone.countDown();
            return;
        }
        if (crash) {
            crashed = true;
        }
        closing = true;
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

    /**
     * The message for {@code record}, owning the arrays Kafka's deserialisers have just made for it
     * (see {@link MessageAccess}); nothing else keeps them.
     */
    private static Message message(ConsumerRecord<byte[], byte[]> record) {
        Map<String, byte[]> headers = Map.of();
        // toArray, not an iterator: without headers it returns a shared empty array, no allocation
        Header[] array = record.headers().toArray();
        if (array.length > 0) {
            headers = new LinkedHashMap<>(array.length * 2);
            for (Header header : array) {
                headers.put(header.key(), header.value()); // a repeated name: the last one wins, as in the builder
            }
        }
        return MessageAccess.received(record.topic(), record.key(), record.value(), headers,
                record.partition(), record.offset(), record.timestamp());
    }

    /** Commits what was processed of partitions that leave; forgets lost ones without committing. */
    private final class CommitOnRevoke implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                try {
                    commit(offsets.pending(partitions), "revoked", apiTimeout);
                } finally {
                    // they are gone whatever the commit did: never commit them later over their new owner
                    offsets.forget(partitions);
                }
                log.atInfo().setMessage("partitions revoked").addKeyValue("group", groupId)
                        .addKeyValue("partitions", partitions).log();
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            offsets.forget(partitions);
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
