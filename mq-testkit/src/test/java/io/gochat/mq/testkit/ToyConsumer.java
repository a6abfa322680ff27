package io.gochat.mq.testkit;

import io.gochat.mq.ConsumeCallback;
import io.gochat.mq.Consumer;
import io.gochat.mq.DeadLetterHeaders;
import io.gochat.mq.Message;
import io.gochat.mq.PermanentFailureException;
import io.gochat.mq.Producer;
import io.gochat.mq.SendCallback;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.internal.MessageAccess;
import io.gochat.mq.observe.ClientInfo;
import io.gochat.mq.observe.ClientObserver;
import io.gochat.mq.observe.ConsumeObservation;
import io.gochat.mq.observe.Partition;
import io.gochat.mq.spi.ApiPreconditions;
import io.gochat.mq.spi.CallbackRunner;
import io.gochat.mq.spi.ClientSpec;
import io.gochat.mq.spi.KeyOrderedDispatcher;
import io.gochat.mq.testkit.ToyBroker.Group;
import io.gochat.mq.testkit.ToyBroker.Stored;
import io.gochat.mq.testkit.ToyBroker.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.MDC;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The toy transport's consumer: a loop on the subscribe thread that owns partitions of its group,
 * hands their messages to the callback one at a time and commits processed positions every
 * {@code autoCommitIntervalMs}, on revocation and on close. At {@code consumer.concurrency > 1} it
 * hands them to the shared {@link KeyOrderedDispatcher} instead, as a custom transport would. State
 * is guarded by the broker's lock.
 */
final class ToyConsumer implements Consumer {
    private static final int LARGE = 64 * 1024;
    /** At concurrency > 1: the most messages of a partition handed to the dispatcher at once. */
    private static final int FETCH = 500;

    private final ToyBroker broker;
    private final ClientSpec spec;
    private final Set<Fault> faults;
    private final Logger logger;
    private final Group group;
    private final CountDownLatch done = new CountDownLatch(1);
    private final Map<TopicPartition, Long> positions = new LinkedHashMap<>();
    private final Set<String> repeatedOnce = new HashSet<>();
    /** For {@link Fault#REUSED_VALUE_BUFFER}: one value array per length, reused. */
    private final Map<Integer, byte[]> valueBuffers = new HashMap<>();
    /** At concurrency > 1 ({@code positions} then hold the processed prefix): the next offset to fetch. Subscribe thread only. */
    private final Map<TopicPartition, Long> fetched = new HashMap<>();
    /** For the lane faults: the message each lane copy stands for. */
    private final Map<Message, Message> originals = Collections.synchronizedMap(new IdentityHashMap<>());
    /** For DEAD_LETTER_HEADERS_APPENDED: the messages whose callback threw, by topic/partition@offset. */
    private final Map<String, Message> failed = new ConcurrentHashMap<>();
    private final ClientObserver observer;
    /** For {@link Fault#COMMIT_HIGHEST_COMPLETED}: per partition, the offset after the highest whose callback returned. */
    private final Map<TopicPartition, Long> highest = new ConcurrentHashMap<>();
    /** Set while a parallel subscribe runs, so that close() from one of its workers does not wait for itself. */
    private volatile KeyOrderedDispatcher<TopicPartition> dispatcher;
    private List<String> topics = List.of();
    /** How often each topic was named in the subscribe call. */
    private Map<String, Integer> named = Map.of();
    private boolean subscribed;
    private boolean closeRequested;
    private boolean crashed;
    private Thread subscriber;
    private long lastCommit;
    private int cursor;

    ToyConsumer(ToyBroker broker, ClientSpec spec, Set<Fault> faults) {
        this.broker = broker;
        this.spec = spec;
        this.faults = faults;
        this.logger = spec.logger("consumer");
        this.observer = ToyTransport.observer(spec, faults, ClientInfo.Kind.CONSUMER, "consumer");
        broker.lock.lock();
        try {
            this.group = broker.group(spec.groupId(), faults);
        } finally {
            broker.lock.unlock();
        }
    }

    List<String> topics() {
        return topics;
    }

    Set<Fault> faults() {
        return faults;
    }

    @Override
    public void subscribe(List<String> requested, ConsumeCallback callback) {
        List<String> checked = ToyTransport.check(faults, () -> ApiPreconditions.checkSubscribe(requested, callback, spec.config().consumer()));
        broker.lock.lock();
        try {
            if (subscribed || closeRequested) {
                if (!faults.contains(Fault.SUBSCRIBE_ANY_TIME)) {
                    throw new IllegalStateException("subscribe may be called once per consumer, and not after close(); "
                            + spec + " is " + (closeRequested ? "closed" : "already subscribed"));
                }
                broker.lock.unlock();
                try {
                    done.await(10, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    broker.lock.lock();
                }
                return;
            }
            subscribed = true;
            subscriber = Thread.currentThread();
            topics = faults.contains(Fault.ONLY_FIRST_TOPIC) ? checked.subList(0, 1) : checked;
            Map<String, Integer> counts = new HashMap<>();
            requested.forEach(topic -> counts.merge(topic, 1, Integer::sum));
            named = counts;
            group.members.add(this);
            lastCommit = System.currentTimeMillis();
            broker.changed.signalAll();
        } finally {
            broker.lock.unlock();
        }
        observer.subscribed(topics);
        try {
            if (KeyOrderedDispatcher.needed(spec.config().consumer())) {
                runParallel(callback);
            } else {
                run(callback);
            }
        } catch (InterruptedException e) {
            // interrupted while waiting for messages: stop like close()
            broker.lock.lock();
            try {
                commit();
                leave();
            } finally {
                broker.lock.unlock();
            }
            Thread.currentThread().interrupt();
        } finally {
            observer.closed();
            done.countDown();
        }
    }

    /** A sign of life for the observers, each time a loop turns (not with {@link Fault#POLL_NOT_OBSERVED}). */
    private void turned() {
        if (!faults.contains(Fault.POLL_NOT_OBSERVED)) {
            observer.polled();
        }
    }

    private void run(ConsumeCallback callback) throws InterruptedException {
        while (true) {
            TopicPartition tp;
            long offset;
            Stored stored;
            broker.lock.lock();
            try {
                while (true) {
                    if (crashed) {
                        if (faults.contains(Fault.CRASH_COMMITS)) {
                            commit();
                        }
                        leave();
                        return;
                    }
                    if (closeRequested) {
                        if (!faults.contains(Fault.NO_COMMIT_ON_CLOSE)) {
                            commit();
                        }
                        leave();
                        return;
                    }
                    if (!broker.isDown()) {
                        rebalance();
                        long now = System.currentTimeMillis();
                        if (now - lastCommit >= spec.config().consumer().autoCommitIntervalMs()
                                && !faults.contains(Fault.NO_INTERVAL_COMMIT)) {
                            commit();
                            lastCommit = now;
                        }
                        tp = next();
                        if (tp != null) {
                            offset = positions.get(tp);
                            stored = broker.get(tp, offset);
                            break;
                        }
                    }
                    turned();
                    broker.changed.await(20, TimeUnit.MILLISECONDS);
                }
                if (faults.contains(Fault.COMMIT_BEFORE_PROCESSING)) {
                    group.committed.put(tp, offset + 1);
                }
            } finally {
                broker.lock.unlock();
            }

            turned();
            Message message = received(stored, tp, offset);
            boolean ok = consume(callback, message);
            if (faults.contains(Fault.REPEATED_TOPIC_TWICE)) {
                for (int i = 1; i < named.getOrDefault(tp.topic(), 1); i++) {
                    ok &= consume(callback, message);
                }
            }

            // a callback that failed while the thread is interrupted was cancelled, not processed
            boolean cancelled = !ok && Thread.currentThread().isInterrupted();
            broker.lock.lock();
            try {
                long advance = cancelled && !faults.contains(Fault.INTERRUPT_COUNTS_AS_PROCESSED) ? offset : offset + 1;
                String id = tp + "@" + offset;
                if (faults.contains(Fault.DUPLICATE_EVERY_50TH) && offset % 50 == 49 && repeatedOnce.add(id)) {
                    advance = offset;
                }
                if (faults.contains(Fault.RETRY_FAILED_CALLBACK) && !ok && repeatedOnce.add(id)) {
                    advance = offset;
                }
                if (positions.containsKey(tp)) {
                    positions.put(tp, advance);
                }
                if (cancelled) {
                    commit();
                    leave();
                    return;
                }
                if (!ok && faults.contains(Fault.STOP_ON_CALLBACK_ERROR)) {
                    leave();
                    return;
                }
            } finally {
                broker.lock.unlock();
            }
        }
    }

    /**
     * The loop at {@code consumer.concurrency > 1}, and how a transport uses
     * {@link KeyOrderedDispatcher}: this thread fetches and submits, the dispatcher's workers run the
     * callbacks, {@code positions} follow the processed prefix it reports, and commits tell it so.
     * Revocation and close wait for the callbacks in hand (at most half the session timeout), outside
     * the broker's lock, since a callback may use the broker; a crash does not wait.
     */
    private void runParallel(ConsumeCallback callback) {
        MqConfig config = spec.config();
        if (faults.contains(Fault.WINDOW_IGNORED)) {
            config = config.toBuilder().consumer(c -> c.maxPendingPerPartition(1_000_000)).build();
        }
        if (faults.contains(Fault.NO_RETRY)) {
            config = config.toBuilder().consumer(c -> c.retryMaxAttempts(1)).build();
        }
        if (faults.contains(Fault.RETRY_BLOCKS_PARTITION) && config.consumer().handlesFailures()) {
            config = config.toBuilder().consumer(c -> c.concurrency(1)).build();
        }
        Duration bound = Duration.ofMillis(config.consumer().sessionTimeoutMs() / 2);
        KeyOrderedDispatcher<TopicPartition> parallel = KeyOrderedDispatcher.start(parallelCallback(callback),
                config.consumer(), spec.clientId(), spec.groupId(), logger, this::processed,
                this::deadLetterProducer, observer);
        dispatcher = parallel;
        boolean crash;
        boolean interrupted = false;
        while (true) {
            turned();
            List<TopicPartition> revoked;
            broker.lock.lock();
            try {
                crash = crashed;
                interrupted = Thread.currentThread().isInterrupted() || parallel.cancelled();
                if (crashed || closeRequested || interrupted) {
                    break;
                }
                revoked = broker.isDown() ? List.of() : new ArrayList<>(positions.keySet());
                revoked.removeAll(group.target(this, broker));
            } finally {
                broker.lock.unlock();
            }
            if (!revoked.isEmpty()) {
                parallel.revoke(revoked, bound);
                revoked.forEach(fetched::remove); // fetched again from the processed position if kept after all
            }
            broker.lock.lock();
            try {
                boolean any = !broker.isDown() && fetch(parallel);
                parallel.drain();
                long now = System.currentTimeMillis();
                if (now - lastCommit >= config.consumer().autoCommitIntervalMs()
                        && !faults.contains(Fault.NO_INTERVAL_COMMIT) || parallel.commitWanted()) {
                    commit(parallel);
                    lastCommit = now;
                }
                if (!any && !parallel.hasCompletions()) {
                    broker.changed.await(parallel.busy() ? 1 : 20, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                broker.lock.unlock();
            }
        }
        if (crash) {
            parallel.close();
        } else {
            if (interrupted) {
                Thread.interrupted(); // waiting for the callbacks in hand needs a thread that can park
                parallel.interruptCallbacks();
            }
            if (faults.contains(Fault.CLOSE_WITHOUT_WAITING)) {
                parallel.close();
            } else {
                parallel.finish(bound);
            }
        }
        broker.lock.lock();
        try {
            if (crash ? faults.contains(Fault.CRASH_COMMITS) : !faults.contains(Fault.NO_COMMIT_ON_CLOSE)) {
                commit();
            }
            leave();
        } finally {
            broker.lock.unlock();
        }
        if (interrupted) {
            Thread.currentThread().interrupt(); // as at concurrency 1: subscribe returns with the flag set
        }
    }

    /** Takes part in the group, then submits what each owned partition's window allows. Caller holds the lock. */
    private boolean fetch(KeyOrderedDispatcher<TopicPartition> parallel) {
        rebalance();
        fetched.keySet().retainAll(positions.keySet());
        List<TopicPartition> gone = parallel.partitions().stream().filter(tp -> !positions.containsKey(tp)).toList();
        if (!gone.isEmpty()) {
            parallel.lose(gone); // released by rebalance() without a revoke(): what they run is ignored
        }
        positions.forEach(fetched::putIfAbsent);
        if (faults.contains(Fault.FULL_PARTITION_STOPS_ALL) && !parallel.full().isEmpty()) {
            return false;
        }
        boolean any = false;
        for (TopicPartition tp : positions.keySet()) {
            long from = fetched.get(tp);
            long to = Math.min(broker.size(tp), from + FETCH);
            if (from >= to || parallel.isFull(tp)) {
                continue;
            }
            List<Message> batch = new ArrayList<>();
            for (long offset = from; offset < to; offset++) {
                batch.add(laneOf(received(broker.get(tp, offset), tp, offset)));
            }
            if (faults.contains(Fault.BATCH_SUBMITTED_REVERSED)) {
                Collections.reverse(batch);
            }
            batch.forEach(message -> parallel.submit(tp, message));
            fetched.put(tp, to);
            any = true;
        }
        return any;
    }

    /** The dispatcher's report: every message of {@code tp} before {@code next} is processed. */
    private void processed(TopicPartition tp, long next) {
        broker.lock.lock();
        try {
            positions.computeIfPresent(tp, (p, at) -> next);
        } finally {
            broker.lock.unlock();
        }
    }

    /** Commits the processed positions and lets the dispatcher slide its windows. Caller holds the lock. */
    private void commit(KeyOrderedDispatcher<TopicPartition> parallel) {
        if (faults.contains(Fault.COMMIT_HIGHEST_COMPLETED)) {
            positions.replaceAll((tp, at) -> Math.max(at, highest.getOrDefault(tp, at)));
        }
        commit();
        positions.forEach(parallel::committed);
    }

    /** With a lane fault, a copy of {@code message} whose key puts it in the wrong lane; the callback gets the original. */
    private Message laneOf(Message message) {
        byte[] key;
        if (faults.contains(Fault.LANES_IGNORE_KEY)) {
            key = ("lane-" + message.offset()).getBytes(StandardCharsets.UTF_8);
        } else if (faults.contains(Fault.ONE_LANE_PER_PARTITION)) {
            key = null;
        } else {
            return message;
        }
        Message lane = MessageAccess.received(message.topic(), key, message.value(), message.headers(),
                message.partition(), message.offset(), message.timestamp());
        originals.put(lane, message);
        return lane;
    }

    /** The producer of dead letters, and its faults. */
    private Producer deadLetterProducer() {
        Producer toy = new ToyProducer(broker, spec, faults);
        if (!faults.contains(Fault.DEAD_LETTER_WITHOUT_PROVENANCE) && !faults.contains(Fault.DEAD_LETTER_HEADERS_APPENDED)) {
            return toy;
        }
        UnaryOperator<Message> broken = letter -> {
            Message.Builder b = letter.toBuilder();
            if (faults.contains(Fault.DEAD_LETTER_WITHOUT_PROVENANCE)) {
                DeadLetterHeaders.ALL.forEach(b::removeHeader);
            } else {
                Message original = failed.get(letter.headerAsString(DeadLetterHeaders.ORIGINAL_TOPIC) + "/"
                        + letter.headerAsString(DeadLetterHeaders.ORIGINAL_PARTITION) + "@"
                        + letter.headerAsString(DeadLetterHeaders.ORIGINAL_OFFSET));
                if (original != null) {
                    original.headers().forEach((name, value) -> {
                        if (name.startsWith(DeadLetterHeaders.PREFIX)) {
                            b.header("earlier-" + name, value);
                        }
                    });
                }
            }
            return b.build();
        };
        return new Producer() {
            @Override
            public void send(Message message, SendCallback callback) {
                toy.send(broken.apply(message), callback);
            }

            @Override
            public void sendSync(Message message) {
                toy.sendSync(broken.apply(message));
            }

            @Override
            public void close() {
                toy.close();
            }
        };
    }

    /** The callback as the dispatcher runs it: the original of a lane copy, and the faults of the worker's side. */
    private ConsumeCallback parallelCallback(ConsumeCallback callback) {
        ThreadLocal<String> lastTraceId = new ThreadLocal<>();
        return lane -> {
            Message message = Objects.requireNonNullElse(originals.remove(lane), lane);
            if (faults.contains(Fault.WORKER_STALE_TRACE_ID)) {
                if (message.traceId() != null) {
                    lastTraceId.set(message.traceId());
                } else if (lastTraceId.get() != null) {
                    MDC.put(Message.TRACE_ID_HEADER, lastTraceId.get());
                }
            }
            try {
                callback.handle(message);
            } catch (RuntimeException e) {
                if (faults.contains(Fault.DEAD_LETTER_HEADERS_APPENDED)) {
                    failed.put(message.topic() + "/" + message.partition() + "@" + message.offset(), message);
                }
                if (faults.contains(Fault.PERMANENT_RETRIED) && PermanentFailureException.isPermanent(e)) {
                    throw new IllegalStateException(e.toString());
                }
                throw e;
            } finally {
                if (faults.contains(Fault.COMMIT_HIGHEST_COMPLETED)) {
                    highest.merge(new TopicPartition(message.topic(), message.partition()), message.offset() + 1, Math::max);
                }
            }
        };
    }

    private boolean consume(ConsumeCallback user, Message message) {
        ConsumeCallback callback = observer == ClientObserver.NONE ? user : observed(user);
        if (faults.contains(Fault.NO_ERROR_LOG) || faults.contains(Fault.NO_TRACE)
                || faults.contains(Fault.FAILURE_LOG_WITHOUT_TRACE_ID) || faults.contains(Fault.MDC_KEPT_AFTER_THROWING_CALLBACK)) {
            return consumeWithFaults(callback, message);
        }
        return CallbackRunner.consume(callback, message, logger);
    }

    /** {@code callback} between the observer's start and completion, inside the MDC scope of the message. */
    private ConsumeCallback observed(ConsumeCallback callback) {
        return message -> {
            ConsumeObservation observation = observer.consumeStarted(message, 1);
            try {
                callback.handle(message);
            } catch (Exception | Error e) {
                observation.completed(Thread.currentThread().isInterrupted() ? ConsumeObservation.Outcome.CANCELLED
                        : ConsumeObservation.Outcome.FAILURE, e);
                throw e;
            }
            observation.completed(ConsumeObservation.Outcome.SUCCESS, null);
        };
    }

    /** {@link CallbackRunner#consume} as the faults break it. */
    private boolean consumeWithFaults(ConsumeCallback callback, Message message) {
        String previous = MDC.get(Message.TRACE_ID_HEADER);
        String traceId = faults.contains(Fault.NO_TRACE) ? null : message.traceId();
        if (traceId != null) {
            MDC.put(Message.TRACE_ID_HEADER, traceId);
        }
        try {
            callback.handle(message);
            restore(previous);
            return true;
        } catch (Exception e) {
            if (!faults.contains(Fault.NO_ERROR_LOG)) {
                logger.atError().setMessage("consume callback failed").addKeyValue("topic", message.topic())
                        .addKeyValue("partition", message.partition()).addKeyValue("offset", message.offset())
                        .addKeyValue("key", message.keyAsString())
                        .addKeyValue("trace_id", faults.contains(Fault.FAILURE_LOG_WITHOUT_TRACE_ID) ? null : message.traceId())
                        .setCause(e).log();
            }
            if (!faults.contains(Fault.MDC_KEPT_AFTER_THROWING_CALLBACK)) {
                restore(previous);
            }
            return false;
        }
    }

    private static void restore(String traceId) {
        if (traceId == null) {
            MDC.remove(Message.TRACE_ID_HEADER);
        } else {
            MDC.put(Message.TRACE_ID_HEADER, traceId);
        }
    }

    private Message received(Stored stored, TopicPartition tp, long offset) {
        Message m = stored.message();
        byte[] key = m.key();
        byte[] value = m.value();
        Map<String, byte[]> headers = new LinkedHashMap<>(m.headers());
        if (faults.contains(Fault.EMPTY_AS_NULL)) {
            key = key != null && key.length == 0 ? null : key;
            value = value != null && value.length == 0 ? null : value;
            headers.replaceAll((name, bytes) -> bytes != null && bytes.length == 0 ? null : bytes);
        }
        if (faults.contains(Fault.NULL_AS_EMPTY)) {
            key = key == null ? new byte[0] : key;
            value = value == null ? new byte[0] : value;
            headers.replaceAll((name, bytes) -> bytes == null ? new byte[0] : bytes);
        }
        if (faults.contains(Fault.TRUNCATE_LARGE_VALUES) && value != null && value.length > LARGE) {
            value = Arrays.copyOf(value, LARGE);
        }
        if (faults.contains(Fault.REUSED_VALUE_BUFFER) && value != null) {
            byte[] buffer = valueBuffers.computeIfAbsent(value.length, byte[]::new);
            System.arraycopy(value, 0, buffer, 0, value.length);
            value = buffer;
        }
        if (faults.contains(Fault.HEADER_NAMES_LOWER_CASED)) {
            Map<String, byte[]> lower = new LinkedHashMap<>();
            headers.forEach((name, bytes) -> lower.put(name.toLowerCase(Locale.ROOT), bytes));
            headers = lower;
        }
        if (faults.contains(Fault.HEADERS_SORTED)) {
            headers = new LinkedHashMap<>(new TreeMap<>(headers));
        }
        long reported = offset;
        if (faults.contains(Fault.OFFSETS_FROM_ONE)) {
            reported = offset + 1;
        }
        if (faults.contains(Fault.OFFSET_IN_BATCH)) {
            reported = offset % 10;
        }
        long timestamp = faults.contains(Fault.DELIVERY_TIME_AS_TIMESTAMP) ? System.currentTimeMillis() : stored.timestamp();
        return MessageAccess.received(m.topic(), key, value, headers, tp.partition(), reported, timestamp);
    }

    /** Gives up partitions no longer assigned, takes free ones that are. Caller holds the lock. */
    private void rebalance() {
        Set<TopicPartition> target = group.target(this, broker);
        for (TopicPartition tp : new ArrayList<>(positions.keySet())) {
            if (!target.contains(tp)) {
                if (!faults.contains(Fault.NO_COMMIT_ON_REVOKE)) {
                    group.committed.put(tp, positions.get(tp));
                }
                positions.remove(tp);
                group.owners.remove(tp, this);
                broker.changed.signalAll();
                observer.partitions(ClientObserver.PartitionChange.REVOKED, List.of(partition(tp)));
            }
        }
        boolean broadcast = faults.contains(Fault.BROADCAST);
        for (TopicPartition tp : target) {
            if (!positions.containsKey(tp) && (broadcast || group.owners.get(tp) == null)) {
                if (!broadcast) {
                    group.owners.put(tp, this);
                }
                positions.put(tp, start(tp));
                observer.partitions(ClientObserver.PartitionChange.ASSIGNED, List.of(partition(tp)));
            }
        }
    }

    private long start(TopicPartition tp) {
        Long committed = faults.contains(Fault.IGNORE_COMMITTED) || faults.contains(Fault.BROADCAST)
                ? null : group.committed.get(tp);
        if (committed != null) {
            return committed;
        }
        boolean earliest = ("earliest".equals(spec.config().consumer().autoOffsetReset())
                || faults.contains(Fault.IGNORE_LATEST) || faults.contains(Fault.BROADCAST))
                && !faults.contains(Fault.IGNORE_EARLIEST);
        return earliest ? 0 : broker.size(tp);
    }

    /** An owned partition with a message at its position, taken in turns. Caller holds the lock. */
    private TopicPartition next() {
        List<TopicPartition> owned = new ArrayList<>(positions.keySet());
        for (int i = 0; i < owned.size(); i++) {
            TopicPartition tp = owned.get((cursor + i) % owned.size());
            if (positions.get(tp) < broker.size(tp)) {
                cursor = (cursor + i + 1) % owned.size();
                return tp;
            }
        }
        return null;
    }

    private void commit() {
        if (!faults.contains(Fault.BROADCAST)) {
            group.committed.putAll(positions);
            positions.forEach((tp, offset) -> observer.committed(partition(tp), offset, broker.size(tp)));
        }
    }

    private static Partition partition(TopicPartition tp) {
        return new Partition(tp.topic(), tp.partition());
    }

    private void leave() {
        if (!faults.contains(Fault.DEPARTED_MEMBER_KEEPS_PARTITIONS)) {
            for (TopicPartition tp : positions.keySet()) {
                group.owners.remove(tp, this);
            }
        }
        if (!positions.isEmpty()) {
            observer.partitions(crashed ? ClientObserver.PartitionChange.LOST : ClientObserver.PartitionChange.REVOKED,
                    positions.keySet().stream().map(ToyConsumer::partition).toList());
        }
        positions.clear();
        group.members.remove(this);
        broker.changed.signalAll();
    }

    @Override
    public void close() {
        boolean wait;
        broker.lock.lock();
        try {
            if (!subscribed && !closeRequested) {
                observer.closed(); // never subscribed: nothing else ends it
            }
            if (closeRequested && faults.contains(Fault.CLOSE_TWICE_THROWS)) {
                throw new IllegalStateException("consumer " + spec + " is already closed");
            }
            closeRequested = true;
            broker.changed.signalAll();
            KeyOrderedDispatcher<TopicPartition> parallel = dispatcher;
            boolean inside = subscriber == Thread.currentThread() || parallel != null && parallel.isWorkerThread();
            wait = subscribed && (!inside || faults.contains(Fault.CLOSE_INSIDE_DEADLOCKS));
        } finally {
            broker.lock.unlock();
        }
        if (wait) {
            try {
                done.await(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops at the next message boundary without committing anything. */
    void crash() {
        broker.lock.lock();
        try {
            crashed = true;
            broker.changed.signalAll();
        } finally {
            broker.lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "ToyConsumer{" + spec + '}';
    }
}
