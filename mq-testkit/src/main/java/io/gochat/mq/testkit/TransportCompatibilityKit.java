package io.gochat.mq.testkit;

import io.gochat.mq.AdminClient;
import io.gochat.mq.ConsumeCallback;
import io.gochat.mq.DeadLetterHeaders;
import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.MqClosedException;
import io.gochat.mq.MqException;
import io.gochat.mq.Option;
import io.gochat.mq.PermanentFailureException;
import io.gochat.mq.Producer;
import io.gochat.mq.config.ConsumerConfig;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.observe.ClientInfo;
import io.gochat.mq.observe.ClientObserver;
import io.gochat.mq.observe.ConsumeObservation;
import io.gochat.mq.observe.ConsumerHealth;
import io.gochat.mq.observe.MqObserver;
import io.gochat.mq.observe.Partition;
import io.gochat.mq.observe.SendObservation;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.slf4j.MDC;
import org.slf4j.event.Level;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The contract every transport keeps (docs/contract.md), as a JUnit 5 suite. A transport's test
 * extends this class and supplies a {@link TransportFixture}; the suite drives the transport only
 * through the public API ({@link Mq#newProducer}, {@link Mq#newConsumer}, {@link Mq#newAdminClient}
 * with {@code Option.withTransport(fixture.transport())} and a configuration derived from
 * {@code fixture.config()}).
 *
 * <pre>{@code
 * class InMemoryCompatibilityTest extends TransportCompatibilityKit {
 *     @Override
 *     protected TransportFixture createFixture() {
 *         return new InMemoryFixture();   // transport "inmemory", Capability.CRASH, ...
 *     }
 * }
 * }</pre>
 *
 * <p>The fixture is created once per test class, before the first test, and closed after the last.
 * Every test creates its own topics and groups with random names ({@link TestNames}), so the suite
 * runs repeatedly and beside other runs on one broker. Nothing waits for a fixed time: every wait
 * is for an observable event, bounded by {@link TransportFixture#timeout()}, so the same suite runs
 * in seconds in memory and in minutes on a real broker. Tests that need a fault the fixture cannot
 * inject ({@link Capability}) are skipped, not failed, and so is the trace-id group when the fixture
 * says it runs without an MDC ({@link TransportFixture#runsWithoutMdc()}); a no-op MDC otherwise
 * fails it. The skipped groups are listed, with the reason, in one log line at the end of the
 * class. Clients a test opens are closed after it, also when it fails.
 *
 * <p>What the groups check, in short: {@code RoundTrip} bytes, nulls, headers, positions and
 * timestamps; {@code Sending} callbacks, sync sends and refused sends; {@code ProducerClose}
 * flushing and send-after-close; {@code KeyOrdering} partitioning and per-key order; {@code Admin}
 * topics; {@code ConsumerGroups} exactly-once delivery within a group, fan-out across groups,
 * exact group ids, topic isolation; {@code FailingCallbacks} the log-and-go-on rule;
 * {@code ConsumerClose} clean hand-off and the close/subscribe state rules; {@code OffsetReset}
 * earliest and latest; {@code TraceId} the MDC and the {@code trace_id} header; {@code BadInput}
 * argument checks; {@code Crash} (interval commits included), {@code Rebalance},
 * {@code BrokerRestart} at-least-once under faults; {@code Stress} no loss and no duplicates under
 * load; {@code ParallelConsumption}, at {@code consumer.concurrency} 8, per-key order, keys at once,
 * one key at a time, the contiguous commit and the window, close, crash and churn, and the trace id
 * on the threads that run the callbacks. The kit's own self-test shows that each test fails on a transport broken in the way it
 * names.
 *
 * <p>A failing test's message starts with the promise it broke, then the details
 * ({@link BrokenPromiseReport}): {@code Contract: a null key arrives as null — broken.}
 *
 * <p>Tests within one class run one at a time (they share the fixture and the clean-up list).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Execution(ExecutionMode.SAME_THREAD)
@ExtendWith({SkippedGroups.class, BrokenPromiseReport.class})
public abstract class TransportCompatibilityKit {
    private static final String SERVICE = "mq-contract";
    /** Header that marks the suite's own probe and drain messages; data messages never carry it. */
    private static final String CONTROL = "mq-contract-control";
    private static final String PROBE = "probe";
    private static final long NEVER_MS = 600_000;
    /** The commit interval of the suite's consumers, unless a test sets another. */
    private static final int COMMIT_INTERVAL_MS = 200;
    /** The callbacks at once of the parallel consumption group's consumers. */
    private static final int CONCURRENCY = 8;
    /** The maxPendingPerPartition of the parallel consumption group's window test. */
    private static final int WINDOW = 20;

    private TransportFixture fixture;
    private final ClientRegistry clients = new ClientRegistry();
    private AdminClient admin;

    /**
     * Creates the fixture for this test class: the transport under test, a configuration that
     * reaches its broker, and the faults it can inject. Called once, before the first test.
     */
    protected abstract TransportFixture createFixture();

    /** The fixture created by {@link #createFixture()}, for subclasses that add their own tests. */
    protected final TransportFixture fixture() {
        if (fixture == null) {
            throw new IllegalStateException("the fixture exists only while the test class runs");
        }
        return fixture;
    }

    @BeforeAll
    final void startFixture() {
        fixture = Objects.requireNonNull(createFixture(), "createFixture() must not return null");
        Objects.requireNonNull(fixture.transport(), "fixture.transport() must not return null");
        Objects.requireNonNull(fixture.config(), "fixture.config() must not return null");
    }

    @AfterAll
    final void stopFixture() {
        if (fixture != null) {
            fixture.close();
            fixture = null;
        }
    }

    @AfterEach
    final void closeClients() {
        admin = null;
        clients.closeAll(timeout());
    }

    // ------------------------------------------------------------------ message round trip

    @Nested
    @DisplayName("message round trip")
    class RoundTrip {

        @Test
        @DisplayName("key, value and headers arrive byte for byte: binary, UTF-8, empty and null header values")
        void bytesArriveExactly() {
            String topic = topic("bytes", 1);
            byte[] key = new byte[256];
            for (int i = 0; i < key.length; i++) {
                key[i] = (byte) i;
            }
            byte[] value = randomBytes(4096, 7);
            byte[] binary = {0, -1, 127, -128, 10, 13, 0};
            String utf8 = "héllo wörld — 世界 🚀";
            producer().sendSync(Message.builder(topic).key(key).value(value)
                    .header("binary", binary)
                    .header("utf8", utf8.getBytes(StandardCharsets.UTF_8))
                    .header("empty", new byte[0])
                    .header("absent-value", (byte[]) null)
                    .build());

            Message got = record(consumer(group("bytes")), topic).awaitCount(1, timeout()).received().get(0);

            assertThat(got.topic()).as("topic").isEqualTo(topic);
            assertThat(got.key()).as("key").isEqualTo(key);
            assertThat(got.value()).as("value").isEqualTo(value);
            assertThat(got.headers()).as("header names").containsOnlyKeys("binary", "utf8", "empty", "absent-value");
            assertThat(got.header("binary")).as("binary header").isEqualTo(binary);
            assertThat(got.headerAsString("utf8")).as("UTF-8 header").isEqualTo(utf8);
            assertThat(got.header("empty")).as("empty header").isNotNull().isEmpty();
            assertThat(got.header("absent-value")).as("header with a null value").isNull();
        }

        @Test
        @DisplayName("a null value (a tombstone) arrives as null")
        void nullValueArrivesAsNull() {
            String topic = topic("tombstone", 1);
            producer().sendSync(Message.builder(topic).key("user-1").value((byte[]) null).build());

            Message got = record(consumer(group("tombstone")), topic).awaitCount(1, timeout()).received().get(0);

            assertThat(got.keyAsString()).as("key").isEqualTo("user-1");
            assertThat(got.value()).as("value of the tombstone").isNull();
            assertThat(got.valueSize()).as("valueSize() of the tombstone").isZero();
        }

        @Test
        @DisplayName("a null key arrives as null")
        void nullKeyArrivesAsNull() {
            String topic = topic("null-key", 1);
            producer().sendSync(Message.of(topic, (String) null, "payload"));

            Message got = record(consumer(group("null-key")), topic).awaitCount(1, timeout()).received().get(0);

            assertThat(got.key()).as("key sent as null").isNull();
            assertThat(got.valueAsString()).as("value").isEqualTo("payload");
        }

        @Test
        @DisplayName("an empty key and an empty value arrive empty, not null")
        void emptyIsNotNull() {
            String topic = topic("empty", 1);
            producer().sendSync(Message.of(topic, new byte[0], new byte[0]));

            Message got = record(consumer(group("empty")), topic).awaitCount(1, timeout()).received().get(0);

            assertThat(got.key()).as("key sent empty").isNotNull().isEmpty();
            assertThat(got.value()).as("value sent empty").isNotNull().isEmpty();
        }

        @Test
        @DisplayName("a 100 KiB value arrives intact")
        void largeValueArrivesIntact() {
            String topic = topic("large", 1);
            byte[] value = randomBytes(100 * 1024, 11);
            producer().sendSync(Message.of(topic, "big".getBytes(StandardCharsets.UTF_8), value));

            Message got = record(consumer(group("large")), topic).awaitCount(1, timeout()).received().get(0);

            assertThat(got.value()).as("the %d-byte value", value.length).isEqualTo(value);
        }

        @Test
        @DisplayName("headers arrive exactly as sent: nothing is added when the MDC has no trace id")
        void nothingIsAddedToHeaders() {
            String topic = topic("headers", 1);
            MDC.remove("trace_id");
            producer().sendSync(Message.builder(topic).key("k").value("v").header("a", "1").header("b", "2").build());
            producer().sendSync(Message.of(topic, "k", "no headers"));

            List<Message> got = record(consumer(group("headers")), topic).awaitCount(2, timeout()).received();

            assertThat(got.get(0).headers()).as("header names of the message sent with headers a and b")
                    .containsOnlyKeys("a", "b");
            assertThat(got.get(0).headerAsString("a")).as("header a").isEqualTo("1");
            assertThat(got.get(0).headerAsString("b")).as("header b").isEqualTo("2");
            assertThat(got.get(1).headers()).as("headers of the message sent without any").isEmpty();
        }

        @Test
        @DisplayName("header names keep their case, and headers arrive in the order they were added")
        void headerNamesAndOrderAreKept() {
            String topic = topic("header-order", 1);
            List<String> names = List.of("Zulu", "alpha", "X-Request-ID", "content-type", "Beta", "UPPER");
            Message.Builder builder = Message.builder(topic).key("k").value("v");
            names.forEach(name -> builder.header(name, name.toLowerCase(Locale.ROOT)));
            MDC.remove("trace_id");
            producer().sendSync(builder.build());

            Message got = record(consumer(group("header-order")), topic).awaitCount(1, timeout()).received().get(0);

            assertThat(new ArrayList<>(got.headers().keySet())).as("header names, in order").containsExactlyElementsOf(names);
        }

        @Test
        @DisplayName("a received message tells its topic, partition, offset (from 0 in a new partition) and timestamp")
        void receivedMessagesCarryTheirPosition() {
            String topic = topic("position", 3);
            long before = System.currentTimeMillis();
            Producer producer = producer();
            for (int i = 0; i < 12; i++) {
                producer.sendSync(Message.of(topic, "key-" + i, "value-" + i));
            }
            long after = System.currentTimeMillis();

            List<Message> got = record(consumer(group("position")), topic).awaitCount(12, timeout()).received();

            assertThat(got).allSatisfy(m -> {
                assertThat(m.topic()).isEqualTo(topic);
                assertThat(m.partition()).as("partition of %s", m).isBetween(0, 2);
                assertThat(m.offset()).as("offset of %s", m).isGreaterThanOrEqualTo(0);
                assertThat(m.timestamp()).as("timestamp (ms since the epoch) of %s", m)
                        .isBetween(before - 60_000, after + 60_000);
            });
            Map<Integer, Long> lowest = new TreeMap<>();
            got.forEach(m -> lowest.merge(m.partition(), m.offset(), Math::min));
            assertThat(lowest).as("lowest offset received per partition of a new topic")
                    .allSatisfy((partition, offset) -> assertThat(offset).as("partition %d", partition).isZero());
        }

        @Test
        @DisplayName("a received message's timestamp is the one stored with it: a second group reading it later sees the same")
        void timestampIsTheStoredOne() {
            String topic = topic("timestamp", 1);
            producer().sendSync(Message.of(topic, "k", "stamped"));
            Message first = record(consumer(group("timestamp-a")), topic).awaitCount(1, timeout()).received().get(0);
            long firstSeenBy = System.currentTimeMillis();
            await("the clock to move on").until(() -> System.currentTimeMillis() > firstSeenBy);

            Message second = record(consumer(group("timestamp-b")), topic).awaitCount(1, timeout()).received().get(0);

            assertThat(second.timestamp()).as("timestamp seen by a second group, later").isEqualTo(first.timestamp());
        }

        @Test
        @DisplayName("offsets increase strictly within each partition, in the order messages are received")
        void offsetsIncreaseStrictlyPerPartition() {
            String topic = topic("offsets", 3);
            Producer producer = producer();
            for (int i = 0; i < 60; i++) {
                producer.send(Message.of(topic, "key-" + i % 10, "value-" + i), ignoreOutcome());
            }
            producer.close();

            List<Message> got = record(consumer(group("offsets")), topic).awaitCount(60, timeout()).received();

            Map<Integer, List<Long>> offsets = new HashMap<>();
            for (Message m : got) {
                offsets.computeIfAbsent(m.partition(), p -> new ArrayList<>()).add(m.offset());
            }
            offsets.forEach((partition, list) -> {
                for (int i = 1; i < list.size(); i++) {
                    assertThat(list.get(i)).as("offsets of partition %d: %s", partition, list)
                            .isGreaterThan(list.get(i - 1));
                }
            });
        }
    }

    // ------------------------------------------------------------------ sending

    @Nested
    @DisplayName("sending")
    class Sending {

        @Test
        @DisplayName("send calls its callback exactly once per message, with null on success")
        void sendCallsBackExactlyOnce() {
            String topic = topic("callbacks", 2);
            int count = 50;
            AtomicIntegerArray calls = new AtomicIntegerArray(count);
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            Producer producer = producer();
            for (int i = 0; i < count; i++) {
                int index = i;
                producer.send(Message.of(topic, "key-" + i, "value-" + i), error -> {
                    calls.incrementAndGet(index);
                    if (error != null) {
                        errors.add(error);
                    }
                });
            }
            RecordingConsumer consumer = record(consumer(group("callbacks")), topic).awaitCount(count, timeout());
            producer.close();

            assertThat(errors).as("errors passed to the send callbacks").isEmpty();
            for (int i = 0; i < count; i++) {
                assertThat(calls.get(i)).as("callbacks of message %d", i).isEqualTo(1);
            }
            assertThat(dataValues(consumer.received())).as("messages received").hasSize(count);
        }

        @Test
        @DisplayName("sendSync returns once the message is stored, and it can be consumed")
        void sendSyncDelivers() {
            String topic = topic("sync", 1);
            Producer producer = producer();
            producer.sendSync(Message.of(topic, "k", "first"));
            producer.sendSync(Message.of(topic, "k", "second"));

            RecordingConsumer consumer = record(consumer(group("sync")), topic).awaitCount(2, timeout());

            assertThat(dataValues(consumer.received())).containsExactly("first", "second");
        }

        @Test
        @DisplayName("async and sync sends mixed in one producer all arrive, in send order for one key")
        void mixedAsyncAndSyncKeepOrder() {
            String topic = topic("mixed", 3);
            Producer producer = producer();
            List<String> expected = new ArrayList<>();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            AtomicInteger callbacks = new AtomicInteger();
            for (int i = 0; i < 40; i++) {
                Message message = Message.of(topic, "one-key", "mixed-" + i);
                expected.add("mixed-" + i);
                if (i % 2 == 0) {
                    producer.send(message, error -> {
                        callbacks.incrementAndGet();
                        if (error != null) {
                            errors.add(error);
                        }
                    });
                } else {
                    producer.sendSync(message);
                }
            }

            RecordingConsumer consumer = record(consumer(group("mixed")), topic).awaitCount(40, timeout());

            await("20 async callbacks").until(() -> callbacks.get() == 20);
            assertThat(errors).as("errors passed to the send callbacks").isEmpty();
            assertThat(dataValues(consumer.received())).as("values in the order received")
                    .containsExactlyElementsOf(expected);
        }

        @Test
        @DisplayName("a message's bytes are its own: changing the caller's arrays after send does not change what is"
                + " delivered, and a received message does not change when the next one arrives")
        void arraysAreNotShared() {
            String topic = topic("arrays", 1);
            byte[] key = "key".getBytes(StandardCharsets.UTF_8);
            byte[] value = "original value".getBytes(StandardCharsets.UTF_8);
            byte[] header = "original header".getBytes(StandardCharsets.UTF_8);
            Message message = Message.builder(topic).key(key).value(value).header("h", header).build();
            Producer producer = producer();
            CountDownLatch sent = new CountDownLatch(1);
            producer.send(message, error -> sent.countDown());
            Arrays.fill(key, (byte) 'x');
            Arrays.fill(value, (byte) 'x');
            Arrays.fill(header, (byte) 'x');
            Arrays.fill(message.value(), (byte) 'y');
            producer.sendSync(message);
            Arrays.fill(message.key(), (byte) 'z');
            // as long as the first two, so a transport that reuses arrays by size would overwrite them
            producer.sendSync(Message.builder(topic).key("yek").value("replaced value").header("h", "replaced header").build());

            List<Message> got = record(consumer(group("arrays")), topic).awaitCount(3, timeout()).received();

            assertThat(got).filteredOn(m -> "key".equals(m.keyAsString())).as("the first two").hasSize(2).allSatisfy(m -> {
                assertThat(m.valueAsString()).isEqualTo("original value");
                assertThat(m.headerAsString("h")).isEqualTo("original header");
            });
            assertThat(got).filteredOn(m -> "yek".equals(m.keyAsString())).as("the third").singleElement().satisfies(m -> {
                assertThat(m.valueAsString()).isEqualTo("replaced value");
                assertThat(m.headerAsString("h")).isEqualTo("replaced header");
            });
            awaitLatch(sent, "the send callback");
        }

        @Test
        @DisplayName("a send callback that throws does not stop the producer, and is logged at WARN through the"
                + " user's logger with the topic, the message's trace_id and the exception")
        void throwingSendCallbackIsContained() {
            String topic = topic("throwing-send-callback", 1);
            RecordingLogger logger = new RecordingLogger("io.gochat.mq.testkit.contract.producer");
            Producer producer = clients.add(Mq.newProducer(SERVICE, options(baseConfig(), Option.withLogger(logger))));
            AtomicInteger thrown = new AtomicInteger();
            RuntimeException boom = new IllegalStateException("a send callback that throws (expected by the contract suite)");
            try {
                MDC.put("trace_id", "trace-throwing-send");
                producer.send(Message.of(topic, "k", "first"), error -> {
                    thrown.incrementAndGet();
                    throw boom;
                });
            } finally {
                MDC.remove("trace_id");
            }
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            AtomicInteger ok = new AtomicInteger();
            for (int i = 0; i < 10; i++) {
                producer.send(Message.of(topic, "k", "next-" + i), error -> {
                    if (error == null) {
                        ok.incrementAndGet();
                    } else {
                        errors.add(error);
                    }
                });
            }
            producer.sendSync(Message.of(topic, "k", "last"));

            RecordingConsumer consumer = record(consumer(group("throwing-send-callback")), topic).awaitCount(12, timeout());

            await("10 successful callbacks").until(() -> ok.get() == 10);
            assertThat(errors).as("errors passed to the send callbacks after the throwing one").isEmpty();
            assertThat(thrown.get()).as("runs of the throwing send callback").isEqualTo(1);
            assertThat(dataValues(consumer.received())).as("values received").hasSize(12).startsWith("first").endsWith("last");
            await("a log event with the exception of the send callback")
                    .until(() -> logger.events().stream().anyMatch(e -> e.throwable == boom));
            RecordingLogger.Event event = logger.events().stream().filter(e -> e.throwable == boom).findFirst().orElseThrow();
            assertThat(event.level).as("level of %s", event).isEqualTo(Level.WARN);
            assertThat(String.valueOf(event.keyValues.get("topic"))).as("topic in %s", event).isEqualTo(topic);
            assertThat(String.valueOf(event.keyValues.get("trace_id"))).as("trace_id in %s", event)
                    .isEqualTo("trace-throwing-send");
        }

        @Test
        @DisplayName("a send the broker refuses (a topic name Kafka does not allow) fails, naming the topic: send's"
                + " callback gets an MqException, sendSync throws one, and the producer goes on")
        void refusedSendFails() {
            String refused = TestNames.topic("refused") + " has/no place";
            String topic = topic("after-refused", 1);
            Producer producer = producer();
            AtomicReference<Throwable> error = new AtomicReference<>();
            CountDownLatch called = new CountDownLatch(1);
            producer.send(Message.of(refused, "k", "refused"), e -> {
                error.set(e);
                called.countDown();
            });
            awaitLatch(called, "the callback of a refused send");

            assertThat(error.get()).as("what the callback of a refused send got").isInstanceOf(MqException.class)
                    .hasMessageContaining(refused);
            assertThatThrownBy(() -> producer.sendSync(Message.of(refused, "k", "refused")))
                    .isInstanceOf(MqException.class).hasMessageContaining(refused);
            producer.sendSync(Message.of(topic, "k", "accepted"));
            RecordingConsumer consumer = record(consumer(group("after-refused")), topic).awaitCount(1, timeout());
            assertThat(dataValues(consumer.received())).containsExactly("accepted");
        }
    }

    // ------------------------------------------------------------------ producer close

    @Nested
    @DisplayName("producer close")
    class ProducerClose {

        @Test
        @DisplayName("close delivers everything sent before it, and every callback has run when it returns")
        void closeFlushes() {
            String topic = topic("flush", 2);
            int count = 200;
            AtomicInteger successes = new AtomicInteger();
            AtomicInteger callbacks = new AtomicInteger();
            Producer producer = producer();
            for (int i = 0; i < count; i++) {
                producer.send(Message.of(topic, "key-" + i % 7, "flush-" + i), error -> {
                    callbacks.incrementAndGet();
                    if (error == null) {
                        successes.incrementAndGet();
                    }
                });
            }
            producer.close();

            assertThat(callbacks.get()).as("callbacks run when close() returned").isEqualTo(count);
            assertThat(successes.get()).as("successful sends").isEqualTo(count);
            RecordingConsumer consumer = record(consumer(group("flush")), topic).awaitCount(count, timeout());
            assertThat(new HashSet<>(dataValues(consumer.received()))).as("distinct messages received").hasSize(count);
        }

        @Test
        @DisplayName("close while eight threads send (each goes on after close() returned): every send gets exactly one"
                + " callback, those accepted before close before it returns, later ones an MqClosedException, and"
                + " exactly the successes are delivered")
        void closeWithConcurrentSenders() {
            String topic = topic("close-concurrent", 4);
            int threads = 8;
            Producer producer = producer();
            AtomicLong clock = new AtomicLong();
            Map<String, AtomicInteger> callbacks = new ConcurrentHashMap<>();
            Map<String, Long> sendStarted = new ConcurrentHashMap<>();
            Map<String, Long> sendReturned = new ConcurrentHashMap<>();
            Map<String, Throwable> errors = new ConcurrentHashMap<>();
            Map<String, RuntimeException> thrownBySend = new ConcurrentHashMap<>();
            Set<String> successes = ConcurrentHashMap.newKeySet();
            CountDownLatch closeReturned = gate();
            CountDownLatch warmedUp = new CountDownLatch(threads);
            List<Background> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                senders.add(background("sender-" + t, () -> {
                    int afterClose = 0;
                    // every sender sends 5 messages after it saw close() return, whatever the timing
                    for (int i = 0; afterClose < 5; i++) {
                        if (i == 3000) {
                            awaitLatch(closeReturned, "close() to return");
                        }
                        if (closeReturned.getCount() == 0) {
                            afterClose++;
                        }
                        String id = thread + "-" + i;
                        AtomicInteger calls = new AtomicInteger();
                        callbacks.put(id, calls);
                        sendStarted.put(id, clock.incrementAndGet());
                        try {
                            producer.send(Message.of(topic, "sender-" + thread, id), error -> {
                                calls.incrementAndGet();
                                if (error == null) {
                                    successes.add(id);
                                } else {
                                    errors.put(id, error);
                                }
                            });
                            sendReturned.put(id, clock.incrementAndGet());
                        } catch (RuntimeException e) {
                            thrownBySend.put(id, e);
                        }
                        if (i == 20) {
                            warmedUp.countDown();
                        }
                    }
                }));
            }
            awaitLatch(warmedUp, "every sender to have sent 20 messages");
            long closeStart = clock.incrementAndGet();
            producer.close();
            long closeEnd = clock.incrementAndGet();
            Map<String, Integer> callsAtClose = new HashMap<>();
            callbacks.forEach((id, calls) -> callsAtClose.put(id, calls.get()));
            closeReturned.countDown();
            for (Background sender : senders) {
                sender.join(timeout());
            }

            assertThat(thrownBySend).as("send must report a closed producer through the callback, not throw").isEmpty();
            sendReturned.forEach((id, returnedAt) -> {
                if (returnedAt < closeStart) {
                    assertThat(callsAtClose.get(id)).as("callbacks of %s, accepted before close(), when close() returned", id)
                            .isEqualTo(1);
                }
            });
            await("a callback for every send").until(() -> callbacks.values().stream().allMatch(c -> c.get() >= 1));
            callbacks.forEach((id, calls) -> assertThat(calls.get()).as("callbacks of %s", id).isEqualTo(1));
            errors.forEach((id, error) -> assertThat(error).as("error of %s", id).isInstanceOf(MqClosedException.class));
            sendStarted.forEach((id, startedAt) -> {
                if (startedAt > closeEnd) {
                    assertThat(errors.get(id)).as("send of %s after close() returned", id).isInstanceOf(MqClosedException.class);
                }
            });
            assertThat(successes).as("successful sends").isNotEmpty();

            List<RecordingConsumer> consumers = List.of(record(consumer(group("close-concurrent")), topic));
            await("every successful send to be consumed")
                    .until(() -> new HashSet<>(dataValues(all(consumers))).containsAll(successes));
            awaitDrained(producer(), topic, 4, () -> all(consumers));
            List<String> delivered = dataValues(all(consumers));
            assertThat(new HashSet<>(delivered)).as("exactly the successful sends are delivered").isEqualTo(successes);
            assertThat(delivered).as("no duplicates").doesNotHaveDuplicates();
        }

        @Test
        @DisplayName("send after close gives MqClosedException to its callback, exactly once, and sends nothing")
        void sendAfterCloseFailsThroughCallback() {
            String topic = topic("send-after-close", 1);
            Producer producer = producer();
            producer.sendSync(Message.of(topic, "k", "before"));
            producer.close();
            AtomicInteger calls = new AtomicInteger();
            AtomicReference<Throwable> error = new AtomicReference<>();
            producer.send(Message.of(topic, "k", "ghost"), e -> {
                error.set(e);
                calls.incrementAndGet();
            });

            await("the callback of a send after close").until(() -> calls.get() >= 1);
            assertThat(error.get()).as("error passed to the callback of a send after close").isInstanceOf(MqClosedException.class);
            RecordingConsumer consumer = record(consumer(group("send-after-close")), topic);
            awaitDrained(producer(), topic, 1, consumer::received);
            assertThat(dataValues(consumer.received())).containsExactly("before");
            assertThat(calls.get()).as("callbacks of the send after close").isEqualTo(1);
        }

        @Test
        @DisplayName("sendSync after close throws MqClosedException and sends nothing")
        void sendSyncAfterCloseThrows() {
            String topic = topic("sync-after-close", 1);
            Producer producer = producer();
            producer.sendSync(Message.of(topic, "k", "before"));
            producer.close();

            assertThatThrownBy(() -> producer.sendSync(Message.of(topic, "k", "ghost")))
                    .isInstanceOf(MqClosedException.class);
            RecordingConsumer consumer = record(consumer(group("sync-after-close")), topic);
            awaitDrained(producer(), topic, 1, consumer::received);
            assertThat(dataValues(consumer.received())).containsExactly("before");
        }

        @Test
        @DisplayName("close twice is harmless, for producers and admin clients")
        void producerCloseTwice() {
            Producer producer = producer();
            producer.close();
            producer.close();
            AdminClient adminClient = clients.add(Mq.newAdminClient(SERVICE, options(baseConfig())));
            adminClient.close();
            adminClient.close();
            assertThatThrownBy(() -> producer.sendSync(Message.of("anything", "k", "v")))
                    .isInstanceOf(MqClosedException.class);
        }
    }

    // ------------------------------------------------------------------ keys and order

    @Nested
    @DisplayName("keys and order")
    class KeyOrdering {

        @Test
        @DisplayName("messages with the same key land on one partition and arrive in send order, across a group of three")
        void perKeyOrderInAGroup() {
            String topic = topic("key-order", 4);
            String group = group("key-order");
            List<Message> log = Collections.synchronizedList(new ArrayList<>());
            List<RecordingConsumer> members = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                members.add(record(consumer(group), List.of(topic), appendTo(log)));
            }
            Producer producer = producer();
            awaitEveryMemberAssigned(producer, topic, members);

            Map<String, List<String>> sent = new LinkedHashMap<>();
            for (int i = 0; i < 40; i++) {
                for (int k = 0; k < 6; k++) {
                    String key = "key-" + k;
                    String value = key + "/" + i;
                    sent.computeIfAbsent(key, x -> new ArrayList<>()).add(value);
                    producer.send(Message.of(topic, key, value), ignoreOutcome());
                }
            }
            await("240 messages").until(() -> dataOf(snapshot(log)).size() >= 240);

            List<Message> data = dataOf(snapshot(log));
            sent.forEach((key, values) -> {
                List<Message> ofKey = data.stream().filter(m -> key.equals(m.keyAsString())).collect(Collectors.toList());
                assertThat(ofKey.stream().map(Message::partition).collect(Collectors.toSet()))
                        .as("partitions of %s", key).hasSize(1);
                assertThat(ofKey.stream().map(Message::valueAsString).collect(Collectors.toList()))
                        .as("values of %s in the order they were processed", key).containsExactlyElementsOf(values);
            });
        }

        @Test
        @DisplayName("a keyed message lands on the partition Kafka's default partitioner (murmur2) picks")
        void keysLandWhereKafkaPutsThem() {
            String topic = topic("murmur2", 5);
            Producer producer = producer();
            for (int i = 0; i < 50; i++) {
                producer.send(Message.of(topic, "user-" + i, "v" + i), ignoreOutcome());
            }
            producer.close();

            List<Message> got = record(consumer(group("murmur2")), topic).awaitCount(50, timeout()).received();

            assertThat(got).allSatisfy(m -> assertThat(m.partition()).as("partition of key %s", m.keyAsString())
                    .isEqualTo(KafkaPartitioner.partition(m.key(), 5)));
        }
    }

    // ------------------------------------------------------------------ admin

    @Nested
    @DisplayName("admin")
    class Admin {

        @Test
        @DisplayName("createTopic on a topic that exists is not an error, and the topic still works")
        void createTopicTwice() {
            String topic = topic("twice", 2);
            admin().createTopic(topic, 2, 1);
            admin().createTopic(topic, 3, 1);
            producer().sendSync(Message.of(topic, "k", "still works"));

            RecordingConsumer consumer = record(consumer(group("twice")), topic).awaitCount(1, timeout());

            assertThat(dataValues(consumer.received())).containsExactly("still works");
        }

        @Test
        @DisplayName("a topic has the partition count it was created with: many keys land on exactly partitions 0..N-1")
        void partitionsHonoured() {
            String topic = topic("partitions", 3);
            Producer producer = producer();
            for (int i = 0; i < 60; i++) {
                producer.send(Message.of(topic, "spread-" + i, "v" + i), ignoreOutcome());
            }
            producer.close();

            List<Message> got = record(consumer(group("partitions")), topic).awaitCount(60, timeout()).received();

            Set<Integer> partitions = got.stream().map(Message::partition).collect(Collectors.toCollection(TreeSet::new));
            assertThat(partitions).containsExactly(0, 1, 2);
        }

        @Test
        @DisplayName("createTopic with a name the broker refuses (one Kafka does not allow) throws MqException naming it")
        void createTopicRefusedByTheBroker() {
            String refused = TestNames.topic("refused") + " has/no place";
            assertThatThrownBy(() -> admin().createTopic(refused, 1, 1))
                    .isInstanceOf(MqException.class).hasMessageContaining(refused);
        }

        @Test
        @DisplayName("createTopic rejects a null or blank name and counts below 1 at once, naming the argument")
        void createTopicRejectsBadArguments() {
            AdminClient adminClient = admin();
            String topic = TestNames.topic("bad-admin");
            assertThatThrownBy(() -> adminClient.createTopic(null, 1, 1))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("topic");
            assertThatThrownBy(() -> adminClient.createTopic(" ", 1, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topic");
            assertThatThrownBy(() -> adminClient.createTopic(topic, 0, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partitions");
            assertThatThrownBy(() -> adminClient.createTopic(topic, 1, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replicationFactor");
        }
    }

    // ------------------------------------------------------------------ consumer groups

    @Nested
    @DisplayName("consumer groups")
    class ConsumerGroups {

        @Test
        @DisplayName("within one group each message goes to exactly one member, and every member gets a share")
        void oneGroupSharesTheWork() {
            String topic = topic("one-group", 4);
            String group = group("one-group");
            List<RecordingConsumer> members = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                members.add(record(consumer(group), topic));
            }
            Producer producer = producer();
            awaitEveryMemberAssigned(producer, topic, members);

            List<String> sent = sendData(producer, topic, "shared", 300, 60);
            await("300 messages across the group").until(() -> dataValues(all(members)).size() >= 300);
            awaitDrained(producer, topic, 4, () -> all(members));

            List<String> delivered = dataValues(all(members));
            assertThat(delivered).as("no duplicates in a clean run").doesNotHaveDuplicates();
            assertThat(delivered).as("nothing lost").containsExactlyInAnyOrderElementsOf(sent);
            for (RecordingConsumer member : members) {
                assertThat(dataValues(member.received())).as("share of %s", member).isNotEmpty();
            }
        }

        @Test
        @DisplayName("two groups on one topic each get every message once")
        void twoGroupsEachGetEverything() {
            String topic = topic("two-groups", 3);
            String groupA = group("a");
            String groupB = group("b");
            List<RecordingConsumer> a = List.of(record(consumer(groupA), topic), record(consumer(groupA), topic));
            List<RecordingConsumer> b = List.of(record(consumer(groupB), topic));
            Producer producer = producer();
            List<RecordingConsumer> everyone = new ArrayList<>(a);
            everyone.addAll(b);
            awaitEveryMemberAssigned(producer, topic, everyone);

            List<String> sent = sendData(producer, topic, "fan-out", 100, 20);
            await("100 messages in each group")
                    .until(() -> dataValues(all(a)).size() >= 100 && dataValues(all(b)).size() >= 100);
            awaitDrained(producer, topic, 3, () -> all(a));
            awaitDrained(producer, topic, 3, () -> all(b));

            assertThat(dataValues(all(a))).as("group A").containsExactlyInAnyOrderElementsOf(sent);
            assertThat(dataValues(all(b))).as("group B").containsExactlyInAnyOrderElementsOf(sent);
        }

        @Test
        @DisplayName("group ids are compared exactly: two groups whose ids differ only in case each get every message")
        void groupIdsAreCaseSensitive() {
            String topic = topic("group-case", 1);
            String lower = group("case");
            String upper = lower.toUpperCase(Locale.ROOT);
            Producer producer = producer();
            List<String> sent = sendData(producer, topic, "case", 10, 2);

            List<RecordingConsumer> groups = List.of(record(consumer(lower), topic), record(consumer(upper), topic));
            for (RecordingConsumer member : groups) {
                member.awaitReceived("every message in the group of " + member,
                        got -> dataValues(got).containsAll(sent), timeout());
                awaitDrained(producer, topic, 1, member::received);
                assertThat(dataValues(member.received())).as("messages of %s", member).containsExactlyElementsOf(sent);
            }
        }

        @Test
        @DisplayName("a consumer gets only the topics it subscribed to")
        void topicsAreIsolated() {
            String mine = topic("mine", 1);
            String other = topic("other", 1);
            Producer producer = producer();
            for (int i = 0; i < 10; i++) {
                producer.sendSync(Message.of(other, "k", "other-" + i));
            }
            for (int i = 0; i < 5; i++) {
                producer.sendSync(Message.of(mine, "k", "mine-" + i));
            }

            RecordingConsumer consumer = record(consumer(group("isolation")), mine).awaitCount(5, timeout());
            awaitDrained(producer, mine, 1, consumer::received);

            assertThat(consumer.received()).allSatisfy(m -> assertThat(m.topic()).isEqualTo(mine));
            assertThat(dataValues(consumer.received())).containsExactly("mine-0", "mine-1", "mine-2", "mine-3", "mine-4");
        }

        @Test
        @DisplayName("one subscribe to several topics gets the messages of each, and topic() tells which")
        void severalTopicsInOneSubscribe() {
            String first = topic("first", 2);
            String second = topic("second", 1);
            Producer producer = producer();
            for (int i = 0; i < 10; i++) {
                producer.send(Message.of(first, "k" + i, first + "#" + i), ignoreOutcome());
                producer.send(Message.of(second, "k" + i, second + "#" + i), ignoreOutcome());
            }
            producer.close();

            RecordingConsumer consumer = record(consumer(group("several")), List.of(first, second), noop())
                    .awaitCount(20, timeout());

            assertThat(consumer.received()).allSatisfy(m -> assertThat(m.valueAsString()).startsWith(m.topic() + "#"));
            assertThat(consumer.received().stream().map(Message::topic).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrder(first, second);
            assertThat(dataValues(consumer.received())).hasSize(20).doesNotHaveDuplicates();
        }

        @Test
        @DisplayName("a topic named twice in one subscribe is consumed once")
        void repeatedTopicIsConsumedOnce() {
            String topic = topic("repeated", 2);
            Producer producer = producer();
            List<String> sent = sendData(producer, topic, "repeat", 10, 5);

            RecordingConsumer consumer = record(consumer(group("repeated")), List.of(topic, topic), noop())
                    .awaitCount(10, timeout());
            awaitDrained(producer, topic, 2, consumer::received);

            assertThat(dataValues(consumer.received())).containsExactlyInAnyOrderElementsOf(sent);
        }
    }

    // ------------------------------------------------------------------ failing callbacks

    @Nested
    @DisplayName("failing callbacks")
    class FailingCallbacks {

        @Test
        @DisplayName("a callback that throws does not stop consumption, and its message is not delivered again")
        void throwingCallbackIsSkippedNotRetried() {
            String topic = topic("throwing", 1);
            String group = group("throwing");
            Producer producer = producer();
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                sent.add("m-" + i);
                producer.sendSync(Message.of(topic, "k", "m-" + i));
            }
            RecordingConsumer first = record(consumer(group), List.of(topic), message -> {
                if ("m-3".equals(message.valueAsString())) {
                    throw new IllegalStateException("a callback that throws (expected by the contract suite)");
                }
            });

            first.awaitCount(10, timeout());
            assertThat(dataValues(first.received())).containsExactlyElementsOf(sent);
            first.close();

            producer.sendSync(Message.of(topic, "k", "after"));
            RecordingConsumer second = record(consumer(group), topic).awaitCount(1, timeout());
            awaitDrained(producer, topic, 1, second::received);
            assertThat(dataValues(second.received())).containsExactly("after");
        }

        @Test
        @DisplayName("a callback failure is logged at ERROR with topic, partition, offset, key and trace_id, through the"
                + " user's logger")
        void callbackFailureIsLoggedWithPosition() {
            String topic = topic("logged", 2);
            RecordingLogger logger = new RecordingLogger("io.gochat.mq.testkit.contract.consumer");
            Producer producer = producer();
            producer.sendSync(Message.of(topic, "good-key", "ok-1"));
            producer.sendSync(Message.builder(topic).key("bad-key").value("bad").header("trace_id", "trace-bad").build());
            producer.sendSync(Message.of(topic, "good-key", "ok-2"));
            RuntimeException boom = new IllegalStateException("boom from the callback (expected by the contract suite)");

            Consumer consumer = consumer(group("logged"), c -> { }, Option.withLogger(logger));
            RecordingConsumer recording = record(consumer, List.of(topic), message -> {
                if ("bad".equals(message.valueAsString())) {
                    throw boom;
                }
            }).awaitCount(3, timeout());
            Message bad = recording.received().stream().filter(m -> "bad".equals(m.valueAsString())).findFirst()
                    .orElseThrow();

            await("an ERROR event about the failed callback").until(() -> logger.events().stream()
                    .anyMatch(e -> e.level == Level.ERROR && topic.equals(String.valueOf(e.keyValues.get("topic")))));
            RecordingLogger.Event event = logger.events().stream()
                    .filter(e -> e.level == Level.ERROR && topic.equals(String.valueOf(e.keyValues.get("topic"))))
                    .findFirst().orElseThrow();
            assertThat(String.valueOf(event.keyValues.get("partition"))).as("partition in %s", event)
                    .isEqualTo(String.valueOf(bad.partition()));
            assertThat(String.valueOf(event.keyValues.get("offset"))).as("offset in %s", event)
                    .isEqualTo(String.valueOf(bad.offset()));
            assertThat(String.valueOf(event.keyValues.get("key"))).as("key in %s", event).isEqualTo("bad-key");
            assertThat(String.valueOf(event.keyValues.get("trace_id"))).as("trace_id in %s", event).isEqualTo("trace-bad");
            assertThat(event.throwable).as("cause in %s", event).isSameAs(boom);
        }
    }

    // ------------------------------------------------------------------ observers

    @Nested
    @DisplayName("observers")
    class Observers {

        @Test
        @DisplayName("an observer given with Option.withObserver sees every send end and every callback run, with its"
                + " attempt, outcome and the message's trace_id in the MDC, and each client close")
        void sendsAndCallbacksAreObserved() {
            String topic = topic("observed", 2);
            RecordingObserver observer = new RecordingObserver();
            Producer producer = clients.add(Mq.newProducer(SERVICE, options(baseConfig(), Option.withObserver(observer))));
            producer.sendSync(Message.builder(topic).key("k").value("traced").header("trace_id", "trace-1").build());
            List<String> sent = sendData(producer, topic, "obs", 10, 3);
            Consumer consumer = consumer(group("observed"), c -> { }, Option.withObserver(observer));
            RecordingConsumer recording = record(consumer, List.of(topic), message -> {
                if ("obs-3".equals(message.valueAsString())) {
                    throw new IllegalStateException("a callback that throws (expected by the contract suite)");
                }
            });
            recording.awaitCount(11, timeout());
            recording.close(timeout());
            producer.close();

            List<String> all = new ArrayList<>(sent);
            all.add("traced");
            assertThat(observer.sent()).as("sends that ended, by value").containsExactlyInAnyOrderElementsOf(all);
            assertThat(observer.sendErrors()).as("failed sends").isEmpty();
            assertThat(observer.consumed()).as("callback runs: value/attempt/outcome/MDC trace_id")
                    .contains("traced/1/SUCCESS/trace-1", "obs-2/1/SUCCESS/-", "obs-3/1/FAILURE/-")
                    .hasSize(11);
            assertThat(observer.closed()).as("clients closed").containsExactlyInAnyOrder("PRODUCER", "CONSUMER");
        }

        @Test
        @DisplayName("headers an observer adds on send reach the consumer, replacing a header of the same name, and the"
                + " caller's message is not changed")
        void observerHeadersAreSent() {
            String topic = topic("observed-headers", 1);
            MqObserver tracer = client -> new ClientObserver() {
                @Override
                public SendObservation sendStarted(Message message) {
                    return new SendObservation() {
                        @Override
                        public Map<String, byte[]> headers() {
                            return Map.of("traceparent", ("00-" + message.valueAsString()).getBytes(StandardCharsets.UTF_8),
                                    "h", "from-observer".getBytes(StandardCharsets.UTF_8));
                        }
                    };
                }
            };
            Producer producer = clients.add(Mq.newProducer(SERVICE, options(baseConfig(), Option.withObserver(tracer))));
            Message mine = Message.builder(topic).key("k").value("v-1").header("h", "mine").build();
            producer.sendSync(mine);
            assertThat(mine.headers()).as("the caller's message").containsOnlyKeys("h");

            Message got = record(consumer(group("observed-headers")), topic).awaitCount(1, timeout()).received().get(0);
            assertThat(got.headerAsString("traceparent")).as("the header the observer added").isEqualTo("00-v-1");
            assertThat(got.headerAsString("h")).as("the header the observer replaced").isEqualTo("from-observer");
        }

        @Test
        @DisplayName("a send's observation hears where the message was stored, before the send completes: the partition"
                + " and offset it is consumed at, for send and sendSync")
        void sendsAreToldWhereStored() {
            String topic = topic("observed-stored", 2);
            Map<String, String> stored = new ConcurrentHashMap<>();
            MqObserver locating = client -> new ClientObserver() {
                @Override
                public SendObservation sendStarted(Message message) {
                    String value = message.valueAsString();
                    return new SendObservation() {
                        private volatile String at;

                        @Override
                        public void acknowledged(int partition, long offset) {
                            at = partition + "@" + offset;
                        }

                        @Override
                        public void completed(Throwable error) {
                            stored.merge(value, error != null ? "failed" : at == null ? "not told" : at, (a, b) -> a + "," + b);
                        }
                    };
                }
            };
            Producer producer = clients.add(Mq.newProducer(SERVICE, options(baseConfig(), Option.withObserver(locating))));
            List<String> sent = new ArrayList<>(sendData(producer, topic, "loc", 12, 4));
            producer.sendSync(Message.of(topic, "loc-key-sync", "loc-sync"));
            sent.add("loc-sync");

            RecordingConsumer recording = record(consumer(group("observed-stored")), topic).awaitCount(sent.size(), timeout());
            Map<String, String> consumedAt = new HashMap<>();
            for (Message m : dataOf(recording.received())) {
                consumedAt.put(m.valueAsString(), m.partition() + "@" + m.offset());
            }
            assertThat(consumedAt).as("partition@offset of each message consumed").containsOnlyKeys(sent);
            assertThat(stored).as("partition@offset each send's observation was told, by the time it completed")
                    .isEqualTo(consumedAt);
        }

        @Test
        @DisplayName("assignments, commits with the log end offset, and revocation on close are observed: committed"
                + " lag 0 once everything is processed")
        void commitsAndAssignmentsAreObserved() {
            String topic = topic("observed-commits", 2);
            List<String> sent = sendData(producer(), topic, "oc", 20, 5);
            RecordingObserver observer = new RecordingObserver();
            RecordingConsumer recording = record(consumer(group("observed-commits"), c -> { }, Option.withObserver(observer)),
                    topic).awaitCount(sent.size(), timeout());
            Map<Integer, Long> ends = new HashMap<>();
            for (Message m : recording.received()) {
                ends.merge(m.partition(), m.offset() + 1, Math::max);
            }
            await("commits of every partition's end").until(() -> ends.entrySet().stream().allMatch(e ->
                    observer.lastCommit(new Partition(topic, e.getKey())) == e.getValue()));
            ends.forEach((partition, end) -> assertThat(observer.lastLogEnd(new Partition(topic, partition)))
                    .as("log end offset of partition %s at its last commit", partition).isEqualTo(end));
            assertThat(observer.owned(topic)).as("partitions assigned").containsExactlyInAnyOrder(0, 1);
            recording.close(timeout());
            assertThat(observer.owned(topic)).as("partitions held after close").isEmpty();
            assertThat(observer.closed()).as("clients the observer saw closed").containsExactly("CONSUMER");
        }

        @Test
        @DisplayName("an observer that throws from every method breaks nothing: every message is sent and consumed, and"
                + " the failure is logged at WARN")
        void throwingObserverBreaksNothing() {
            String topic = topic("observed-throwing", 1);
            RecordingLogger logger = new RecordingLogger("io.gochat.mq.testkit.contract.observers");
            ClientObserver throwing = new ClientObserver() {
                @Override
                public SendObservation sendStarted(Message message) {
                    throw new IllegalStateException("observer bug (expected by the contract suite)");
                }

                @Override
                public ConsumeObservation consumeStarted(Message message, int attempt) {
                    throw new IllegalStateException("observer bug (expected by the contract suite)");
                }

                @Override
                public void polled() {
                    throw new IllegalStateException("observer bug (expected by the contract suite)");
                }

                @Override
                public void committed(Partition partition, long offset, long logEndOffset) {
                    throw new IllegalStateException("observer bug (expected by the contract suite)");
                }
            };
            Producer producer = clients.add(Mq.newProducer(SERVICE, options(baseConfig(), Option.withObserver(c -> throwing),
                    Option.withLogger(logger))));
            List<String> sent = sendData(producer, topic, "ot", 10, 2);
            RecordingConsumer recording = record(consumer(group("observed-throwing"), c -> { },
                    Option.withObserver(c -> throwing), Option.withLogger(logger)), topic).awaitCount(10, timeout());
            assertThat(dataValues(recording.received())).containsExactlyElementsOf(sent);
            assertThat(logger.events()).as("WARN lines of the failing observer")
                    .anyMatch(e -> e.level == Level.WARN && e.throwable instanceof IllegalStateException);
        }

        @Test
        @DisplayName("ConsumerHealth: an idle consumer stays live; a callback blocked past stuckAfter makes it not live,"
                + " and live again when it returns")
        void healthTellsStuckFromIdle() {
            String topic = topic("health", 1);
            // far above a loop turn (the consumers poll every autoCommitIntervalMs at most), so a busy machine is idle too
            Duration stuckAfter = Duration.ofMillis(2000);
            ConsumerHealth health = new ConsumerHealth(stuckAfter);
            CountDownLatch blocked = gate();
            CountDownLatch entered = new CountDownLatch(1);
            record(consumer(group("health"), c -> { }, Option.withObserver(health)), List.of(topic), message -> {
                if ("block".equals(message.valueAsString())) {
                    entered.countDown();
                    blocked.await(timeout().toMillis(), TimeUnit.MILLISECONDS);
                }
            });
            await("the consumer to start and hold its partition").until(health::isReady);
            long idleSince = System.nanoTime();
            await("idle for three times stuckAfter, live throughout").pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        assertThat(health.isLive()).as("live while idle: %s", health.statuses()).isTrue();
                        return System.nanoTime() - idleSince > 3 * stuckAfter.toNanos();
                    });

            producer().sendSync(Message.of(topic, "k", "block"));
            awaitLatch(entered, "the blocking callback to start");
            // (at concurrency 1 the loop waits for the callback too, and may be reported still first)
            await("not live because the callback is blocked").until(() -> !health.isLive() && health.statuses().stream()
                    .anyMatch(s -> s.reason().contains("has run for")));
            blocked.countDown();
            await("live again once it returned").until(health::isLive);
        }
    }

    /** Records what observers see, thread-safely. */
    private static final class RecordingObserver implements MqObserver {
        private final List<String> sent = new CopyOnWriteArrayList<>();
        private final List<Throwable> sendErrors = new CopyOnWriteArrayList<>();
        private final List<String> consumed = new CopyOnWriteArrayList<>();
        private final List<String> closed = new CopyOnWriteArrayList<>();
        private final Map<Partition, long[]> commits = new ConcurrentHashMap<>();
        private final Set<Partition> owned = ConcurrentHashMap.newKeySet();

        @Override
        public ClientObserver client(ClientInfo client) {
            return new ClientObserver() {
                @Override
                public SendObservation sendStarted(Message message) {
                    return new SendObservation() {
                        @Override
                        public void completed(Throwable error) {
                            if (error != null) {
                                sendErrors.add(error);
                            } else if (isData(message)) {
                                sent.add(message.valueAsString());
                            }
                        }
                    };
                }

                @Override
                public ConsumeObservation consumeStarted(Message message, int attempt) {
                    String traceId = MDC.get(Message.TRACE_ID_HEADER);
                    return new ConsumeObservation() {
                        @Override
                        public void completed(Outcome outcome, Throwable failure) {
                            if (isData(message)) {
                                consumed.add(message.valueAsString() + "/" + attempt + "/" + outcome + "/"
                                        + (traceId == null ? "-" : traceId));
                            }
                        }
                    };
                }

                @Override
                public void committed(Partition partition, long offset, long logEndOffset) {
                    commits.put(partition, new long[] {offset, logEndOffset});
                }

                @Override
                public void partitions(PartitionChange change, Collection<Partition> partitions) {
                    if (change == PartitionChange.ASSIGNED) {
                        owned.addAll(partitions);
                    } else if (change == PartitionChange.REVOKED || change == PartitionChange.LOST) {
                        owned.removeAll(partitions);
                    }
                }

                @Override
                public void closed() {
                    closed.add(client.kind().name());
                }
            };
        }

        List<String> sent() {
            return List.copyOf(sent);
        }

        List<Throwable> sendErrors() {
            return List.copyOf(sendErrors);
        }

        List<String> consumed() {
            return List.copyOf(consumed);
        }

        List<String> closed() {
            return List.copyOf(closed);
        }

        long lastCommit(Partition partition) {
            long[] commit = commits.get(partition);
            return commit == null ? -1 : commit[0];
        }

        long lastLogEnd(Partition partition) {
            long[] commit = commits.get(partition);
            return commit == null ? -1 : commit[1];
        }

        List<Integer> owned(String topic) {
            return owned.stream().filter(p -> p.topic().equals(topic)).map(Partition::partition).toList();
        }
    }

    // ------------------------------------------------------------------ consumer close

    @Nested
    @DisplayName("consumer close")
    class ConsumerClose {

        @Test
        @DisplayName("a member that closes itself after 8 messages hands exactly the rest to the next member,"
                + " even before the commit interval elapsed")
        void cleanHandOff() {
            String topic = topic("hand-off", 3);
            String group = group("hand-off");
            Producer producer = producer();
            List<String> sent = sendData(producer, topic, "hand-off", 30, 6);
            producer.close();

            Consumer first = consumer(group, c -> c.autoCommitIntervalMs((int) NEVER_MS));
            AtomicInteger processed = new AtomicInteger();
            RecordingConsumer firstRecording = record(first, List.of(topic), message -> {
                if (processed.incrementAndGet() == 8) {
                    first.close();
                }
            });
            assertThat(firstRecording.awaitTermination(timeout())).as("subscribe of the member that closed itself").isEmpty();
            List<String> firstGot = dataValues(firstRecording.received());
            assertThat(firstGot).as("messages handled by the first member, which closed on its 8th").hasSize(8);

            Producer drainer = producer();
            RecordingConsumer second = record(consumer(group, c -> c.autoCommitIntervalMs((int) NEVER_MS)), topic)
                    .awaitCount(22, timeout());
            awaitDrained(drainer, topic, 3, second::received);

            List<String> secondGot = dataValues(second.received());
            assertThat(secondGot).as("nothing repeated").doesNotHaveDuplicates().doesNotContainAnyElementsOf(firstGot);
            List<String> together = new ArrayList<>(firstGot);
            together.addAll(secondGot);
            assertThat(together).as("nothing lost").containsExactlyInAnyOrderElementsOf(sent);
        }

        @Test
        @DisplayName("close during a slow callback waits for it, commits it, and subscribe returns")
        void closeWaitsForTheMessageInHand() {
            assertCloseWaitsForTheCallbacksInHand("slow", 1, c -> { });
        }

        @Test
        @DisplayName("close from inside the callback returns at once, no further callback runs, and subscribe returns")
        void closeFromInsideTheCallback() {
            String topic = topic("close-inside", 1);
            Producer producer = producer();
            sendData(producer, topic, "inside", 5, 1);
            AtomicBoolean closeReturned = new AtomicBoolean();
            AtomicReference<Consumer> self = new AtomicReference<>();
            Consumer consumer = consumer(group("close-inside"));
            self.set(consumer);
            RecordingConsumer recording = record(consumer, List.of(topic), message -> {
                self.get().close();
                closeReturned.set(true);
            });

            assertThat(recording.awaitTermination(timeout())).as("subscribe ended normally").isEmpty();
            assertThat(closeReturned.get()).as("close() called from the callback returned").isTrue();
            assertThat(dataValues(recording.received())).as("callbacks after close()").containsExactly("inside-0");
        }

        @Test
        @DisplayName("an interrupt of the subscribe thread during a callback that then fails is a cancellation:"
                + " no further callback, subscribe returns normally with the flag set, the next member starts"
                + " with that message")
        void interruptDuringCallback() {
            String topic = topic("interrupt", 1);
            String group = group("interrupt");
            Producer producer = producer();
            List<String> sent = sendData(producer, topic, "interrupt", 5, 1);
            Consumer consumer = consumer(group, c -> c.autoCommitIntervalMs((int) NEVER_MS));
            List<String> handled = new CopyOnWriteArrayList<>();
            CountDownLatch inSecond = new CountDownLatch(1);
            CountDownLatch never = gate();
            AtomicBoolean interruptedOnReturn = new AtomicBoolean();
            Background subscriber = background("interrupted-subscribe", () -> {
                consumer.subscribe(List.of(topic), message -> {
                    handled.add(message.valueAsString());
                    if (sent.get(1).equals(message.valueAsString())) {
                        inSecond.countDown();
                        never.await(); // blocked as in I/O: the interrupt ends it with InterruptedException
                    }
                });
                interruptedOnReturn.set(Thread.currentThread().isInterrupted());
            });
            clients.add("interrupted consumer", consumer::close);
            awaitLatch(inSecond, "the callback of the second message to start");

            subscriber.thread.interrupt();
            subscriber.join(timeout());

            assertThat(interruptedOnReturn.get()).as("interrupt flag when subscribe returned").isTrue();
            assertThat(handled).as("callbacks run").containsExactly(sent.get(0), sent.get(1));
            RecordingConsumer next = record(consumer(group), topic).awaitCount(4, timeout());
            awaitDrained(producer, topic, 1, next::received);
            assertThat(dataValues(next.received())).as("what the next member gets: the interrupted message first")
                    .containsExactlyElementsOf(sent.subList(1, 5));
        }

        @Test
        @DisplayName("close twice is harmless, also on a consumer that never subscribed")
        void consumerCloseTwice() {
            String topic = topic("close-twice", 1);
            producer().sendSync(Message.of(topic, "k", "v"));
            RecordingConsumer recording = record(consumer(group("close-twice")), topic).awaitCount(1, timeout());
            recording.consumer().close();
            recording.consumer().close();
            assertThat(recording.awaitTermination(timeout())).as("what subscribe threw after close() twice").isEmpty();

            Consumer idle = consumer(group("never-subscribed"));
            idle.close();
            idle.close();
        }

        @Test
        @DisplayName("subscribe a second time throws IllegalStateException while the first runs on")
        void subscribeTwice() {
            String topic = topic("subscribe-twice", 1);
            Producer producer = producer();
            producer.sendSync(Message.of(topic, "k", "one"));
            RecordingConsumer recording = record(consumer(group("subscribe-twice")), topic).awaitCount(1, timeout());

            Throwable thrown = thrownWithin(() -> recording.consumer().subscribe(List.of(topic), m -> { }));

            assertThat(thrown).as("what the second subscribe threw").isInstanceOf(IllegalStateException.class);
            producer.sendSync(Message.of(topic, "k", "two"));
            recording.awaitCount(2, timeout());
            assertThat(dataValues(recording.received())).containsExactly("one", "two");
        }

        @Test
        @DisplayName("subscribe after close throws IllegalStateException")
        void subscribeAfterClose() {
            String topic = topic("subscribe-after-close", 1);
            Consumer consumer = consumer(group("subscribe-after-close"));
            consumer.close();

            assertThat(thrownWithin(() -> consumer.subscribe(List.of(topic), m -> { })))
                    .as("what subscribe after close() threw").isInstanceOf(IllegalStateException.class);
        }

        @Test
        @DisplayName("subscribe again after a subscribe ended by close throws IllegalStateException")
        void subscribeAfterSubscribeEnded() {
            String topic = topic("resubscribe", 1);
            producer().sendSync(Message.of(topic, "k", "v"));
            RecordingConsumer recording = record(consumer(group("resubscribe")), topic).awaitCount(1, timeout());
            recording.close();

            assertThat(thrownWithin(() -> recording.consumer().subscribe(List.of(topic), m -> { })))
                    .as("what subscribe after the ended one threw").isInstanceOf(IllegalStateException.class);
        }
    }

    // ------------------------------------------------------------------ offset reset

    @Nested
    @DisplayName("where a new group starts")
    class OffsetReset {

        @Test
        @DisplayName("earliest: a new group gets the messages sent before it joined")
        void earliestReadsHistory() {
            String topic = topic("earliest", 2);
            List<String> sent = sendData(producer(), topic, "history", 10, 4);

            RecordingConsumer consumer = record(consumer(group("earliest"), c -> c.autoOffsetReset("earliest")), topic)
                    .awaitCount(10, timeout());

            assertThat(dataValues(consumer.received())).containsExactlyInAnyOrderElementsOf(sent);
        }

        @Test
        @DisplayName("latest: a new group skips the messages sent before it joined and gets those sent after")
        void latestSkipsHistory() {
            String topic = topic("latest", 3);
            Producer producer = producer();
            sendData(producer, topic, "old", 10, 5);
            RecordingConsumer consumer = record(consumer(group("latest"), c -> c.autoOffsetReset("latest")), topic);
            awaitDrained(producer, topic, 3, consumer::received);

            List<String> fresh = sendData(producer, topic, "new", 10, 5);
            consumer.awaitReceived("the 10 new messages", got -> dataValues(got).containsAll(fresh), timeout());
            awaitDrained(producer, topic, 3, consumer::received);

            assertThat(dataValues(consumer.received())).containsExactlyInAnyOrderElementsOf(fresh);
        }

        @Test
        @DisplayName("latest applies only without a committed offset: a returning group resumes where it left off")
        void latestDoesNotSkipCommitted() {
            String topic = topic("latest-resume", 2);
            String group = group("latest-resume");
            Producer producer = producer();
            RecordingConsumer first = record(consumer(group, c -> c.autoOffsetReset("latest")), topic);
            awaitDrained(producer, topic, 2, first::received);
            List<String> before = sendData(producer, topic, "first", 5, 3);
            first.awaitReceived("the first 5", got -> dataValues(got).containsAll(before), timeout());
            first.close();

            List<String> whileAway = sendData(producer, topic, "away", 5, 3);
            RecordingConsumer second = record(consumer(group, c -> c.autoOffsetReset("latest")), topic)
                    .awaitReceived("the 5 sent while the group was away", got -> dataValues(got).containsAll(whileAway),
                            timeout());
            awaitDrained(producer, topic, 2, second::received);

            assertThat(dataValues(second.received())).containsExactlyInAnyOrderElementsOf(whileAway);
        }
    }

    // ------------------------------------------------------------------ trace id

    @Nested
    @DisplayName("trace id")
    class TraceId {

        @BeforeEach
        void needsAnMdc() {
            requireWorkingMdc();
        }

        @Test
        @DisplayName("the MDC's trace_id at send becomes the message's trace_id header, for send and sendSync")
        void mdcBecomesHeader() {
            String topic = topic("trace-out", 1);
            Producer producer = producer();
            Message async = Message.of(topic, "k", "async");
            try {
                MDC.put("trace_id", "trace-async");
                producer.send(async, ignoreOutcome());
                MDC.put("trace_id", "trace-sync");
                producer.sendSync(Message.of(topic, "k", "sync"));
                MDC.remove("trace_id");
                producer.sendSync(Message.of(topic, "k", "untraced"));
            } finally {
                MDC.remove("trace_id");
            }

            List<Message> got = record(consumer(group("trace-out")), topic).awaitCount(3, timeout()).received();

            assertThat(got).extracting(Message::valueAsString).containsExactly("async", "sync", "untraced");
            assertThat(got).extracting(Message::traceId).containsExactly("trace-async", "trace-sync", null);
            assertThat(async.traceId()).as("the caller's message is not changed").isNull();
        }

        @Test
        @DisplayName("an explicit trace_id header is not replaced by the MDC's, for send and sendSync, nor one set to null")
        void explicitHeaderWins() {
            String topic = topic("trace-explicit", 1);
            Producer producer = producer();
            try {
                MDC.put("trace_id", "from-mdc");
                producer.send(Message.builder(topic).key("k").value("async").header("trace_id", "explicit-async").build(),
                        ignoreOutcome());
                producer.sendSync(Message.builder(topic).key("k").value("sync").header("trace_id", "explicit-sync").build());
                producer.sendSync(Message.builder(topic).key("k").value("none").header("trace_id", (byte[]) null).build());
            } finally {
                MDC.remove("trace_id");
            }

            List<Message> got = record(consumer(group("trace-explicit")), topic).awaitCount(3, timeout()).received();

            assertThat(got).extracting(Message::valueAsString).containsExactly("async", "sync", "none");
            assertThat(got).extracting(Message::traceId).containsExactly("explicit-async", "explicit-sync", null);
            assertThat(got.get(2).headers()).as("headers of the message sent with a null trace_id").containsKey("trace_id");
        }

        @Test
        @DisplayName("during the callback the MDC holds the message's trace_id (none when it has none, also after a"
                + " callback that threw), and the subscriber's MDC is restored after")
        void headerBecomesMdcDuringTheCallback() {
            String topic = topic("trace-in", 1);
            Producer producer = producer();
            producer.sendSync(Message.builder(topic).key("k").value("first").header("trace_id", "trace-1").build());
            producer.sendSync(Message.builder(topic).key("k").value("throws").header("trace_id", "trace-2").build());
            producer.sendSync(Message.of(topic, "k", "untraced"));
            producer.sendSync(Message.builder(topic).key("k").value("third").header("trace_id", "trace-3").build());
            MdcRun run = subscribeWithOwnMdc(consumer(group("trace-in")), topic, 4, m -> {
                if ("throws".equals(m.valueAsString())) {
                    throw new IllegalStateException("a callback that throws (expected by the contract suite)");
                }
            });

            assertThat(run.seen()).containsExactly("first=trace-1/kept", "throws=trace-2/kept", "untraced=null/kept",
                    "third=trace-3/kept");
            run.assertSubscriberMdcKept();
        }
    }

    // ------------------------------------------------------------------ bad input

    @Nested
    @DisplayName("bad input")
    class BadInput {

        @Test
        @DisplayName("send rejects a null message at once, naming it")
        void sendNullMessage() {
            assertThatThrownBy(() -> producer().send(null, ignoreOutcome()))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("message");
        }

        @Test
        @DisplayName("send rejects a null callback at once, naming it, and sends nothing")
        void sendNullCallback() {
            String topic = topic("null-callback", 1);
            Producer producer = producer();
            assertThatThrownBy(() -> producer.send(Message.of(topic, "k", "ghost"), null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("callback");

            producer.sendSync(Message.of(topic, "k", "real"));
            RecordingConsumer consumer = record(consumer(group("null-callback")), topic);
            awaitDrained(producer, topic, 1, consumer::received);
            assertThat(dataValues(consumer.received())).containsExactly("real");
        }

        @Test
        @DisplayName("sendSync rejects a null message at once, naming it")
        void sendSyncNullMessage() {
            assertThatThrownBy(() -> producer().sendSync(null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("message");
        }

        @Test
        @DisplayName("subscribe rejects a null topic list at once, naming it")
        void subscribeNullTopics() {
            Consumer consumer = consumer(group("bad"));
            assertThat(thrownWithin(() -> consumer.subscribe(null, m -> { })))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("topics");
        }

        @Test
        @DisplayName("subscribe rejects an empty topic list at once, naming it")
        void subscribeEmptyTopics() {
            Consumer consumer = consumer(group("bad"));
            assertThat(thrownWithin(() -> consumer.subscribe(List.of(), m -> { })))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topics");
        }

        @Test
        @DisplayName("subscribe rejects a null topic in the list at once, naming it")
        void subscribeNullTopicInList() {
            Consumer consumer = consumer(group("bad"));
            assertThat(thrownWithin(() -> consumer.subscribe(Arrays.asList("fine", null), m -> { })))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("topics");
        }

        @Test
        @DisplayName("subscribe rejects a blank topic in the list at once, naming it")
        void subscribeBlankTopicInList() {
            Consumer consumer = consumer(group("bad"));
            assertThat(thrownWithin(() -> consumer.subscribe(List.of("fine", "  "), m -> { })))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topics");
        }

        @Test
        @DisplayName("subscribe rejects a null callback at once, naming it")
        void subscribeNullCallback() {
            Consumer consumer = consumer(group("bad"));
            assertThat(thrownWithin(() -> consumer.subscribe(List.of("fine"), null)))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("callback");
        }
    }

    // ------------------------------------------------------------------ crash

    @Nested
    @DisplayName("crash")
    class Crash {

        @BeforeEach
        void needsCrash() {
            requireCrash();
        }

        @Test
        @DisplayName("after a crash before any commit, the next member gets everything again, including what the"
                + " crashed member processed, and the crashed member gets nothing more")
        void crashBeforeCommitRedelivers() {
            String topic = topic("crash", 3);
            String group = group("crash");
            Producer producer = producer();
            List<String> sent = new ArrayList<>(sendData(producer, topic, "early", 10, 5));
            RecordingConsumer crashed = record(consumer(group, c -> c.autoCommitIntervalMs((int) NEVER_MS)), topic)
                    .awaitCount(10, timeout());

            fixture().crash(crashed.consumer());
            crashed.awaitTermination(timeout());
            List<String> processedBeforeCrash = dataValues(crashed.received());
            sent.addAll(sendData(producer, topic, "late", 20, 5));

            RecordingConsumer next = record(consumer(group), topic);
            next.awaitReceived("every message sent", got -> dataValues(got).containsAll(sent), timeout());
            assertThat(dataValues(next.received())).as("redelivered after the crash").containsAll(processedBeforeCrash);
            assertThat(dataValues(crashed.received())).as("messages handled by the crashed member")
                    .isEqualTo(processedBeforeCrash).hasSize(10);
        }

        @Test
        @DisplayName("processed offsets are committed every autoCommitIntervalMs, not only on close or revocation:"
                + " after a crash the next member does not get again what was processed an interval before")
        void intervalCommitSurvivesACrash() {
            String topic = topic("interval", 1);
            String group = group("interval");
            Producer producer = producer();
            List<String> before = sendData(producer, topic, "before-crash", 10, 2);
            RecordingConsumer crashed = record(consumer(group), topic).awaitCount(10, timeout());
            awaitIntervalCommit(producer, topic, crashed);

            fixture().crash(crashed.consumer());
            crashed.awaitTermination(timeout());
            List<String> after = sendData(producer, topic, "after-crash", 5, 2);

            RecordingConsumer next = record(consumer(group), topic)
                    .awaitReceived("the messages sent after the crash", got -> dataValues(got).containsAll(after), timeout());
            awaitDrained(producer, topic, 1, next::received);
            assertThat(dataValues(crashed.received())).as("handled by the crashed member").isEqualTo(before);
            assertThat(dataValues(next.received())).as("what the next member gets").containsExactlyElementsOf(after);
        }

        @Test
        @DisplayName("a member that crashes mid-stream loses nothing: the rest of its partitions go to the survivor")
        void crashMidStreamLosesNothing() {
            String topic = topic("crash-mid", 4);
            String group = group("crash-mid");
            Producer producer = producer();
            CountDownLatch stuck = new CountDownLatch(1);
            CountDownLatch release = gate();
            AtomicInteger handled = new AtomicInteger();
            RecordingConsumer victim = record(consumer(group), List.of(topic), message -> {
                if (isData(message) && handled.incrementAndGet() == 20) {
                    stuck.countDown();
                    release.await(timeout().toMillis(), TimeUnit.MILLISECONDS);
                }
            });
            RecordingConsumer survivor = record(consumer(group), topic);
            awaitEveryMemberAssigned(producer, topic, List.of(victim, survivor));

            List<String> sent = new ArrayList<>(sendData(producer, topic, "before-crash", 150, 40));
            awaitLatch(stuck, "the victim to handle 20 messages");
            crashWhileBlocked(victim, release);
            sent.addAll(sendData(producer, topic, "after-crash", 150, 40));

            List<RecordingConsumer> both = List.of(victim, survivor);
            await("every message at least once").until(() -> new HashSet<>(dataValues(all(both))).containsAll(sent));
        }
    }

    // ------------------------------------------------------------------ rebalance

    @Nested
    @DisplayName("rebalance")
    class Rebalance {

        @Test
        @DisplayName("members joining and leaving while messages flow lose nothing, and first deliveries keep per-key order")
        void churnLosesNothing() {
            assertChurnLosesNothing("churn", c -> { });
        }

        @Test
        @DisplayName("a member joining takes over partitions where their owner stopped: nothing repeated,"
                + " even before the commit interval elapsed")
        void joinTakesOverWithoutRepeats() {
            String topic = topic("join", 4);
            String group = group("join");
            Producer producer = producer();
            RecordingConsumer first = record(consumer(group, c -> c.autoCommitIntervalMs((int) NEVER_MS)), topic);
            List<String> sent = new ArrayList<>(sendData(producer, topic, "before-join", 100, 30));
            first.awaitReceived("the first 100", got -> dataValues(got).size() >= 100, timeout());
            RecordingConsumer joining = record(consumer(group, c -> c.autoCommitIntervalMs((int) NEVER_MS)), topic);
            List<RecordingConsumer> both = List.of(first, joining);
            awaitEveryMemberAssigned(producer, topic, both);

            sent.addAll(sendData(producer, topic, "after-join", 100, 30));
            await("all 200").until(() -> new HashSet<>(dataValues(all(both))).containsAll(sent));
            awaitDrained(producer, topic, 4, () -> all(both));

            assertThat(dataValues(all(both))).as("no message repeated").doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(sent);
        }

        @Test
        @DisplayName("a member leaving cleanly hands its partitions to the others: nothing lost, nothing repeated")
        void cleanLeaveHandsOver() {
            String topic = topic("leave", 4);
            String group = group("leave");
            Producer producer = producer();
            RecordingConsumer leaving = record(consumer(group), topic);
            RecordingConsumer staying = record(consumer(group), topic);
            List<RecordingConsumer> both = List.of(leaving, staying);
            awaitEveryMemberAssigned(producer, topic, both);

            List<String> sent = new ArrayList<>(sendData(producer, topic, "before-leave", 100, 30));
            await("the first 100").until(() -> dataValues(all(both)).size() >= 100);
            leaving.close();
            sent.addAll(sendData(producer, topic, "after-leave", 100, 30));
            await("all 200").until(() -> new HashSet<>(dataValues(all(both))).containsAll(sent));
            awaitDrained(producer, topic, 4, staying::received);

            assertThat(dataValues(all(both))).as("no message repeated").doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(sent);
        }
    }

    // ------------------------------------------------------------------ broker restart

    @Nested
    @DisplayName("broker restart")
    class BrokerRestart {

        @BeforeEach
        void needsRestart() {
            assumeTrue(fixture().capabilities().contains(Capability.BROKER_RESTART),
                    () -> fixture().transport() + " fixture cannot inject Capability.BROKER_RESTART");
        }

        @Test
        @DisplayName("nothing acknowledged before, during or after a broker restart is lost, and the consumer carries on")
        void restartLosesNothingAcknowledged() {
            String topic = topic("restart", 2);
            Producer producer = producer();
            RecordingConsumer consumer = record(consumer(group("restart")), topic);
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 10; i++) {
                producer.sendSync(Message.of(topic, "k" + i, "before-" + i));
                acknowledged.add("before-" + i);
            }
            consumer.awaitCount(10, timeout());

            Background restarter = background("restarter", () -> fixture().restartBroker());
            // for as long as the restart lasts, so that some sends meet the broker down whatever the timing
            for (int i = 0; restarter.isAlive(); i++) {
                String value = "during-" + i;
                Message message = Message.of(topic, "k" + i % 10, value);
                if (i % 2 == 0) {
                    producer.send(message, error -> {
                        if (error == null) {
                            acknowledged.add(value);
                        }
                    });
                } else {
                    try {
                        producer.sendSync(message);
                        acknowledged.add(value);
                    } catch (MqException notAcknowledged) {
                        // not acknowledged, so the contract makes no promise about it
                    }
                }
            }
            restarter.join(timeout().multipliedBy(2));
            for (int i = 0; i < 10; i++) {
                producer.sendSync(Message.of(topic, "k" + i, "after-" + i));
                acknowledged.add("after-" + i);
            }
            producer.close();

            consumer.awaitReceived("every acknowledged message",
                    got -> new HashSet<>(dataValues(got)).containsAll(acknowledged), timeout().multipliedBy(2));
            assertThat(consumer.isRunning()).as("subscribe keeps running through a broker restart").isTrue();
        }
    }

    // ------------------------------------------------------------------ stress

    @Nested
    @DisplayName("stress")
    class Stress {

        @Test
        @DisplayName("3000 messages from 20 threads on 4 producers reach a group of 4 exactly once, in per-key order")
        void manyProducersManyMembers() {
            String topic = topic("stress", 6);
            String group = group("stress");
            List<Message> log = Collections.synchronizedList(new ArrayList<>());
            List<RecordingConsumer> members = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                members.add(record(consumer(group), List.of(topic), appendTo(log)));
            }
            List<Producer> producers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                producers.add(producer());
            }
            awaitEveryMemberAssigned(producers.get(0), topic, members);

            int threads = 20;
            int perThread = 150;
            Set<String> failed = ConcurrentHashMap.newKeySet();
            AtomicInteger succeeded = new AtomicInteger();
            List<Background> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Producer producer = producers.get(t % producers.size());
                senders.add(background("stress-" + t, () -> {
                    for (int i = 0; i < perThread; i++) {
                        String value = "s" + thread + "/" + i;
                        producer.send(Message.of(topic, "stress-key-" + thread, value), error -> {
                            if (error == null) {
                                succeeded.incrementAndGet();
                            } else {
                                failed.add(value);
                            }
                        });
                    }
                }));
            }
            for (Background sender : senders) {
                sender.join(timeout());
            }
            await("every send acknowledged").until(() -> succeeded.get() + failed.size() == threads * perThread);
            assertThat(failed).as("failed sends in a clean run").isEmpty();
            await("3000 messages").until(() -> dataOf(snapshot(log)).size() >= threads * perThread);
            awaitDrained(producers.get(1), topic, 6, () -> snapshot(log));

            List<Message> data = dataOf(snapshot(log));
            List<String> values = data.stream().map(Message::valueAsString).collect(Collectors.toList());
            assertThat(values).as("no duplicates in a clean run").doesNotHaveDuplicates().hasSize(threads * perThread);
            for (int t = 0; t < threads; t++) {
                String key = "stress-key-" + t;
                List<Integer> order = data.stream().filter(m -> key.equals(m.keyAsString()))
                        .map(m -> Integer.parseInt(m.valueAsString().substring(m.valueAsString().indexOf('/') + 1)))
                        .collect(Collectors.toList());
                assertThat(order).as("order of %s", key).isSorted().hasSize(perThread);
            }
        }
    }

    // ------------------------------------------------------------------ parallel consumption

    @Nested
    @DisplayName("retry and dead letter")
    class RetryAndDeadLetter {
        /** The group of the last {@link #retryingConsumer}: what its dead letters must name. */
        private String lastGroup;

        @Test
        @DisplayName("a callback failing twice, then succeeding, is called three times and its message is not"
                + " dead-lettered; the next message of its key comes after it")
        void retriedUntilItSucceeds() {
            String topic = topic("retry-ok", 1);
            String deadLetters = deadLetterTopic(topic);
            Producer producer = producer();
            producer.sendSync(Message.of(topic, "user-1", "flaky"));
            producer.sendSync(Message.of(topic, "user-1", "after"));
            List<String> calls = new CopyOnWriteArrayList<>();
            record(retryingConsumer(group("retry-ok"), 3, 10), List.of(topic), message -> {
                calls.add(message.valueAsString());
                if ("flaky".equals(message.valueAsString()) && calls.size() < 3) {
                    throw new IllegalStateException("downstream away (test)");
                }
            });
            await("the message after the flaky one").until(() -> calls.contains("after"));
            assertThat(calls).as("callbacks in order: three attempts of the flaky message, then the next one of its key")
                    .containsExactly("flaky", "flaky", "flaky", "after");
            assertThat(deadLettersBefore(deadLetters, "retry-ok")).as("dead letters of a message that succeeded").isEmpty();
        }

        @Test
        @DisplayName("a callback that always fails is called maxAttempts times, then its message reaches the dead-letter"
                + " topic exactly once, with key, value, headers, trace_id and every provenance header")
        void alwaysFailingIsDeadLetteredOnce() {
            String topic = topic("retry-dlt", 2);
            String deadLetters = deadLetterTopic(topic);
            Message sent = Message.builder(topic).key("user-7").value("poison").header("h", "v")
                    .header("trace_id", "trace-poison").build();
            producer().sendSync(sent);
            producer().sendSync(Message.of(topic, "user-7", "after"));
            List<Message> calls = new CopyOnWriteArrayList<>();
            record(retryingConsumer(group("retry-dlt"), 3, 10), List.of(topic), message -> {
                calls.add(message);
                if ("poison".equals(message.valueAsString())) {
                    throw new IllegalStateException("cannot handle poison (test)");
                }
            });
            await("the message after the poison one").until(() -> calls.stream().anyMatch(m -> "after".equals(m.valueAsString())));
            Message failed = calls.get(0);
            assertThat(calls).extracting(Message::valueAsString).as("attempts, then the next message of the key")
                    .containsExactly("poison", "poison", "poison", "after");

            List<Message> letters = deadLettersBefore(deadLetters, "retry-dlt");
            assertThat(letters).as("dead letters of the poison message").hasSize(1);
            Message letter = letters.get(0);
            assertThat(letter.keyAsString()).as("key of the dead letter").isEqualTo("user-7");
            assertThat(letter.valueAsString()).as("value of the dead letter").isEqualTo("poison");
            assertThat(letter.headerAsString("h")).as("the message's own header").isEqualTo("v");
            assertThat(letter.traceId()).as("trace_id").isEqualTo("trace-poison");
            assertThat(letter.headerAsString(DeadLetterHeaders.ORIGINAL_TOPIC))
                    .as(DeadLetterHeaders.ORIGINAL_TOPIC).isEqualTo(topic);
            assertThat(letter.headerAsString(DeadLetterHeaders.ORIGINAL_PARTITION))
                    .as(DeadLetterHeaders.ORIGINAL_PARTITION).isEqualTo(Integer.toString(failed.partition()));
            assertThat(letter.headerAsString(DeadLetterHeaders.ORIGINAL_OFFSET))
                    .as(DeadLetterHeaders.ORIGINAL_OFFSET).isEqualTo(Long.toString(failed.offset()));
            assertThat(letter.headerAsString(DeadLetterHeaders.ORIGINAL_TIMESTAMP))
                    .as(DeadLetterHeaders.ORIGINAL_TIMESTAMP).isEqualTo(Long.toString(failed.timestamp()));
            assertThat(letter.headerAsString(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP))
                    .as(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP).isEqualTo(lastGroup);
            assertThat(letter.headerAsString(DeadLetterHeaders.ATTEMPTS)).as(DeadLetterHeaders.ATTEMPTS).isEqualTo("3");
            assertThat(letter.headerAsString(DeadLetterHeaders.EXCEPTION_CLASS))
                    .as(DeadLetterHeaders.EXCEPTION_CLASS).isEqualTo(IllegalStateException.class.getName());
            assertThat(letter.headerAsString(DeadLetterHeaders.EXCEPTION_MESSAGE))
                    .as(DeadLetterHeaders.EXCEPTION_MESSAGE).isEqualTo("cannot handle poison (test)");
            assertThat(letter.headerAsString(DeadLetterHeaders.EXCEPTION_STACK_TRACE))
                    .as(DeadLetterHeaders.EXCEPTION_STACK_TRACE)
                    .startsWith(IllegalStateException.class.getName() + ": cannot handle poison (test)")
                    .hasSizeLessThanOrEqualTo(DeadLetterHeaders.MAX_STACK_TRACE);
        }

        @Test
        @DisplayName("a PermanentFailureException is not retried: one call, then straight to the dead-letter topic")
        void permanentFailureIsNotRetried() {
            String topic = topic("retry-permanent", 1);
            String deadLetters = deadLetterTopic(topic);
            producer().sendSync(Message.of(topic, "user-3", "malformed"));
            producer().sendSync(Message.of(topic, "user-3", "after"));
            List<String> calls = new CopyOnWriteArrayList<>();
            record(retryingConsumer(group("retry-permanent"), 5, 10), List.of(topic), message -> {
                calls.add(message.valueAsString());
                if ("malformed".equals(message.valueAsString())) {
                    throw new IllegalArgumentException("bad payload",
                            new PermanentFailureException("can never be parsed (test)"));
                }
            });
            await("the message after the malformed one").until(() -> calls.contains("after"));
            assertThat(calls).as("callbacks").containsExactly("malformed", "after");
            List<Message> letters = deadLettersBefore(deadLetters, "retry-permanent");
            assertThat(letters).extracting(Message::valueAsString).containsExactly("malformed");
            assertThat(letters.get(0).headerAsString(DeadLetterHeaders.ATTEMPTS))
                    .as(DeadLetterHeaders.ATTEMPTS).isEqualTo("1");
        }

        @Test
        @DisplayName("while one key waits for its retry, the other keys of its partition are handled; close() during"
                + " the backoff returns at once and leaves the message to the next member")
        void otherKeysGoOnDuringBackoff() {
            String topic = topic("retry-others", 1);
            deadLetterTopic(topic);
            Producer producer = producer();
            producer.sendSync(Message.of(topic, "stuck", "stuck"));
            List<String> others = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                others.add("other-" + i);
                producer.sendSync(Message.of(topic, "key-" + i, "other-" + i));
            }
            String group = group("retry-others");
            List<String> calls = new CopyOnWriteArrayList<>();
            // a backoff far beyond the test's own time: the other keys cannot be waiting for it
            int backoffMs = (int) timeout().toMillis() * 4;
            RecordingConsumer first = record(retryingConsumer(group, 3, backoffMs), List.of(topic), message -> {
                calls.add(message.valueAsString());
                if ("stuck".equals(message.valueAsString())) {
                    throw new IllegalStateException("downstream away (test)");
                }
            });
            await("the other keys' messages").until(() -> calls.containsAll(others));
            assertThat(calls).as("attempts of the stuck message while the others ran").containsOnlyOnce("stuck");

            long start = System.nanoTime();
            first.close(timeout());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("close during a backoff of " + backoffMs + " ms")
                    .isLessThan(timeout());
            RecordingConsumer next = record(consumer(group), topic);
            next.awaitReceived("the stuck message again", got -> got.stream().anyMatch(m -> "stuck".equals(m.valueAsString())),
                    timeout());
        }

        @Test
        @DisplayName("a dead letter dead-lettered again carries one set of provenance headers, the latest: it does not"
                + " grow")
        void deadLetterHeadersDoNotGrow() {
            String topic = topic("retry-regrow", 1);
            String deadLetters = deadLetterTopic(topic);
            producer().sendSync(Message.of(topic, "user-9", "poison"));
            record(retryingConsumer(group("retry-regrow"), 1, 0), List.of(topic), message -> {
                throw new IllegalStateException("always (test)");
            });
            Message once = awaitDeadLetters(deadLetters, "retry-regrow-1", 1).get(0);
            // the dead letter, provenance and all, back on the topic: it fails again
            producer().sendSync(Message.builder(topic).key(once.key()).value(once.value()).headers(once.headers()).build());
            Message twice = awaitDeadLetters(deadLetters, "retry-regrow-2", 2).get(1);

            assertThat(twice.headers().keySet()).as("header names after two dead-letterings")
                    .containsExactlyInAnyOrderElementsOf(once.headers().keySet());
            assertThat(twice.headerAsString(DeadLetterHeaders.ORIGINAL_OFFSET)).as("the latest provenance")
                    .isEqualTo("1");
            assertThat(headerBytes(twice)).as("header bytes after two dead-letterings vs one")
                    .isLessThanOrEqualTo(headerBytes(once) + 8);
        }

        /** A consumer at concurrency {@value #CONCURRENCY} that tries each message {@code attempts} times, dead-lettering to {@code <topic>.dlt}. */
        private Consumer retryingConsumer(String group, int attempts, int backoffMs) {
            lastGroup = group;
            return parallelConsumer(group, c -> c.retryMaxAttempts(attempts).retryBackoffMs(backoffMs)
                    .retryMaxBackoffMs(backoffMs).deadLetterTopic("{topic}.dlt"));
        }

        private String deadLetterTopic(String topic) {
            String name = topic + ".dlt";
            admin().createTopic(name, 1, 1);
            return name;
        }

        /**
         * What {@code deadLetters} holds before a marker this sends now: everything dead-lettered so
         * far, read by a new group from the start.
         */
        private List<Message> deadLettersBefore(String deadLetters, String purpose) {
            String marker = "marker-" + UUID.randomUUID();
            producer().sendSync(Message.of(deadLetters, "marker", marker));
            RecordingConsumer reader = record(consumer(group(purpose + "-reader")), deadLetters);
            reader.awaitReceived("the marker", got -> got.stream().anyMatch(m -> marker.equals(m.valueAsString())), timeout());
            List<Message> before = new ArrayList<>();
            for (Message m : reader.received()) {
                if (marker.equals(m.valueAsString())) {
                    break;
                }
                before.add(m);
            }
            return before;
        }

        private List<Message> awaitDeadLetters(String deadLetters, String purpose, int count) {
            RecordingConsumer reader = record(consumer(group(purpose + "-reader")), deadLetters);
            reader.awaitCount(count, timeout());
            return reader.received();
        }

        private int headerBytes(Message m) {
            int n = 0;
            for (Map.Entry<String, byte[]> h : m.headers().entrySet()) {
                n += h.getKey().length() + (h.getValue() == null ? 0 : h.getValue().length);
            }
            return n;
        }
    }

    @Nested
    @DisplayName("parallel consumption")
    class ParallelConsumption {

        @Test
        @DisplayName("at concurrency 8, 3000 messages of 200 keys under random callback delays: each key's callbacks"
                + " return in send order, and every message is handled exactly once")
        void parallelPerKeyOrder() {
            String topic = topic("par-order", 4);
            int count = 3000;
            List<String> sent = sendData(producer(), topic, "par-order", count, 200);
            List<Message> returned = Collections.synchronizedList(new ArrayList<>());
            RecordingConsumer recording = record(parallelConsumer(group("par-order"), c -> { }), List.of(topic), message -> {
                // 0-199 µs of work, the same for a message in every run
                LockSupport.parkNanos(Math.floorMod(message.valueAsString().hashCode(), 200) * 1_000L);
                returned.add(message);
            });
            await(count + " callbacks to return").until(() -> returned.size() >= count);
            recording.close(timeout());

            List<Message> data = dataOf(snapshot(returned));
            assertThat(dataValues(data)).as("handled in a clean run").containsExactlyInAnyOrderElementsOf(sent);
            Map<String, List<Integer>> perKey = new LinkedHashMap<>();
            for (Message m : data) {
                String value = m.valueAsString();
                perKey.computeIfAbsent(m.keyAsString(), k -> new ArrayList<>())
                        .add(Integer.parseInt(value.substring(value.lastIndexOf('-') + 1)));
            }
            assertThat(perKey).hasSize(200).allSatisfy((key, order) ->
                    assertThat(order).as("send numbers of %s in the order its callbacks returned", key).isSorted());
        }

        @Test
        @DisplayName("callbacks of two keys of one partition run at the same time: the first key's waits for a latch"
                + " that only the second key's opens")
        void differentKeysRunAtOnce() {
            String topic = topic("par-overlap", 1);
            Producer producer = producer();
            producer.sendSync(Message.of(topic, "first", "first"));
            producer.sendSync(Message.of(topic, "second", "second"));
            CountDownLatch openedBySecond = gate();
            CountDownLatch firstReturned = new CountDownLatch(1);
            AtomicBoolean sawSecond = new AtomicBoolean();
            record(parallelConsumer(group("par-overlap"), c -> { }), List.of(topic), message -> {
                if ("first".equals(message.valueAsString())) {
                    sawSecond.set(openedBySecond.await(timeout().toMillis() / 2, TimeUnit.MILLISECONDS));
                    firstReturned.countDown();
                } else if ("second".equals(message.valueAsString())) {
                    openedBySecond.countDown();
                }
            });

            awaitLatch(firstReturned, "the first key's callback to return");
            assertThat(sawSecond.get()).as("the second key's callback ran while the first key's waited for it").isTrue();
        }

        @Test
        @DisplayName("callbacks of one key never run at the same time: six keys' first callbacks wait until all six run,"
                + " and meanwhile no later callback of their keys starts")
        void sameKeyNeverOverlaps() {
            String topic = topic("par-same-key", 1);
            Producer producer = producer();
            int keys = 6;
            int perKey = 5;
            for (int k = 0; k < keys; k++) {
                for (int i = 0; i < perKey; i++) {
                    producer.send(Message.of(topic, "key-" + k, "key-" + k + "/" + i), ignoreOutcome());
                }
            }
            producer.close();
            CountDownLatch firsts = new CountDownLatch(keys);
            AtomicBoolean firstsTogether = new AtomicBoolean(true);
            Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
            Map<String, Integer> most = new ConcurrentHashMap<>();
            AtomicInteger returned = new AtomicInteger();
            record(parallelConsumer(group("par-same-key"), c -> { }), List.of(topic), message -> {
                AtomicInteger now = running.computeIfAbsent(message.keyAsString(), k -> new AtomicInteger());
                most.merge(message.keyAsString(), now.incrementAndGet(), Math::max);
                if (message.valueAsString().endsWith("/0")) {
                    firsts.countDown();
                    if (!firsts.await(timeout().toMillis() / 2, TimeUnit.MILLISECONDS)) {
                        firstsTogether.set(false);
                    }
                }
                now.decrementAndGet();
                returned.incrementAndGet();
            });

            await("all " + keys * perKey + " callbacks to return").until(() -> returned.get() >= keys * perKey);
            assertThat(firstsTogether.get()).as("the first callbacks of the %d keys ran at the same time", keys).isTrue();
            assertThat(most).as("most callbacks of each key running at once").hasSize(keys)
                    .allSatisfy((key, n) -> assertThat(n).as("callbacks of %s at once", key).isEqualTo(1));
        }

        @Test
        @DisplayName("a slow message at offset 5 holds the committed position at 5 while the 14 after it finish: after"
                + " a crash the next member gets exactly the messages from offset 5 on")
        void slowMessageHoldsTheCommit() {
            requireCrash();
            String topic = topic("par-slow", 1);
            String group = group("par-slow");
            Producer producer = producer();
            List<String> sent = sendData(producer, topic, "par-slow", 20, 20);
            String slow = sent.get(5);
            CountDownLatch release = gate();
            Set<String> finished = ConcurrentHashMap.newKeySet();
            RecordingConsumer victim = record(parallelConsumer(group, c -> { }), List.of(topic), message -> {
                if (slow.equals(message.valueAsString())) {
                    release.await(timeout().toMillis(), TimeUnit.MILLISECONDS);
                    return; // released only after the crash
                }
                finished.add(message.valueAsString());
            });
            List<String> others = new ArrayList<>(sent);
            others.remove(slow);
            await("the 19 other messages to finish while the slow one runs")
                    .until(() -> finished.containsAll(others) && dataValues(victim.received()).contains(slow));
            awaitIntervalCommit(producer, topic, victim);

            crashWhileBlocked(victim, release);
            RecordingConsumer next = record(consumer(group), topic).awaitReceived("the messages from offset 5 on",
                    got -> dataValues(got).containsAll(sent.subList(5, 20)), timeout());
            awaitDrained(producer, topic, 1, next::received);
            assertThat(dataValues(next.received())).as("what the next member gets: from the slow message on")
                    .containsExactlyElementsOf(sent.subList(5, 20));
        }

        @Test
        @DisplayName("a key that never finishes holds its partition at maxPendingPerPartition (20) started messages,"
                + " while the other partition goes on; once it returns, its partition goes on too")
        void stuckKeyHoldsOnlyItsPartition() {
            String topic = topic("par-window", 2);
            Producer producer = producer();
            List<String> held = sendToPartition(producer, topic, 2, 0, "par-window-held", 100);
            String stuck = held.get(0);
            CountDownLatch release = gate();
            AtomicInteger startedHeld = new AtomicInteger();
            Set<String> finished = ConcurrentHashMap.newKeySet();
            record(parallelConsumer(group("par-window"), c -> c.maxPendingPerPartition(WINDOW)), List.of(topic),
                    message -> {
                        if (held.contains(message.valueAsString())) {
                            startedHeld.incrementAndGet();
                        }
                        if (stuck.equals(message.valueAsString())) {
                            release.await(timeout().toMillis(), TimeUnit.MILLISECONDS);
                        }
                        finished.add(message.valueAsString());
                    });
            await("the stuck message's partition to fill its window: the 19 after it finished")
                    .until(() -> finished.containsAll(held.subList(1, WINDOW)));

            List<String> other = sendToPartition(producer, topic, 2, 1, "par-window-other", 100);
            await("the other partition's 100 messages, sent while the first is held").until(() -> finished.containsAll(other));
            assertThat(startedHeld.get()).as("callbacks started on the held partition (maxPendingPerPartition %d)", WINDOW)
                    .isEqualTo(WINDOW);
            release.countDown();
            await("the held partition to go on once its key returned").until(() -> finished.containsAll(held));
        }

        @Test
        @DisplayName("close waits for the four callbacks in hand, commits them, and subscribe returns: the next member"
                + " gets none of them again")
        void parallelCloseWaitsAndCommits() {
            assertCloseWaitsForTheCallbacksInHand("par-close", 4, c -> c.concurrency(CONCURRENCY));
        }

        @Test
        @DisplayName("a member that crashes while a callback runs, after later offsets of its partition finished and an"
                + " interval passed, loses nothing: the survivor gets every message the crashed one had not finished")
        void parallelCrashLosesNothing() {
            requireCrash();
            String topic = topic("par-crash", 2);
            String group = group("par-crash");
            Producer producer = producer();
            CountDownLatch release = gate();
            AtomicReference<Message> stuck = new AtomicReference<>();
            List<Message> finishedByVictim = Collections.synchronizedList(new ArrayList<>());
            RecordingConsumer victim = record(parallelConsumer(group, c -> { }), List.of(topic), message -> {
                if (isData(message) && stuck.compareAndSet(null, message)) {
                    release.await(timeout().toMillis(), TimeUnit.MILLISECONDS);
                    return; // released only after the crash: as if the process died in the callback
                }
                finishedByVictim.add(message);
            });
            RecordingConsumer survivor = record(parallelConsumer(group, c -> { }), List.of(topic), noop());
            awaitEveryMemberAssigned(producer, topic, List.of(victim, survivor));

            List<String> sent = new ArrayList<>(sendData(producer, topic, "par-crash", 200, 40));
            await("the victim to finish a later message of the stuck one's partition").until(() -> {
                Message s = stuck.get();
                return s != null && snapshot(finishedByVictim).stream()
                        .anyMatch(m -> isData(m) && m.partition() == s.partition() && m.offset() > s.offset());
            });
            awaitIntervalCommit(producer, topic, victim);
            crashWhileBlocked(victim, release);
            sent.addAll(sendData(producer, topic, "par-crash-after", 100, 40));

            await("every message finished at least once").until(() -> {
                Set<String> done = new HashSet<>(dataValues(snapshot(finishedByVictim)));
                done.addAll(dataValues(survivor.received()));
                return done.containsAll(sent);
            });
        }

        @Test
        @DisplayName("members at concurrency 8 joining and leaving while messages flow lose nothing, and first"
                + " deliveries keep per-key order")
        void parallelChurnLosesNothing() {
            assertChurnLosesNothing("par-churn", c -> c.concurrency(CONCURRENCY));
        }

        @Test
        @DisplayName("on the threads that run the callbacks the MDC holds each message's trace_id and nothing else's:"
                + " none for a message without one, also right after one with one; the subscriber's MDC is kept")
        void traceIdOnWorkerThreads() {
            requireWorkingMdc();
            String topic = topic("par-trace", 1);
            Producer producer = producer();
            MDC.remove("trace_id");
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                // per key: traced, untraced, traced, ...
                String traceId = i % 4 < 2 ? "trace-" + i : null;
                Message.Builder message = Message.builder(topic).key("key-" + i % 2).value("par-trace-" + i);
                if (traceId != null) {
                    message.header("trace_id", traceId);
                }
                producer.send(message.build(), ignoreOutcome());
                expected.add("par-trace-" + i + "=" + traceId);
            }
            producer.close();
            MdcRun run = subscribeWithOwnMdc(parallelConsumer(group("par-trace"), c -> { }), topic, 40, noop());

            // the subscriber's other MDC keys may or may not be on a worker: the contract is about trace_id
            assertThat(run.seen()).extracting(seen -> seen.substring(0, seen.lastIndexOf('/')))
                    .as("message=trace_id in the MDC during its callback").containsExactlyInAnyOrderElementsOf(expected);
            run.assertSubscriberMdcKept();
        }
    }

    // ================================================================== helpers

    /**
     * Whether the SLF4J MDC keeps what is put into it; package-private so that the kit's own tests
     * can play a no-op MDC.
     */
    boolean mdcWorks() {
        MDC.put("mq-contract-mdc-check", "on");
        try {
            return "on".equals(MDC.get("mq-contract-mdc-check"));
        } finally {
            MDC.remove("mq-contract-mdc-check");
        }
    }

    private Duration timeout() {
        return fixture().timeout();
    }

    private ConditionFactory await(String what) {
        return Awaitility.await(what).atMost(timeout()).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
    }

    private MqConfig baseConfig() {
        return fixture().config();
    }

    private Option[] options(MqConfig config, Option... extra) {
        Option[] options = Arrays.copyOf(extra, extra.length + 2);
        options[extra.length] = Option.withTransport(fixture().transport());
        options[extra.length + 1] = Option.withConfig(config);
        return options;
    }

    private Producer producer() {
        return clients.add(Mq.newProducer(SERVICE, options(baseConfig())));
    }

    private Consumer consumer(String group) {
        return consumer(group, c -> { });
    }

    /**
     * A consumer that starts at {@code earliest} and commits every {@value #COMMIT_INTERVAL_MS} ms
     * unless {@code tweak} says otherwise.
     */
    private Consumer consumer(String group, java.util.function.Consumer<ConsumerConfig.Builder> tweak, Option... extra) {
        MqConfig config = baseConfig().toBuilder()
                .consumer(c -> {
                    c.autoOffsetReset("earliest").autoCommitIntervalMs(COMMIT_INTERVAL_MS);
                    tweak.accept(c);
                })
                .build();
        return clients.add(Mq.newConsumer(SERVICE, group, options(config, extra)));
    }

    /** A consumer as {@link #consumer(String, java.util.function.Consumer, Option...)} makes, at {@value #CONCURRENCY} callbacks at once. */
    private Consumer parallelConsumer(String group, java.util.function.Consumer<ConsumerConfig.Builder> tweak) {
        return consumer(group, c -> tweak.accept(c.concurrency(CONCURRENCY)));
    }

    private AdminClient admin() {
        if (admin == null) {
            admin = clients.add(Mq.newAdminClient(SERVICE, options(baseConfig())));
        }
        return admin;
    }

    private String topic(String purpose, int partitions) {
        String topic = TestNames.topic(purpose);
        admin().createTopic(topic, partitions, 1);
        return topic;
    }

    private static String group(String purpose) {
        return TestNames.group(purpose);
    }

    private RecordingConsumer record(Consumer consumer, String topic) {
        return record(consumer, List.of(topic), noop());
    }

    private RecordingConsumer record(Consumer consumer, List<String> topics, ConsumeCallback then) {
        RecordingConsumer recording = RecordingConsumer.start(consumer, topics, then);
        clients.add(recording.toString(), () -> {
            consumer.close();
            recording.awaitTermination(timeout());
        });
        return recording;
    }

    /** A latch the test opens; opened at clean-up too, so a callback blocked on it cannot hang the suite. */
    private CountDownLatch gate() {
        CountDownLatch gate = new CountDownLatch(1);
        clients.add("open gate", gate::countDown);
        return gate;
    }

    private Background background(String name, ThrowingRunnable body) {
        Background background = new Background(name, body);
        clients.add("thread " + name, () -> background.join(timeout()));
        return background;
    }

    /** Runs {@code action} on another thread and returns what it threw (null if nothing), failing if it blocks. */
    private Throwable thrownWithin(ThrowingRunnable action) {
        Background call = background("call", action);
        try {
            call.thread.join(timeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (call.thread.isAlive()) {
            fail("the call did not return within " + timeout() + "; it should have failed at once");
        }
        return call.failure.get();
    }

    private void awaitLatch(CountDownLatch latch, String what) {
        try {
            if (!latch.await(timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                fail("waited " + timeout() + " for " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while waiting for " + what);
        }
    }

    /** What {@link #subscribeWithOwnMdc} saw. */
    private record MdcRun(List<String> seen, String traceAfter, String otherAfter) {
        void assertSubscriberMdcKept() {
            assertThat(traceAfter).as("trace_id of the subscribe thread afterwards").isEqualTo("subscriber-own");
            assertThat(otherAfter).as("other MDC keys of the subscribe thread afterwards").isEqualTo("kept");
        }
    }

    /**
     * Runs {@code consumer.subscribe} on a thread whose MDC holds {@code trace_id=subscriber-own}
     * and {@code mq-contract-other=kept}; records {@code <value>=<trace_id>/<mq-contract-other>}
     * of the MDC in each callback, then runs {@code then}; closes after {@code count} callbacks and
     * returns what was recorded and the subscribe thread's MDC afterwards.
     */
    private MdcRun subscribeWithOwnMdc(Consumer consumer, String topic, int count, ConsumeCallback then) {
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicReference<String> traceAfter = new AtomicReference<>();
        AtomicReference<String> otherAfter = new AtomicReference<>();
        Background subscriber = background("traced-subscriber", () -> {
            MDC.put("trace_id", "subscriber-own");
            MDC.put("mq-contract-other", "kept");
            try {
                consumer.subscribe(List.of(topic), m -> {
                    seen.add(m.valueAsString() + "=" + MDC.get("trace_id") + "/" + MDC.get("mq-contract-other"));
                    then.handle(m);
                });
                traceAfter.set(MDC.get("trace_id"));
                otherAfter.set(MDC.get("mq-contract-other"));
            } finally {
                MDC.clear();
            }
        });
        await(count + " callbacks").until(() -> seen.size() >= count);
        consumer.close();
        subscriber.join(timeout());
        return new MdcRun(List.copyOf(seen), traceAfter.get(), otherAfter.get());
    }

    /** Skips the test unless the fixture can crash a consumer. */
    private void requireCrash() {
        assumeTrue(fixture().capabilities().contains(Capability.CRASH),
                () -> fixture().transport() + " fixture cannot inject Capability.CRASH");
    }

    /** Skips the test if the fixture runs without an MDC, and fails it if the MDC is a no-op without the fixture saying so. */
    private void requireWorkingMdc() {
        if (mdcWorks()) {
            return;
        }
        assumeFalse(fixture().runsWithoutMdc(),
                () -> fixture().transport() + " fixture runs without an MDC (TransportFixture.runsWithoutMdc())");
        fail("the SLF4J provider on the test class path has a no-op MDC (as slf4j-simple and slf4j-nop do), so the"
                + " trace-id contract cannot be checked: add ch.qos.logback:logback-classic in test scope, or, to skip"
                + " the tests that need it, override TransportFixture.runsWithoutMdc() to return true");
    }

    /**
     * Closes a consumer configured by {@code tweak} while {@code inHand} callbacks (of as many keys)
     * wait: {@code close()} returns only after they finished, {@code subscribe} returns, and the
     * next member of the group gets none of them again (close committed them).
     */
    private void assertCloseWaitsForTheCallbacksInHand(String purpose, int inHand,
                                                       java.util.function.Consumer<ConsumerConfig.Builder> tweak) {
        String topic = topic(purpose, 1);
        String group = group(purpose);
        Producer producer = producer();
        sendData(producer, topic, purpose, inHand, inHand);
        CountDownLatch entered = new CountDownLatch(inHand);
        CountDownLatch release = gate();
        AtomicInteger finished = new AtomicInteger();
        Consumer consumer = consumer(group, c -> tweak.accept(c.autoCommitIntervalMs((int) NEVER_MS)));
        RecordingConsumer recording = record(consumer, List.of(topic), message -> {
            entered.countDown();
            release.await(timeout().toMillis(), TimeUnit.MILLISECONDS);
            finished.incrementAndGet();
        });
        awaitLatch(entered, inHand + " callback(s) to run at once");

        AtomicInteger finishedWhenCloseReturned = new AtomicInteger(-1);
        runUntilBlocked("close()", () -> {
            consumer.close();
            finishedWhenCloseReturned.set(finished.get());
        }, release);

        assertThat(finishedWhenCloseReturned.get()).as("callbacks finished when close() returned").isEqualTo(inHand);
        assertThat(recording.awaitTermination(timeout())).as("subscribe ended normally").isEmpty();
        producer.sendSync(Message.of(topic, "k", "after"));
        RecordingConsumer next = record(consumer(group), topic).awaitCount(1, timeout());
        awaitDrained(producer, topic, 1, next::received);
        assertThat(dataValues(next.received())).as("what the next member gets: close() committed the rest")
                .containsExactly("after");
    }

    /** Crashes {@code victim} while one of its callbacks waits for {@code release}, then lets that callback return. */
    private void crashWhileBlocked(RecordingConsumer victim, CountDownLatch release) {
        runUntilBlocked("crash()", () -> fixture().crash(victim.consumer()), release);
        victim.awaitTermination(timeout());
    }

    /**
     * Runs {@code action} (named {@code what}) on a thread of its own; once that thread blocks or
     * ends, opens {@code release}, then waits for it and rethrows what it threw.
     */
    private void runUntilBlocked(String what, ThrowingRunnable action, CountDownLatch release) {
        Background thread = background(what, action);
        await(what + " to block or return").until(() -> thread.state() != Thread.State.RUNNABLE
                && thread.state() != Thread.State.NEW);
        release.countDown();
        thread.join(timeout());
    }

    /**
     * Waits until {@code member} has committed on the interval what it processed before this call:
     * the interval passes, then a marker reaches it, then another. The loop checks the interval
     * between messages; the first marker gets it past a check, the second, sent only once the
     * first arrived, proves it went past.
     */
    private void awaitIntervalCommit(Producer producer, String topic, RecordingConsumer member) {
        long processedBy = System.nanoTime();
        long interval = TimeUnit.MILLISECONDS.toNanos(COMMIT_INTERVAL_MS);
        await("the commit interval to pass").until(() -> System.nanoTime() - processedBy > interval);
        for (int i = 0; i < 2; i++) {
            String marker = "interval-marker-" + i;
            awaitReceivedBy(producer, topic, marker, List.of(member));
        }
    }

    /**
     * Members join and leave a group of consumers configured by {@code tweak} while 300 messages
     * of 8 keys flow: every message arrives, and each key's first deliveries are in send order.
     */
    private void assertChurnLosesNothing(String purpose, java.util.function.Consumer<ConsumerConfig.Builder> tweak) {
        String topic = topic(purpose, 6);
        String group = group(purpose);
        List<Message> log = Collections.synchronizedList(new ArrayList<>());
        Producer producer = producer();
        RecordingConsumer m1 = record(consumer(group, tweak), List.of(topic), appendTo(log));
        awaitEveryMemberAssigned(producer, topic, List.of(m1));

        Map<String, List<String>> sent = new LinkedHashMap<>();
        int[] batch = {0};
        Runnable sendBatch = () -> {
            for (int i = 0; i < 50; i++) {
                String key = "key-" + i % 8;
                String value = key + "/" + batch[0] + "/" + i;
                sent.computeIfAbsent(key, x -> new ArrayList<>()).add(value);
                producer.send(Message.of(topic, key, value), ignoreOutcome());
            }
            batch[0]++;
        };
        sendBatch.run();
        RecordingConsumer m2 = record(consumer(group, tweak), List.of(topic), appendTo(log));
        sendBatch.run();
        record(consumer(group, tweak), List.of(topic), appendTo(log));
        sendBatch.run();
        m1.close();
        sendBatch.run();
        record(consumer(group, tweak), List.of(topic), appendTo(log));
        sendBatch.run();
        // m2 has joined before it leaves (a close before its subscribe would make that subscribe fail)
        awaitEveryMemberAssigned(producer, topic, List.of(m2));
        m2.close();
        sendBatch.run();

        Set<String> all = sent.values().stream().flatMap(List::stream).collect(Collectors.toSet());
        await("all 300 messages at least once").until(() -> new HashSet<>(dataValues(snapshot(log))).containsAll(all));
        List<Message> data = dataOf(snapshot(log));
        sent.forEach((key, values) -> {
            List<String> firsts = data.stream().filter(m -> key.equals(m.keyAsString()))
                    .map(Message::valueAsString).distinct().collect(Collectors.toList());
            assertThat(firsts).as("first deliveries of %s", key).containsExactlyElementsOf(values);
        });
    }

    /**
     * Sends {@code count} data messages {@code <prefix>-<i>}, each with a key of its own that lands
     * on {@code partition} of the {@code partitions} (murmur2), waits until each is acknowledged,
     * and returns their values in send order.
     */
    private List<String> sendToPartition(Producer producer, String topic, int partitions, int partition, String prefix,
                                         int count) {
        List<Message> messages = new ArrayList<>();
        for (int k = 0; messages.size() < count; k++) {
            String key = prefix + "-key-" + k;
            if (KafkaPartitioner.partition(key.getBytes(StandardCharsets.UTF_8), partitions) == partition) {
                messages.add(Message.of(topic, key, prefix + "-" + messages.size()));
            }
        }
        return sendAcknowledged(producer, messages);
    }

    /**
     * Sends {@code count} data messages {@code <prefix>-<i>} with {@code keys} distinct keys, waits
     * until each is acknowledged, and returns their values in send order.
     */
    private List<String> sendData(Producer producer, String topic, String prefix, int count, int keys) {
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            messages.add(Message.of(topic, prefix + "-key-" + i % keys, prefix + "-" + i));
        }
        return sendAcknowledged(producer, messages);
    }

    /** Sends {@code messages}, waits until each is acknowledged, and returns their values in send order. */
    private List<String> sendAcknowledged(Producer producer, List<Message> messages) {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(messages.size());
        for (Message message : messages) {
            producer.send(message, error -> {
                if (error != null) {
                    errors.add(error);
                }
                done.countDown();
            });
        }
        awaitLatch(done, "acknowledgements of " + messages.size() + " messages");
        assertThat(errors).as("send errors").isEmpty();
        return messages.stream().map(Message::valueAsString).collect(Collectors.toList());
    }

    /**
     * Sends probe messages with random keys until every member has received one, so each owns
     * partitions of {@code topic} before the test's own messages are sent.
     */
    private void awaitEveryMemberAssigned(Producer producer, String topic, List<RecordingConsumer> members) {
        awaitReceivedBy(producer, topic, PROBE, members);
    }

    /** Sends control messages of {@code kind} with random keys until every one of {@code members} has received one. */
    private void awaitReceivedBy(Producer producer, String topic, String kind, List<RecordingConsumer> members) {
        AtomicInteger round = new AtomicInteger();
        await("every member of the group to receive a " + kind).pollInterval(Duration.ofMillis(25)).until(() -> {
            if (round.getAndIncrement() % 8 == 0) {
                for (int i = 0; i < 8; i++) {
                    producer.send(control(topic, kind), ignoreOutcome());
                }
            }
            return members.stream().allMatch(m -> m.received().stream().anyMatch(x -> kind.equals(controlOf(x))));
        });
    }

    /**
     * Sends marker messages until a marker from every partition of {@code topic} was received. As
     * a partition delivers in offset order, afterwards everything sent before is in
     * {@code received}: what is missing or repeated then stays so.
     */
    private void awaitDrained(Producer producer, String topic, int partitions, Supplier<List<Message>> received) {
        String token = "drain-" + UUID.randomUUID();
        AtomicInteger round = new AtomicInteger();
        await("a drain marker from each of the " + partitions + " partitions of " + topic)
                .pollInterval(Duration.ofMillis(25)).until(() -> {
                    if (round.getAndIncrement() % 8 == 0) {
                        for (int i = 0; i < 2 * partitions + 2; i++) {
                            producer.send(control(topic, token), ignoreOutcome());
                        }
                    }
                    return received.get().stream().filter(m -> token.equals(controlOf(m))).map(Message::partition)
                            .collect(Collectors.toSet()).size() >= partitions;
                });
    }

    private static Message control(String topic, String kind) {
        return Message.builder(topic).key(UUID.randomUUID().toString()).value(kind).header(CONTROL, kind).build();
    }

    private static String controlOf(Message message) {
        return message.headerAsString(CONTROL);
    }

    private static boolean isData(Message message) {
        return message.header(CONTROL) == null;
    }

    private static List<Message> dataOf(List<Message> messages) {
        return messages.stream().filter(TransportCompatibilityKit::isData).collect(Collectors.toList());
    }

    private static List<String> dataValues(List<Message> messages) {
        return messages.stream().filter(TransportCompatibilityKit::isData).map(Message::valueAsString)
                .collect(Collectors.toList());
    }

    private static List<Message> all(List<RecordingConsumer> consumers) {
        List<Message> all = new ArrayList<>();
        consumers.forEach(c -> all.addAll(c.received()));
        return all;
    }

    private static List<Message> snapshot(List<Message> log) {
        synchronized (log) {
            return new ArrayList<>(log);
        }
    }

    private static ConsumeCallback appendTo(List<Message> log) {
        return log::add;
    }

    private static ConsumeCallback noop() {
        return message -> { };
    }

    private static io.gochat.mq.SendCallback ignoreOutcome() {
        return error -> { };
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** A daemon thread of the test whose failure is reported when it is joined. */
    private static final class Background {
        final Thread thread;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Background(String name, ThrowingRunnable body) {
            thread = new Thread(() -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "mq-contract-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        Thread.State state() {
            return thread.getState();
        }

        boolean isAlive() {
            return thread.isAlive();
        }

        /** Waits for the thread and rethrows what it threw. */
        void join(Duration timeout) {
            try {
                thread.join(timeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + thread.getName(), e);
            }
            if (thread.isAlive()) {
                throw new AssertionError(thread.getName() + " did not finish within " + timeout);
            }
            Throwable e = failure.get();
            if (e != null) {
                throw new AssertionError(thread.getName() + " failed", e);
            }
        }
    }
}
