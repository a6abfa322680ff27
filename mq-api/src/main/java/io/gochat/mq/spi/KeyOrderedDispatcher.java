package io.gochat.mq.spi;

import io.gochat.mq.ConsumeCallback;
import io.gochat.mq.Message;
import io.gochat.mq.Producer;
import io.gochat.mq.config.ConsumerConfig;
import io.gochat.mq.internal.MessageAccess;
import io.gochat.mq.observe.ClientObserver;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Key-ordered parallel consumption for a transport's consumer at {@code consumer.concurrency > 1}:
 * the transport's poll thread {@link #submit}s what it fetched, the dispatcher runs the callbacks
 * on up to {@code concurrency} worker threads, and tells the poll thread, through
 * {@link Progress}, which offset of each partition may be committed.
 *
 * <p><b>Order.</b> Messages of one partition with byte-equal keys run one at a time in offset
 * order; messages without a key share one such lane per partition. Different lanes run at once,
 * at most {@code concurrency} callbacks in all.
 *
 * <p><b>Commits.</b> A partition's committable offset is its lowest unfinished offset (or the last
 * one plus one): the contiguous prefix of processed messages, never past a message still running.
 * A partition holds at most {@code maxPendingPerPartition} fetched-but-uncommitted messages in
 * work: further ones wait unstarted until {@link #committed} slides the window, and
 * {@link #full()} names the partitions whose transport should stop fetching. So a member that
 * dies has processed at most that many messages per partition beyond its last commit: what the
 * next owner gets again.
 *
 * <p><b>Ownership.</b> Each partition's state exists from its first {@code submit} until
 * {@link #revoke} or {@link #lose}; a completion that arrives for a partition this dispatcher no
 * longer holds, or held in an earlier assignment, is ignored.
 *
 * <p><b>Callbacks</b> run through {@link CallbackRunner}: the message's trace id in the worker's
 * MDC during the callback and none after it, a failure logged and counted as processed. A callback
 * that fails while its thread is interrupted is a cancellation: not processed, nothing more is
 * started, and {@link #cancelled()} tells the poll thread to stop. A callback running longer than
 * {@code consumer.stallThresholdMs} is logged at WARN once, with topic, partition, offset and a
 * hash of the key (never the key).
 *
 * <p><b>Failures.</b> With {@code consumer.retry.maxAttempts > 1} or a
 * {@code consumer.deadLetter.topic} ({@link ConsumerConfig#handlesFailures()}), a failed callback
 * is tried again after a backoff: its lane keeps the message, gives its worker back, and a timer
 * thread puts the lane back in line when the wait is over, so only the later messages of that key
 * wait (at {@code concurrency: 1}, where a partition is one lane, of that partition). A
 * {@link io.gochat.mq.PermanentFailureException} is not retried. After the last attempt the
 * message goes to the dead-letter topic, and counts as processed only once the broker
 * acknowledged it; a dead letter that cannot be written is tried again after a backoff, its
 * message unprocessed. A stopping partition's waiting retries end at once, unprocessed.
 *
 * <p><b>Threads.</b> Every method except {@link #isWorkerThread()} is for the poll thread only:
 * the one thread that owns the transport's fetching and offsets. Workers are daemon threads named
 * {@code <name>-worker-<n>}, started as needed and woken one at a time, as far as the waiting lanes
 * keep them busy (see {@code Workers}); they report completions through a lock-free stack the poll
 * thread empties in {@link #drain()}.
 *
 * <pre>{@code
 * KeyOrderedDispatcher<P> dispatcher = KeyOrderedDispatcher.start(callback, config, clientId, log,
 *         (partition, next) -> markProcessed(partition, next));
 * while (running && !dispatcher.cancelled()) {
 *     for (Fetched f : fetch(partitionsNotIn(dispatcher.full()))) {
 *         dispatcher.submit(f.partition(), f.message());
 *     }
 *     dispatcher.drain();
 *     commitIfDue(); // then dispatcher.committed(partition, offset) for each committed offset
 * }
 * dispatcher.finish(bound);
 * commit();
 * }</pre>
 *
 * @param <P> a partition, as the transport names it ({@code equals} and {@code hashCode} identify it)
 */
public final class KeyOrderedDispatcher<P> implements AutoCloseable {
    /** How far each partition is processed; called on the poll thread. */
    @FunctionalInterface
    public interface Progress<P> {
        /** Every message of {@code partition} before {@code nextOffset} is processed: {@code nextOffset} may be committed. */
        void processed(P partition, long nextOffset);
    }

    private static final byte DONE = 1;
    private static final byte NOT_PROCESSED = 2;
    /** A lane gives its worker back after this many messages in a row, so that other lanes get a turn. */
    private static final int TURN = 64;

    private final ConsumeCallback callback;
    private final Logger log;
    /** What a failed callback leads to, or {@code null} for the seed's rule (logged, processed). */
    private final FailureHandling failures;
    /** Sees the callbacks, retries and dead letters. */
    private final ClientObserver observer;
    /** At {@code concurrency: 1}: one lane per partition, so a partition keeps its order through retries. */
    private final boolean partitionLanes;
    private final Progress<P> progress;
    private final int maxPending;
    /** How many lanes a partition keeps, idle ones included, before it drops the idle ones. */
    private final int laneLimit;
    private final long stallNanos;
    private final Workers workers;
    private final Map<P, Partition> partitions = new HashMap<>();
    /**
     * Finished entries, pushed by the workers (linked through {@link Entry#nextDone}, newest first),
     * taken all at once by the poll thread: no allocation and one atomic operation per completion.
     */
    private final AtomicReference<Entry> completions = new AtomicReference<>();
    private final List<Lane> toSchedule = new ArrayList<>();
    private final List<Partition> advanced = new ArrayList<>();
    private volatile Thread waiter;
    private volatile boolean cancelled;
    private boolean closed;
    private int inFlight;
    private long nextStallCheck;
    private P lastKey;
    private Partition lastPartition;

    private KeyOrderedDispatcher(ConsumeCallback callback, ConsumerConfig config, String name, String group, Logger log,
                                 Progress<P> progress, Supplier<Producer> deadLetters, ClientObserver observer) {
        this.callback = callback;
        this.log = log;
        this.observer = observer;
        this.failures = config.handlesFailures() ? new FailureHandling(config, name, group, log, deadLetters) : null;
        this.partitionLanes = config.concurrency() == 1;
        this.progress = progress;
        this.maxPending = config.maxPendingPerPartition();
        this.laneLimit = (int) Math.min(Integer.MAX_VALUE, 2L * maxPending + 64);
        this.stallNanos = TimeUnit.MILLISECONDS.toNanos(config.stallThresholdMs());
        this.workers = new Workers(name, config.concurrency());
        this.nextStallCheck = System.nanoTime() + stallCheckInterval();
    }

    /**
     * A dispatcher for {@code callback} with the consumer's {@code concurrency},
     * {@code maxPendingPerPartition}, {@code stallThresholdMs} and {@code retry}. No thread starts
     * before the first message.
     *
     * @param name names the worker threads, usually the client id
     * @param log where callback failures and stalls are logged
     * @param progress told on the poll thread how far each partition is processed
     * @throws IllegalArgumentException if {@code config} names a dead-letter topic: use the overload
     *         that takes a producer for dead letters
     */
    public static <P> KeyOrderedDispatcher<P> start(ConsumeCallback callback, ConsumerConfig config, String name,
                                                    Logger log, Progress<P> progress) {
        if (!config.deadLetterTopic().isEmpty()) {
            // without a producer every dead letter would fail, and its message be retried forever
            throw new IllegalArgumentException("consumer.deadLetter.topic is set (" + config.deadLetterTopic()
                    + "): start the dispatcher with a producer for dead letters (the overload with deadLetters)");
        }
        return start(callback, config, name, "", log, progress, () -> {
            throw new IllegalStateException("no producer for dead letters");
        }, ClientObserver.NONE);
    }

    /**
     * A dispatcher as {@link #start(ConsumeCallback, ConsumerConfig, String, Logger, Progress)}
     * makes, which also retries failed callbacks and writes dead letters as {@code config}'s
     * {@code retry} and {@code deadLetter} say.
     *
     * @param group the consumer group, written into dead letters
     * @param deadLetters creates the producer for dead letters (the transport's own), at the first
     *                    one; the dispatcher closes it when it finishes
     * @param observer    sees each callback run (on its worker), each retry and each dead letter
     */
    public static <P> KeyOrderedDispatcher<P> start(ConsumeCallback callback, ConsumerConfig config, String name,
                                                    String group, Logger log, Progress<P> progress,
                                                    Supplier<Producer> deadLetters, ClientObserver observer) {
        return new KeyOrderedDispatcher<>(callback, config, name, group, log, progress, deadLetters, observer);
    }

    /**
     * Whether a consumer with {@code config} must run its callbacks through a dispatcher: more than
     * one at once, or failures retried or dead-lettered (a backoff never sleeps on the poll thread).
     */
    public static boolean needed(ConsumerConfig config) {
        return config.concurrency() > 1 || config.handlesFailures();
    }

    /**
     * Hands over one fetched message of {@code partition}; messages of a partition must come in
     * offset order. It starts at the next {@link #drain()} if its partition's window has room,
     * otherwise once {@link #committed} makes room.
     *
     * @throws IllegalStateException after {@link #finish} or {@link #close}
     */
    public void submit(P partition, Message message) {
        if (closed) {
            throw new IllegalStateException("dispatcher is closed: message of " + partition + " at offset "
                    + message.offset() + " not accepted");
        }
        Partition state = partition(partition);
        Entry entry = state.append(message);
        if (entry.seq == state.started && entry.seq - state.base < maxPending) {
            start(state.take(state.started++));
        }
    }

    /**
     * Applies the workers' completions: reports each partition's new committable offset to the
     * {@link Progress}, starts what was submitted, and logs stalled callbacks. Never blocks.
     */
    public void drain() {
        takeCompletions();
        report();
        flush();
        checkStalls();
    }

    /**
     * The transport committed {@code offset} for {@code partition}: the messages before it no
     * longer count against the partition's window, and waiting ones start.
     */
    public void committed(P partition, long offset) {
        Partition state = partitions.get(partition);
        if (state == null) {
            return;
        }
        while (state.base < state.prefix && state.offset(state.base) < offset) {
            state.base++;
        }
        while (state.started < state.tail && state.started - state.base < maxPending && !state.stopped) {
            Entry waiting = state.take(state.started++);
            start(waiting);
        }
        flush();
    }

    /**
     * The partitions holding {@code maxPendingPerPartition} or more fetched-but-uncommitted
     * messages: the transport stops fetching from them until they fall below it again.
     */
    public Set<P> full() {
        Set<P> full = new HashSet<>();
        partitions.forEach((p, state) -> {
            if (state.tail - state.base >= maxPending) {
                full.add(p);
            }
        });
        return full;
    }

    /** Whether {@code partition} holds {@code maxPendingPerPartition} or more fetched-but-uncommitted messages. */
    public boolean isFull(P partition) {
        Partition state = partitions.get(partition);
        return state != null && state.tail - state.base >= maxPending;
    }

    /**
     * Whether a commit now would let a full partition go on: one holds at least half its window of
     * processed, uncommitted messages. Committing only on the interval would leave it idle.
     */
    public boolean commitWanted() {
        for (Partition state : partitions.values()) {
            if (state.tail - state.base >= maxPending && state.prefix - state.base >= Math.max(1, maxPending / 2)) {
                return true;
            }
        }
        return false;
    }

    /** The partitions this dispatcher holds state for. */
    public Set<P> partitions() {
        return Set.copyOf(partitions.keySet());
    }

    /** Whether a callback was cancelled by an interrupt: the transport stops, as it would on its own thread. */
    public boolean cancelled() {
        return cancelled;
    }

    /** Whether callbacks are running or waiting to run. */
    public boolean busy() {
        return inFlight > 0;
    }

    /**
     * {@code revoked} leave this member: their messages not started yet never start, their running
     * callbacks get up to {@code bound} to finish, their last committable offsets are reported, and
     * their state is dropped. What still runs after {@code bound} is ignored when it ends (the new
     * owner gets those messages again). An interrupt of the poll thread ends the wait early and
     * stays set.
     */
    public void revoke(Collection<P> revoked, Duration bound) {
        List<Partition> leaving = stop(revoked);
        if (closed) {
            leaving.forEach(this::remove); // finished or closed: there is nothing left to wait for or report
            return;
        }
        awaitIdle(leaving, bound, "partitions revoked");
        report();
        leaving.forEach(this::remove);
    }

    /** {@code lost} already belong to another member: dropped at once, nothing more reported for them. */
    public void lose(Collection<P> lost) {
        stop(lost).forEach(this::remove);
    }

    /**
     * Stops: nothing new starts, running callbacks get up to {@code bound} to finish, the last
     * committable offsets are reported, and the workers end. Callbacks still running afterwards
     * are not waited for (their messages are delivered again). Dead letters are not waited for
     * beyond the dead-letter producer's close, which comes first: one already sent completes
     * within it, one still waiting for its topic ends unwritten (its message is delivered again).
     */
    public void finish(Duration bound) {
        if (closed) {
            return;
        }
        List<Partition> all = stop(partitions.keySet());
        if (failures != null) {
            // a dead letter waiting for its topic's metadata would hold the close for max.block.ms: closing the
            // producer ends the wait (unwritten: its message comes again) and lets one awaiting its ack complete
            failures.close();
        }
        awaitIdle(all, bound, "consumer closing");
        report();
        close();
    }

    /**
     * Interrupts the callbacks running now: the poll thread was interrupted, and a callback that
     * fails because of it is a cancellation, as on the poll thread itself.
     */
    public void interruptCallbacks() {
        workers.interruptBusy();
    }

    /** Stops at once: nothing new starts, nothing more is reported, workers end after the callback in hand. */
    @Override
    public void close() {
        closed = true;
        partitions.values().forEach(state -> state.stopped = true);
        completions.set(null);
        workers.shutdown();
        if (failures != null) {
            failures.close();
        }
    }

    /** Whether the calling thread is one of this dispatcher's workers (a callback calling {@code close()}, say). */
    public boolean isWorkerThread() {
        return Thread.currentThread() instanceof Worker worker && worker.owner() == workers;
    }

    /**
     * Parks the poll thread until a completion arrives, {@code maxNanos} pass, or something
     * unparks it (a transport's own wake-up); returns at once if a completion is waiting.
     */
    public void awaitCompletion(long maxNanos) {
        waiter = Thread.currentThread();
        try {
            if (completions.get() == null) {
                LockSupport.parkNanos(this, maxNanos);
            }
        } finally {
            waiter = null;
        }
    }

    /** Whether completions wait for {@link #drain()}. Any thread. */
    public boolean hasCompletions() {
        return completions.get() != null;
    }

    private Partition partition(P partition) {
        if (lastKey != null && (lastKey == partition || lastKey.equals(partition))) {
            return lastPartition; // a fetch brings runs of one partition
        }
        Partition state = partitions.computeIfAbsent(partition, Partition::new);
        lastKey = partition;
        lastPartition = state;
        return state;
    }

    private void start(Entry entry) {
        Partition state = entry.partition;
        Key key = partitionLanes ? Key.NONE : Key.of(MessageAccess.key(entry.message));
        Lane lane = state.lanes.get(key);
        if (lane == null) {
            if (state.lanes.size() >= laneLimit) {
                dropIdleLanes(state);
            }
            lane = new Lane(state, key);
            state.lanes.put(key, lane);
        }
        entry.lane = lane;
        lane.outstanding++;
        state.inFlight++;
        inFlight++;
        lane.queue.offer(entry);
        if (lane.scheduled.compareAndSet(false, true)) {
            toSchedule.add(lane);
        }
    }

    /**
     * Drops {@code state}'s lanes whose every started message has completed. Lanes outlive their
     * last callback because keys come back (a new lane per message costs a queue, two flags and a
     * map entry); so that a partition with ever new keys does not keep them all, the idle ones go
     * whenever it holds {@link #laneLimit} lanes, at most {@code maxPendingPerPartition} of them busy.
     *
     * <p>A dropped lane is never used again: it is in no worker queue (a lane is queued only while
     * it holds a message not completed), and a worker still inside {@link Lane#run} finds its queue
     * empty (every message put in it has completed) and leaves. The key's next message makes a new
     * lane, which cannot overlap the old one's callbacks: they have all returned.
     */
    private void dropIdleLanes(Partition state) {
        state.lanes.values().removeIf(lane -> lane.outstanding == 0);
    }

    private void flush() {
        if (!toSchedule.isEmpty()) {
            workers.schedule(toSchedule);
            toSchedule.clear();
        }
    }

    /** Applies every completion the workers pushed so far (in any order: each one only marks its own offset). */
    private void takeCompletions() {
        for (Entry entry = completions.getAndSet(null); entry != null; ) {
            Entry next = entry.nextDone;
            entry.nextDone = null;
            complete(entry);
            entry = next;
        }
    }

    /**
     * On a worker: hands {@code entry}, its outcome set, to the poll thread, and unparks the poll
     * thread if it waits in {@link #awaitCompletion} and this is the first completion since it last
     * looked. A later one finds the stack not empty: the push that made it so saw the waiter (it
     * reads {@code waiter} after its push, the poll thread reads the stack after setting
     * {@code waiter}), or the poll thread saw that push and did not park.
     */
    private void completed(Entry entry) {
        Entry head;
        do {
            head = completions.get();
            entry.nextDone = head;
        } while (!completions.compareAndSet(head, entry));
        if (head == null) {
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    private void complete(Entry entry) {
        Partition state = entry.partition;
        if (partitions.get(state.partition) != state) {
            return; // revoked, lost, or held in an earlier assignment
        }
        state.inFlight--;
        inFlight--;
        entry.lane.outstanding--; // the lane stays for the key's next message; see dropIdleLanes
        if (entry.outcome == DONE && state.done(entry.seq) && !state.advanced) {
            state.advanced = true;
            advanced.add(state);
        }
    }

    private void report() {
        for (Partition state : advanced) {
            state.advanced = false;
            if (partitions.get(state.partition) == state) {
                progress.processed(state.partition, state.committable());
            }
        }
        advanced.clear();
    }

    private List<Partition> stop(Collection<P> which) {
        List<Partition> stopped = new ArrayList<>();
        for (P p : which) {
            Partition state = partitions.get(p);
            if (state != null) {
                state.stopped = true;
                stopped.add(state);
                state.lanes.values().forEach(Lane::endWait);
            }
        }
        return stopped;
    }

    private void remove(Partition state) {
        partitions.remove(state.partition, state);
        inFlight -= state.inFlight;
        lastKey = null;
        lastPartition = null;
    }

    /** Drains completions until {@code states} have nothing running, {@code bound} passes, or the thread is interrupted. */
    private void awaitIdle(List<Partition> states, Duration bound, String why) {
        long deadline = System.nanoTime() + bound.toNanos();
        flush();
        while (true) {
            takeCompletions();
            int running = 0;
            for (Partition state : states) {
                running += state.inFlight;
            }
            long left = deadline - System.nanoTime();
            if (running == 0) {
                return;
            }
            if (left <= 0 || Thread.currentThread().isInterrupted()) {
                log.atWarn().setMessage("callbacks still running; their messages will be delivered again")
                        .addKeyValue("why", why).addKeyValue("running", running)
                        .addKeyValue("waitedMs", bound.toMillis()).log();
                return;
            }
            awaitCompletion(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            checkStalls();
        }
    }

    private long stallCheckInterval() {
        return Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(stallNanos / 4, TimeUnit.SECONDS.toNanos(1)));
    }

    private void checkStalls() {
        long now = System.nanoTime();
        if (now - nextStallCheck < 0) {
            return;
        }
        nextStallCheck = now + stallCheckInterval();
        for (Worker worker : workers.started()) {
            @SuppressWarnings("unchecked") // a worker of this dispatcher runs this dispatcher's entries
            Entry running = (Entry) worker.running;
            // read after running: never older than the start of the callback running now
            long since = worker.runningSince;
            if (running != null && !running.stallLogged && now - since > stallNanos
                    && partitions.get(running.partition.partition) == running.partition) {
                running.stallLogged = true;
                Message m = running.message;
                log.atWarn().setMessage("consume callback stalled; its partition stays at maxPendingPerPartition"
                                + " until it returns, other partitions go on")
                        .addKeyValue("topic", m.topic()).addKeyValue("partition", m.partition())
                        .addKeyValue("offset", m.offset()).addKeyValue("keyHash", running.lane.key.hashText())
                        .addKeyValue("runningMs", TimeUnit.NANOSECONDS.toMillis(now - since))
                        .addKeyValue("stallThresholdMs", TimeUnit.NANOSECONDS.toMillis(stallNanos)).log();
            }
        }
    }

    /** A key's bytes compared by content; one shared instance stands for "no key". */
    private static final class Key {
        static final Key NONE = new Key(new byte[0]);

        private final byte[] bytes;
        private final int hash;

        private Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        static Key of(byte[] bytes) {
            return bytes == null ? NONE : new Key(bytes);
        }

        String hashText() {
            return this == NONE ? "none" : Integer.toHexString(hash);
        }

        @Override
        public boolean equals(Object o) {
            if (o == this) {
                return true;
            }
            // no key is not the empty key
            return o instanceof Key other && other != NONE && this != NONE && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** One message on its way: submitted, maybe started, then completed by a worker. */
    private final class Entry {
        final Message message;
        final Partition partition;
        final long seq;
        Lane lane;
        /** Written by the worker before it queues the completion. */
        byte outcome;
        /** The completion pushed before this one ({@link #completions}); written by the worker before the push. */
        Entry nextDone;
        /** Poll thread only. */
        boolean stallLogged;
        /** Workers only (one at a time, handed over through the lane): failed attempts so far. */
        int attempts;
        /** Failed dead-letter writes so far; above 0, the callback is not run again, only the dead letter. */
        int deadLetterFailures;
        /** The last attempt's failure, for the dead letter. */
        Throwable failure;

        Entry(Message message, Partition partition, long seq) {
            this.message = message;
            this.partition = partition;
            this.seq = seq;
        }
    }

    /**
     * One partition in one assignment: its submitted offsets in a ring from the first uncommitted
     * one ({@code base}) through the first unfinished one ({@code prefix}) and the first not
     * started ({@code started}) to the end ({@code tail}). Poll thread only, but for
     * {@code stopped}, which workers read.
     */
    private final class Partition {
        final P partition;
        final Map<Key, Lane> lanes = new HashMap<>();
        volatile boolean stopped;
        long base;
        long prefix;
        long started;
        long tail;
        int inFlight;
        boolean advanced;
        private long[] offsets = new long[16];
        private boolean[] done = new boolean[16];
        /** Submitted entries not started yet (an {@code Object[]}: an array of an inner class of a generic class cannot be created). */
        private Object[] waiting = new Object[16];

        Partition(P partition) {
            this.partition = partition;
        }

        Entry append(Message message) {
            if (tail - base == offsets.length) {
                grow();
            }
            Entry entry = new Entry(message, this, tail);
            int i = index(tail);
            offsets[i] = message.offset();
            done[i] = false;
            waiting[i] = entry;
            tail++;
            return entry;
        }

        @SuppressWarnings("unchecked")
        Entry take(long seq) {
            int i = index(seq);
            Entry entry = (Entry) waiting[i];
            waiting[i] = null;
            return entry;
        }

        long offset(long seq) {
            return offsets[index(seq)];
        }

        /** Marks {@code seq} processed; returns whether the committable offset moved. */
        boolean done(long seq) {
            done[index(seq)] = true;
            if (seq != prefix) {
                return false;
            }
            while (prefix < started && done[index(prefix)]) {
                prefix++;
            }
            return true;
        }

        long committable() {
            return prefix < tail ? offset(prefix) : offset(tail - 1) + 1;
        }

        private int index(long seq) {
            return (int) (seq & (offsets.length - 1));
        }

        private void grow() {
            int n = offsets.length;
            long[] o = new long[n * 2];
            boolean[] d = new boolean[n * 2];
            Object[] w = new Object[n * 2];
            for (long seq = base; seq < tail; seq++) {
                int from = index(seq);
                int to = (int) (seq & (n * 2 - 1));
                o[to] = offsets[from];
                d[to] = done[from];
                w[to] = waiting[from];
            }
            offsets = o;
            done = d;
            waiting = w;
        }
    }

    /**
     * The messages of one key (or of no key) in one partition: run by one worker at a time, in
     * order. The poll thread adds; the worker that holds {@code scheduled} takes.
     */
    private final class Lane {
        final Partition partition;
        final Key key;
        final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();
        final AtomicBoolean scheduled = new AtomicBoolean();
        /** Poll thread only: started and not completed (as far as the poll thread has taken completions). */
        int outstanding;
        /** A message waiting for its next attempt: taken before the queue. Only the worker holding {@code scheduled}. */
        private Entry retry;
        /** Set while {@link #retry} waits for its backoff; whoever clears it puts the lane back in line. */
        private final AtomicBoolean waiting = new AtomicBoolean();

        Lane(Partition partition, Key key) {
            this.partition = partition;
            this.key = key;
        }

        /**
         * Keeps {@code entry} for its next attempt in {@code delayNanos}, on the timer; the lane
         * stays scheduled, so the poll thread only queues behind it. A partition that stops
         * meanwhile ends the wait at once.
         */
        void waitFor(Entry entry, long delayNanos) {
            retry = entry;
            waiting.set(true);
            failures.schedule(this::endWait, delayNanos);
            if (partition.stopped || cancelled) {
                endWait(); // the poll thread may have looked before the flag was set
            }
        }

        /** Ends a backoff, once: the lane goes back in line, where its waiting message runs first. */
        void endWait() {
            if (waiting.compareAndSet(true, false)) {
                workers.requeue(this);
            }
        }

        /** Runs the queued messages until none is left, or requeues itself after {@link #TURN} of them. */
        void run(CallbackRunner.ConsumeLoop callbacks, Worker worker) {
            for (int turn = 0; ; turn++) {
                if (turn == TURN && !queue.isEmpty()) {
                    workers.requeue(this); // still scheduled: the next worker free goes on with it
                    return;
                }
                Entry entry = retry;
                if (entry != null) {
                    retry = null;
                } else {
                    entry = queue.poll(); // the lane's fields stay unwritten: the poll thread writes next to them
                }
                if (entry == null) {
                    scheduled.set(false);
                    // the poll thread may have added one after the poll and seen scheduled still set
                    if (queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
                        return;
                    }
                    continue;
                }
                if (partition.stopped || cancelled) {
                    entry.outcome = NOT_PROCESSED;
                } else if (failures == null) {
                    worker.runningSince = System.nanoTime();
                    worker.running = entry;
                    boolean ok = callbacks.consume(entry.message);
                    worker.running = null;
                    entry.outcome = DONE;
                    if (Thread.interrupted()) {
                        // as on the poll thread: nothing more starts; a failure is a cancellation, not processed
                        cancelled = true;
                        entry.outcome = ok ? DONE : NOT_PROCESSED;
                    }
                } else if (!attempt(entry, callbacks, worker)) {
                    return; // waits for its next attempt; the lane stays scheduled meanwhile
                }
                completed(entry);
            }
        }
    }

    /**
     * Where {@code failures} decide: runs one attempt of {@code entry} (or only its dead letter),
     * and sets its outcome; returns false when it waits for a backoff instead.
     */
    private boolean attempt(Entry entry, CallbackRunner.ConsumeLoop callbacks, Worker worker) {
        Lane lane = entry.lane;
        worker.runningSince = System.nanoTime();
        worker.running = entry;
        try {
            if (entry.deadLetterFailures == 0) {
                Throwable failure = callbacks.attempt(entry.message, entry.attempts + 1);
                if (Thread.interrupted()) {
                    // as on the poll thread: nothing more starts; a failure is a cancellation, not processed
                    cancelled = true;
                    if (failure != null) {
                        CallbackRunner.logFailure(entry.message, failure, log);
                    }
                    entry.outcome = failure == null ? DONE : NOT_PROCESSED;
                    return true;
                }
                if (failure == null) {
                    entry.outcome = DONE;
                    return true;
                }
                entry.attempts++;
                entry.failure = failure;
                FailureHandling.Next next = failures.next(failure, entry.attempts);
                if (next == FailureHandling.Next.RETRY) {
                    long delay = failures.backoffNanos(entry.attempts);
                    failures.logRetry(entry.message, failure, entry.attempts, delay);
                    observer.retryScheduled(entry.message, entry.attempts, delay, failure);
                    lane.waitFor(entry, delay);
                    return false;
                }
                if (next == FailureHandling.Next.GIVE_UP) {
                    CallbackRunner.logFailure(entry.message, failure, log);
                    entry.outcome = DONE;
                    return true;
                }
            }
            try {
                failures.deadLetter(entry.message, entry.failure, entry.attempts);
            } catch (RuntimeException e) {
                if (Thread.interrupted()) {
                    cancelled = true;
                    entry.outcome = NOT_PROCESSED;
                    return true;
                }
                if (entry.partition.stopped) {
                    entry.outcome = NOT_PROCESSED; // closing or revoked: not tried again here, the next owner gets it
                    return true;
                }
                entry.deadLetterFailures++;
                long delay = failures.backoffNanos(entry.deadLetterFailures);
                failures.logDeadLetterFailed(entry.message, e, delay);
                lane.waitFor(entry, delay);
                return false;
            }
            failures.logDeadLettered(entry.message, entry.failure, entry.attempts);
            observer.deadLettered(entry.message, failures.deadLetterTopic(entry.message), entry.attempts, entry.failure);
            entry.outcome = DONE;
            return true;
        } finally {
            worker.running = null;
        }
    }

    /**
     * The worker threads and the lanes waiting for one. A worker is running a lane, searching
     * (woken or started to take a lane, and not yet at {@link #next}), or idle (parked). Everything
     * here is guarded by {@code lock}, and every change keeps one rule:
     *
     * <p><b>While a lane waits and a worker could take it (one is idle, or fewer than {@code max}
     * exist), some worker is searching.</b>
     *
     * <p>A searching worker is awake and calls {@link #next} before it can park, so no lane waits
     * behind a running callback while a worker could run it, and none is lost. Lanes handed over
     * wake a worker only when none searches ({@link #signal}); a searching worker that takes a lane
     * while more wait wakes the next one, just before its callback (Go's rule for spinning
     * threads). A worker that comes back from a lane and takes the next one wakes nobody. So
     * workers come up one after another as far as the lanes keep them busy — all {@code max} of
     * them for callbacks that wait on I/O, one or two for cheap ones — instead of one wake-up per
     * lane.
     */
    private final class Workers {
        private final String name;
        private final int max;
        private final ReentrantLock lock = new ReentrantLock();
        private final ArrayDeque<Lane> runnable = new ArrayDeque<>();
        private final ArrayDeque<Worker> idle = new ArrayDeque<>();
        private final List<Worker> all = new ArrayList<>();
        /** {@link #all} for the poll thread's stall check, without the lock; replaced when a worker starts. */
        private volatile Worker[] started = new Worker[0];
        /** Workers woken or started and not yet at {@link #next}. */
        private int searching;
        private boolean shutdown;

        Workers(String name, int max) {
            this.name = name;
            this.max = max;
        }

        /** Queues {@code lanes}; wakes or starts one worker if none is searching. */
        void schedule(List<Lane> lanes) {
            Worker wake;
            lock.lock();
            try {
                if (shutdown) {
                    return;
                }
                runnable.addAll(lanes);
                wake = signal();
            } finally {
                lock.unlock();
            }
            unpark(wake);
        }

        /**
         * Puts a lane back at the end of the queue: one that had its turn, or one whose retry
         * backoff is over (from the timer thread). Wakes a worker if none is searching.
         */
        void requeue(Lane lane) {
            Worker wake = null;
            lock.lock();
            try {
                if (!shutdown) {
                    runnable.add(lane);
                    wake = signal();
                }
            } finally {
                lock.unlock();
            }
            unpark(wake);
        }

        /**
         * With the lock: if lanes wait and no worker searches, makes one search — an idle one,
         * returned to be unparked once the lock is released, or a new thread while fewer than
         * {@code max} exist. Otherwise every worker runs a lane and takes the next one when done.
         */
        private Worker signal() {
            if (searching > 0 || runnable.isEmpty()) {
                return null;
            }
            Worker worker = idle.poll();
            if (worker != null) {
                worker.searching = true;
                worker.woken = true;
                searching++;
                return worker;
            }
            if (all.size() < max) {
                worker = new Worker(this, name + "-worker-" + (all.size() + 1));
                worker.searching = true; // not unparked: a stray permit would cut short a park in its first callback
                searching++;
                all.add(worker);
                started = all.toArray(new Worker[0]);
                worker.start();
            }
            return null;
        }

        private void unpark(Worker worker) {
            if (worker != null) {
                LockSupport.unpark(worker);
            }
        }

        /**
         * The next lane for {@code worker}, or null when there is none: the worker is then
         * registered idle (unless shut down) and must park until woken. A searching worker that
         * takes a lane while more wait hands the search on.
         */
        Lane next(Worker worker) {
            Worker wake = null;
            Lane lane;
            lock.lock();
            try {
                lane = runnable.poll();
                if (worker.searching) {
                    worker.searching = false;
                    searching--;
                    if (lane != null) {
                        wake = signal(); // more lanes wait: the next worker up, in case this one's callback takes long
                    }
                }
                if (lane == null && !shutdown) {
                    worker.woken = false;
                    idle.push(worker);
                }
            } finally {
                lock.unlock();
            }
            unpark(wake);
            return lane;
        }

        /** Every worker started so far. Any thread. */
        Worker[] started() {
            return started;
        }

        boolean isShutdown() {
            lock.lock();
            try {
                return shutdown;
            } finally {
                lock.unlock();
            }
        }

        void interruptBusy() {
            lock.lock();
            try {
                all.stream().filter(w -> w.running != null).forEach(Thread::interrupt);
            } finally {
                lock.unlock();
            }
        }

        void shutdown() {
            lock.lock();
            try {
                shutdown = true;
                runnable.clear();
                while (!idle.isEmpty()) {
                    idle.pop().wake();
                }
            } finally {
                lock.unlock();
            }
        }

        void run(Worker worker) {
            try (CallbackRunner.ConsumeLoop callbacks = CallbackRunner.ConsumeLoop.start(callback, log, observer)) {
                while (true) {
                    Lane lane = next(worker);
                    if (lane != null) {
                        lane.run(callbacks, worker);
                        continue;
                    }
                    if (isShutdown()) {
                        return;
                    }
                    while (!worker.woken) {
                        LockSupport.park(this);
                        Thread.interrupted(); // an interrupt meant for a callback that had already returned
                    }
                }
            }
        }
    }

    /**
     * A worker thread, and what it runs: the stall check reads it here rather than on the lane, so
     * that the lane's line, which the poll thread writes for every message, is not written by the
     * worker around every callback too.
     */
    private static final class Worker extends Thread {
        private final Object owner;
        private final Runnable body;
        /** The entry whose callback (or dead letter) runs now, or null. */
        volatile KeyOrderedDispatcher<?>.Entry running;
        /** When {@link #running} started; written before it. */
        volatile long runningSince;
        /** Set when woken, cleared when registered idle; set and cleared under its {@code Workers}' lock. */
        volatile boolean woken;
        /** Woken or started to take a lane and not yet at {@code next}; guarded by its {@code Workers}' lock. */
        boolean searching;

        Worker(KeyOrderedDispatcher<?>.Workers owner, String name) {
            super(name);
            this.owner = owner;
            this.body = () -> owner.run(this);
            setDaemon(true);
        }

        Object owner() {
            return owner;
        }

        void wake() {
            woken = true;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            body.run();
        }
    }
}
