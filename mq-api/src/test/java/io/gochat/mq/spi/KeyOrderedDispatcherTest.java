package io.gochat.mq.spi;

import io.gochat.mq.ConsumeCallback;
import io.gochat.mq.Message;
import io.gochat.mq.config.ConsumerConfig;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.internal.MessageAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The engine alone: this test's thread plays the transport's poll thread. */
class KeyOrderedDispatcherTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final RecordingLogger log = new RecordingLogger();
    /** Every progress report, per partition, in order (poll thread only). */
    private final Map<String, List<Long>> reported = new HashMap<>();
    private final List<CountDownLatch> toRelease = new CopyOnWriteArrayList<>();
    private KeyOrderedDispatcher<String> dispatcher;
    /** Whether {@link #pumpUntil} plays a transport that commits every report at once. */
    private boolean commitReports;

    @AfterEach
    void tearDown() {
        toRelease.forEach(CountDownLatch::countDown);
        if (dispatcher != null) {
            dispatcher.close();
        }
        MDC.clear();
    }

    private KeyOrderedDispatcher<String> start(ConsumeCallback callback, UnaryOperator<ConsumerConfig.Builder> settings) {
        ConsumerConfig config = MqConfig.builder().consumer(c -> settings.apply(c.concurrency(8))).build().consumer();
        dispatcher = KeyOrderedDispatcher.start(callback, config, "test-client", log,
                (partition, next) -> reported.computeIfAbsent(partition, p -> new ArrayList<>()).add(next));
        return dispatcher;
    }

    private static Message message(String partition, long offset, String key) {
        return message(partition, offset, key, Map.of());
    }

    private static Message message(String partition, long offset, String key, Map<String, byte[]> headers) {
        return MessageAccess.received("orders", key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                ("v-" + offset).getBytes(StandardCharsets.UTF_8), headers, partition.hashCode() & 7, offset, 1000);
    }

    private CountDownLatch gate() {
        CountDownLatch gate = new CountDownLatch(1);
        toRelease.add(gate);
        return gate;
    }

    /** Drains on this (the poll) thread until {@code condition} holds. */
    private void pumpUntil(String what, BooleanSupplier condition) {
        PollThread.pumpUntil(dispatcher, what, TIMEOUT, condition, () -> {
            if (commitReports) {
                reported.keySet().forEach(p -> dispatcher.committed(p, lastReported(p)));
            }
        });
    }

    private long lastReported(String partition) {
        return PollThread.lastReported(reported, partition);
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            assertThat(latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as("latch opened in time").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }


    @Test
    @DisplayName("thousands of messages of hundreds of keys under random delays: each key in offset order, never two of a key at once, at most concurrency at once")
    void perKeyOrder() {
        Map<String, List<Long>> seen = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> runningPerKey = new ConcurrentHashMap<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        AtomicInteger maxPerKey = new AtomicInteger();
        AtomicInteger handled = new AtomicInteger();
        start(m -> {
            String key = m.partition() + "/" + m.keyAsString();
            int now = running.incrementAndGet();
            maxRunning.accumulateAndGet(now, Math::max);
            maxPerKey.accumulateAndGet(runningPerKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet(), Math::max);
            LockSupport.parkNanos(java.util.concurrent.ThreadLocalRandom.current().nextInt(200_000));
            seen.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(m.offset());
            runningPerKey.get(key).decrementAndGet();
            running.decrementAndGet();
            handled.incrementAndGet();
        }, c -> c.concurrency(16).maxPendingPerPartition(100));
        commitReports = true; // the window of 100 slides along the 2,500 messages of each partition
        Random random = new Random(42);
        int perPartition = 2500;
        for (int offset = 0; offset < perPartition; offset++) {
            for (String p : List.of("p0", "p1")) {
                int key = random.nextInt(300);
                dispatcher.submit(p, message(p, offset, key == 0 ? null : "user-" + key));
            }
            if (offset % 100 == 0) {
                dispatcher.drain();
            }
        }
        pumpUntil("every message handled and reported", () -> lastReported("p0") == perPartition
                && lastReported("p1") == perPartition);

        assertThat(handled.get()).isEqualTo(2 * perPartition);
        seen.forEach((key, offsets) -> assertThat(offsets).as("offsets of %s", key).isSorted());
        assertThat(maxPerKey.get()).as("callbacks of one key at once").isEqualTo(1);
        assertThat(maxRunning.get()).as("callbacks at once").isBetween(2, 16);
        reported.forEach((p, offsets) -> assertThat(offsets).as("reports of %s", p).isSorted().doesNotHaveDuplicates());
    }

    @Test
    @DisplayName("two keys overlap: the first key's callback waits for a latch only the second key's callback opens")
    void differentKeysOverlap() {
        CountDownLatch openedByB = gate();
        List<String> done = new CopyOnWriteArrayList<>();
        start(m -> {
            if ("a".equals(m.keyAsString())) {
                awaitLatch(openedByB);
                done.add("a");
            } else {
                done.add("b");
                openedByB.countDown();
            }
        }, c -> c);
        dispatcher.submit("p0", message("p0", 0, "a"));
        dispatcher.submit("p0", message("p0", 1, "b"));
        pumpUntil("both callbacks done", () -> lastReported("p0") == 2);
        assertThat(done).containsExactly("b", "a");
    }


    @Test
    @DisplayName("as many keys as concurrency, each callback waiting until all of them run: all run at once (workers come up one after another while lanes wait)")
    void everyWorkerComesUp() {
        int concurrency = 8;
        CountDownLatch allRunning = new CountDownLatch(concurrency);
        toRelease.add(allRunning);
        AtomicInteger done = new AtomicInteger();
        start(m -> {
            allRunning.countDown();
            awaitLatch(allRunning);
            done.incrementAndGet();
        }, c -> c.concurrency(concurrency));
        for (int i = 0; i < concurrency; i++) {
            dispatcher.submit("p0", message("p0", i, "user-" + i));
        }
        pumpUntil("every callback done", () -> lastReported("p0") == concurrency);
        assertThat(done).hasValue(concurrency);
    }

    @Test
    @DisplayName("two thousand bursts, each left to finish with nothing more submitted: no lane is ever left waiting while a worker could run it, even behind a callback that blocks until another key's runs")
    void burstsNeverStrand() {
        AtomicReference<CountDownLatch> opener = new AtomicReference<>(new CountDownLatch(0));
        Map<String, Long> lastOffsetPerKey = new ConcurrentHashMap<>();
        AtomicInteger outOfOrder = new AtomicInteger();
        start(m -> {
            String key = m.partition() + "/" + m.keyAsString();
            Long before = lastOffsetPerKey.put(key, m.offset());
            if (before != null && before >= m.offset()) {
                outOfOrder.incrementAndGet();
            }
            if ("blocker".equals(m.keyAsString())) {
                awaitLatch(opener.get()); // opened only by another key's callback of the same burst
            } else if ("opener".equals(m.keyAsString())) {
                opener.get().countDown();
            }
        }, c -> c.concurrency(4).maxPendingPerPartition(16)); // 100 keys over at most 96 lanes: idle lanes dropped too
        Random random = new Random(7);
        long[] next = new long[2];
        for (int burst = 0; burst < 2000; burst++) {
            boolean blocking = burst % 4 == 0;
            if (blocking) {
                CountDownLatch latch = new CountDownLatch(1);
                toRelease.add(latch);
                opener.set(latch);
                dispatcher.submit("p0", message("p0", next[0]++, "blocker"));
            }
            for (int p = 0; p < 2; p++) {
                String partition = "p" + p;
                for (int n = 1 + random.nextInt(12); n > 0; n--) {
                    dispatcher.submit(partition, message(partition, next[p]++, "k" + random.nextInt(100)));
                }
            }
            if (blocking) {
                dispatcher.submit("p1", message("p1", next[1]++, "opener"));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lastReported("p0") != next[0] || lastReported("p1") != next[1]) {
                dispatcher.drain();
                assertThat(System.nanoTime() - deadline).as("burst %d done in time (p0 at %d of %d, p1 at %d of %d)",
                        burst, lastReported("p0"), next[0], lastReported("p1"), next[1]).isNegative();
                dispatcher.awaitCompletion(TimeUnit.MILLISECONDS.toNanos(1));
            }
            dispatcher.committed("p0", next[0]);
            dispatcher.committed("p1", next[1]);
        }
        assertThat(outOfOrder).as("messages of a key out of offset order").hasValue(0);
    }

    @Test
    @DisplayName("byte-equal keys are one key: the second waits for the first even when the arrays differ")
    void byteEqualKeys() {
        CountDownLatch release = gate();
        AtomicInteger started = new AtomicInteger();
        start(m -> {
            started.incrementAndGet();
            if (m.offset() == 0) {
                awaitLatch(release);
            }
        }, c -> c);
        dispatcher.submit("p0", message("p0", 0, "same"));
        dispatcher.submit("p0", message("p0", 1, "same"));
        dispatcher.submit("p0", message("p0", 2, "other"));
        pumpUntil("the other key done", () -> started.get() == 2 && reported.isEmpty());
        dispatcher.drain();
        assertThat(started.get()).as("offset 1 waits for offset 0 of the same key").isEqualTo(2);
        release.countDown();
        pumpUntil("all done", () -> lastReported("p0") == 3);
        assertThat(started.get()).isEqualTo(3);
    }

    @Test
    @DisplayName("a slow message at offset k holds the committable offset at k while later offsets finish, then it moves past them")
    void contiguousPrefix() {
        CountDownLatch release = gate();
        AtomicInteger handled = new AtomicInteger();
        start(m -> {
            if (m.offset() == 3) {
                awaitLatch(release);
            }
            handled.incrementAndGet();
        }, c -> c);
        for (int offset = 0; offset < 10; offset++) {
            dispatcher.submit("p0", message("p0", offset, "key-" + offset));
        }
        pumpUntil("nine of ten handled", () -> handled.get() == 9 && lastReported("p0") == 3);
        assertThat(reported.get("p0")).as("never past the slow offset").allMatch(o -> o <= 3);

        release.countDown();
        pumpUntil("the slow one done", () -> lastReported("p0") == 10);
    }

    @Test
    @DisplayName("a completion from an earlier assignment of a partition is ignored")
    void staleCompletionIgnored() {
        CountDownLatch releaseOld = gate();
        CountDownLatch releaseNew = gate();
        CountDownLatch oldStarted = new CountDownLatch(1);
        CountDownLatch oldDone = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        start(m -> {
            if (calls.incrementAndGet() == 1) {
                oldStarted.countDown();
                awaitLatch(releaseOld);
                oldDone.countDown();
            } else {
                awaitLatch(releaseNew);
            }
        }, c -> c);
        dispatcher.submit("p0", message("p0", 0, "a"));
        dispatcher.drain();
        awaitLatch(oldStarted);
        dispatcher.revoke(List.of("p0"), Duration.ofMillis(50));
        assertThat(reported).as("nothing processed before the revocation").isEmpty();
        assertThat(dispatcher.partitions()).isEmpty();

        // assigned again; nothing was committed, so offset 0 comes again
        dispatcher.submit("p0", message("p0", 0, "a"));
        dispatcher.drain();
        releaseOld.countDown();
        awaitLatch(oldDone);
        pumpUntil("the old completion drained", () -> !dispatcher.hasCompletions());
        assertThat(reported).as("the old assignment's completion moved nothing").isEmpty();

        releaseNew.countDown();
        pumpUntil("the new one done", () -> lastReported("p0") == 1);
        assertThat(reported.get("p0")).containsExactly(1L);
    }

    @Test
    @DisplayName("a partition holding maxPendingPerPartition uncommitted messages is full and starts no more; other partitions go on; a commit makes room")
    void pauseAtBound() {
        CountDownLatch release = gate();
        AtomicInteger startedP0 = new AtomicInteger();
        AtomicInteger handledP1 = new AtomicInteger();
        start(m -> {
            if (m.partition() == ("p0".hashCode() & 7)) {
                startedP0.incrementAndGet();
                if (m.offset() == 0) {
                    awaitLatch(release);
                }
            } else {
                handledP1.incrementAndGet();
            }
        }, c -> c.maxPendingPerPartition(10));
        for (int offset = 0; offset < 15; offset++) {
            dispatcher.submit("p0", message("p0", offset, "k" + offset));
        }
        pumpUntil("the window's nine others handled", () -> startedP0.get() == 10);
        assertThat(dispatcher.full()).containsExactly("p0");
        assertThat(dispatcher.isFull("p0")).isTrue();
        for (int offset = 0; offset < 5; offset++) {
            dispatcher.submit("p1", message("p1", offset, "k" + offset));
        }
        pumpUntil("the other partition goes on", () -> lastReported("p1") == 5);
        assertThat(startedP0.get()).as("nothing beyond the window started").isEqualTo(10);
        assertThat(dispatcher.commitWanted()).as("nothing processed at the head: a commit would not help").isFalse();

        release.countDown();
        pumpUntil("the head done", () -> lastReported("p0") == 10);
        assertThat(dispatcher.commitWanted()).isTrue();
        dispatcher.committed("p0", 10);
        pumpUntil("the rest started after the commit", () -> lastReported("p0") == 15);
        assertThat(startedP0.get()).isEqualTo(15);
        assertThat(dispatcher.full()).as("5 uncommitted of 10").isEmpty();
    }

    @Test
    @DisplayName("a callback running past stallThresholdMs is logged at WARN once, with topic, partition, offset and key hash, not the key")
    void stallLoggedOnce() {
        CountDownLatch release = gate();
        start(m -> awaitLatch(release), c -> c.stallThresholdMs(50));
        dispatcher.submit("p0", message("p0", 7, "secret-user"));
        pumpUntil("the stall logged", () -> log.events.stream().anyMatch(e -> e.getLevel() == Level.WARN));
        // keep draining well past a few more check intervals: still one line
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        while (System.nanoTime() - until < 0) {
            dispatcher.drain();
            dispatcher.awaitCompletion(TimeUnit.MILLISECONDS.toNanos(5));
        }
        List<LoggingEvent> warns = log.events.stream().filter(e -> e.getLevel() == Level.WARN).toList();
        assertThat(warns).hasSize(1);
        Map<String, Object> kv = RecordingLogger.keyValues(warns.get(0));
        assertThat(kv).containsEntry("topic", "orders").containsEntry("partition", "p0".hashCode() & 7)
                .containsEntry("offset", 7L).containsKey("keyHash");
        assertThat(kv.values()).noneMatch(v -> String.valueOf(v).contains("secret-user"));
        release.countDown();
        pumpUntil("done", () -> lastReported("p0") == 8);
    }

    @Test
    @DisplayName("each worker's MDC holds its message's trace_id during the callback and none after it")
    void traceIdOnWorkers() {
        Map<Long, String> traceIds = new ConcurrentHashMap<>();
        Map<Long, String> threads = new ConcurrentHashMap<>();
        start(m -> {
            traceIds.put(m.offset(), String.valueOf(MDC.get("trace_id")));
            threads.put(m.offset(), Thread.currentThread().getName());
        }, c -> c);
        Map<String, byte[]> traced = new LinkedHashMap<>();
        traced.put("trace_id", "t-1".getBytes(StandardCharsets.UTF_8));
        MDC.put("trace_id", "poll-thread");
        dispatcher.submit("p0", message("p0", 0, "k", traced));
        dispatcher.submit("p0", message("p0", 1, "k")); // same lane, same worker: must not inherit t-1
        pumpUntil("both done", () -> lastReported("p0") == 2);
        assertThat(traceIds).containsEntry(0L, "t-1").containsEntry(1L, "null");
        assertThat(threads.values()).allMatch(name -> name.startsWith("test-client-worker-"));
        assertThat(MDC.get("trace_id")).as("the poll thread's own MDC").isEqualTo("poll-thread");
    }

    @Test
    @DisplayName("finish waits for the callback in hand, reports it, and starts nothing new")
    void finishWaitsAndReports() {
        CountDownLatch inFirst = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        start(m -> {
            inFirst.countDown();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // work in hand
            handled.incrementAndGet();
        }, c -> c);
        dispatcher.submit("p0", message("p0", 0, "k"));
        dispatcher.submit("p0", message("p0", 1, "k"));
        dispatcher.drain();
        awaitLatch(inFirst);
        dispatcher.finish(TIMEOUT);
        assertThat(handled.get()).as("the one in hand finished, the next not started").isEqualTo(1);
        assertThat(reported.get("p0")).containsExactly(1L);
    }

    @Test
    @DisplayName("revoke waits for running callbacks at most its bound, reports what finished, and drops the partition")
    void revokeBound() {
        CountDownLatch never = gate();
        CountDownLatch inSlow = new CountDownLatch(1);
        start(m -> {
            if (m.offset() == 1) {
                inSlow.countDown();
                awaitLatch(never);
            }
        }, c -> c);
        dispatcher.submit("p0", message("p0", 0, "a"));
        dispatcher.submit("p0", message("p0", 1, "b"));
        dispatcher.submit("p0", message("p0", 2, "c"));
        pumpUntil("offset 0 reported and offset 1 running", () -> lastReported("p0") == 1 && inSlow.getCount() == 0);
        long started = System.nanoTime();
        dispatcher.revoke(List.of("p0"), Duration.ofMillis(200));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TIMEOUT);
        assertThat(lastReported("p0")).as("never past the running offset").isEqualTo(1);
        assertThat(dispatcher.partitions()).isEmpty();
        assertThat(dispatcher.busy()).isFalse();
        assertThat(log.events).anySatisfy(e -> assertThat(e.getMessage()).contains("still running"));
    }

    @Test
    @DisplayName("an interrupted callback that fails is a cancellation: not reported, nothing more starts, cancelled() is true")
    void interruptIsCancellation() {
        CountDownLatch never = gate();
        CountDownLatch inCallback = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        start(m -> {
            started.incrementAndGet();
            inCallback.countDown();
            never.await();
        }, c -> c);
        dispatcher.submit("p0", message("p0", 0, "a"));
        dispatcher.submit("p0", message("p0", 1, "a"));
        dispatcher.drain();
        awaitLatch(inCallback);
        dispatcher.interruptCallbacks();
        pumpUntil("the cancellation seen", () -> dispatcher.cancelled() && !dispatcher.busy());
        assertThat(reported).isEmpty();
        assertThat(started.get()).isEqualTo(1);
    }

    @Test
    @DisplayName("lost partitions are dropped at once; their late completions report nothing")
    void lostDropsWithoutReport() {
        CountDownLatch release = gate();
        CountDownLatch in = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        start(m -> {
            in.countDown();
            awaitLatch(release);
            done.countDown();
        }, c -> c);
        dispatcher.submit("p0", message("p0", 0, "a"));
        dispatcher.drain();
        awaitLatch(in);
        dispatcher.lose(List.of("p0"));
        assertThat(dispatcher.partitions()).isEmpty();
        release.countDown();
        awaitLatch(done);
        pumpUntil("the late completion drained", () -> !dispatcher.hasCompletions());
        assertThat(reported).isEmpty();
        assertThat(dispatcher.busy()).isFalse();
    }

    @Test
    @DisplayName("workers know themselves: isWorkerThread is true in a callback, false on the poll thread")
    void workerThreads() {
        AtomicInteger inWorker = new AtomicInteger();
        start(m -> inWorker.set(dispatcher.isWorkerThread() ? 1 : 2), c -> c);
        dispatcher.submit("p0", message("p0", 0, null));
        pumpUntil("done", () -> lastReported("p0") == 1);
        assertThat(inWorker.get()).isEqualTo(1);
        assertThat(dispatcher.isWorkerThread()).isFalse();
    }
}
