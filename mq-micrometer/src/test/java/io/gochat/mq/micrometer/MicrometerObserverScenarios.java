package io.gochat.mq.micrometer;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.RecordingConsumer;
import io.gochat.mq.testkit.TestNames;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link MicrometerObserver} records, on a real transport: each transport's test supplies the
 * transport, its configuration, and a message whose send fails.
 */
abstract class MicrometerObserverScenarios {
    static final String SERVICE = "metered";

    MeterRegistry registry;
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** The transport's name. */
    abstract String transport();

    /** A configuration that reaches the transport's broker; consumers start at {@code earliest}. */
    abstract MqConfig config();

    /** A message whose send fails at once (refused before any broker stores it). */
    abstract Message failingMessage(String topic);

    /** Whether the transport's own client metrics ({@code kafka.*}) are bound. */
    abstract boolean bindsClientMetrics();

    Duration timeout() {
        return Duration.ofSeconds(60);
    }

    @BeforeEach
    void newRegistry() {
        registry = new SimpleMeterRegistry();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    @Test
    @DisplayName("sends and callback runs are counted by topic and outcome: a failed send and a throwing callback"
            + " with outcome failure, every other one success")
    void countsEqualMessagesSentAndConsumed() {
        String topic = createTopic("counted", 2);
        MicrometerObserver observer = new MicrometerObserver(registry);
        Producer producer = producer(observer);
        List<String> keys = sendKeyed(producer, topic, "user-4711-", 30);
        CompletableFuture<Throwable> failed = new CompletableFuture<>();
        producer.send(failingMessage(topic), failed::complete);
        assertThat(failed.join()).as("the send that must fail").isNotNull();

        String group = TestNames.group("counted");
        RecordingConsumer recording = record(consumer(group, observer, c -> c), topic, message -> {
            if ("v-7".equals(message.valueAsString())) {
                throw new IllegalStateException("a callback that throws (expected by the test)");
            }
        });
        recording.awaitCount(30, timeout());
        await("every callback run timed").until(() -> count(Search.in(registry).name("mq.consume")) == 30);

        assertThat(count(Search.in(registry).name("mq.send").tags("topic", topic, "outcome", "success")))
                .as("sends acknowledged").isEqualTo(30);
        assertThat(count(Search.in(registry).name("mq.send").tag("outcome", "failure"))).as("sends failed").isEqualTo(1);
        Search consumed = Search.in(registry).name("mq.consume").tags("service", SERVICE, "group", group, "topic", topic);
        assertThat(count(consumed.tag("outcome", "success"))).as("callbacks returned").isEqualTo(29);
        assertThat(count(Search.in(registry).name("mq.consume").tags("topic", topic, "outcome", "failure")))
                .as("callbacks thrown").isEqualTo(1);
        assertThat(count(Search.in(registry).name("mq.consume").tag("outcome", "cancelled"))).isZero();
        assertThat(registry.find("mq.consumer.in.flight").gauge()).as("the in-flight gauge").isNotNull();
        assertThat(registry.find("mq.consumer.in.flight").gauge().value()).as("callbacks running").isZero();
        assertNoKeyTags(keys);
        if (bindsClientMetrics()) {
            assertThat(registry.getMeters()).as("Kafka's own client metrics")
                    .anyMatch(m -> m.getId().getName().startsWith("kafka.producer."))
                    .anyMatch(m -> m.getId().getName().startsWith("kafka.consumer."));
        }
    }

    /** No meter has a tag named key, or a tag value equal to a key sent; no mq meter a partition tag. */
    private void assertNoKeyTags(List<String> keys) {
        Set<String> keySet = Set.copyOf(keys);
        assertThat(registry.getMeters()).as("meters").isNotEmpty();
        for (Meter meter : registry.getMeters()) {
            for (Tag tag : meter.getId().getTags()) {
                assertThat(tag.getKey()).as("tag of %s", meter.getId()).isNotEqualToIgnoringCase("key");
                assertThat(keySet).as("tag values of %s", meter.getId()).doesNotContain(tag.getValue());
                if (meter.getId().getName().startsWith("mq.")) {
                    assertThat(tag.getKey()).as("tag of %s", meter.getId()).isNotEqualTo("partition");
                }
            }
        }
    }

    @Test
    @DisplayName("a client's meters disappear when it closes, those of another consumer of the same service and group"
            + " stay until it closes too, and then no meter of the library is left")
    void clientMetersDisappearOnClose() {
        String topic = createTopic("closed", 2);
        MicrometerObserver observer = new MicrometerObserver(registry);
        Producer producer = producer(observer);
        sendKeyed(producer, topic, "k-", 10);
        String group = TestNames.group("closed");
        RecordingConsumer first = record(consumer(group, observer, c -> c), topic, m -> { });
        RecordingConsumer second = record(consumer(group, observer, c -> c), topic, m -> { });
        await("both consumers' gauges").until(() -> clientTags("mq.consumer.live").size() == 2);
        await("every message consumed").until(() -> first.count() + second.count() >= 10);
        Set<String> both = clientTags("mq.consumer.live");

        producer.close();
        assertThat(registry.find("mq.send").meters()).as("mq.send after the only producer closed").isEmpty();
        first.close(timeout());
        Set<String> left = clientTags("mq.consumer.live");
        assertThat(left).as("consumers with gauges after the first closed").hasSize(1);
        assertThat(both).containsAll(left);
        for (String gauge : List.of("mq.consumer.in.flight", "mq.consumer.paused.partitions", "mq.consumer.ready")) {
            assertThat(clientTags(gauge)).as(gauge + " after the first closed").isEqualTo(left);
        }
        await("the second consumer ready, holding every partition").until(() -> gauge("mq.consumer.ready") == 1);

        second.close(timeout());
        assertThat(registry.getMeters()).as("meters after every client closed")
                .noneMatch(m -> m.getId().getName().startsWith("mq.") || m.getId().getName().startsWith("kafka."));
    }

    @Test
    @DisplayName("mq.consumer.live stays 1 while the consumer idles, turns 0 while a callback is blocked past"
            + " stuckAfter and 1 again when it returns; mq.consumer.ready is 1 once partitions are held")
    void healthGauges() throws Exception {
        String topic = createTopic("health", 1);
        // far above a loop turn (the consumers poll every autoCommitIntervalMs at most), so a busy machine is idle too
        Duration stuckAfter = Duration.ofMillis(2000);
        MicrometerObserver observer = new MicrometerObserver(registry, stuckAfter);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        record(consumer(TestNames.group("health"), observer, c -> c), topic, message -> {
            if ("block".equals(message.valueAsString())) {
                entered.countDown();
                release.await(timeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        });
        await("ready").until(() -> gauge("mq.consumer.ready") == 1);
        long idleSince = System.nanoTime();
        await("idle for three times stuckAfter, live throughout").pollInterval(Duration.ofMillis(50)).until(() -> {
            assertThat(gauge("mq.consumer.live")).as("live while idle").isEqualTo(1);
            return System.nanoTime() - idleSince > 3 * stuckAfter.toNanos();
        });

        Producer producer = producer(observer);
        producer.sendSync(Message.of(topic, "k", "block"));
        assertThat(entered.await(timeout().toMillis(), TimeUnit.MILLISECONDS)).as("the blocking callback started").isTrue();
        await("not live while the callback is blocked").until(() -> gauge("mq.consumer.live") == 0);
        assertThat(gauge("mq.consumer.in.flight")).as("callbacks running").isEqualTo(1);
        release.countDown();
        await("live again once it returned").until(() -> gauge("mq.consumer.live") == 1);
        await("nothing in flight").until(() -> gauge("mq.consumer.in.flight") == 0);
    }

    @Test
    @DisplayName("retries and dead letters are counted under the message's topic: each attempt is a callback run with"
            + " outcome failure, and the dead letter a send to its topic")
    void retriesAndDeadLettersAreCounted() {
        String topic = createTopic("retried", 1);
        String deadLetters = createTopic("retried-dlt", 1);
        MicrometerObserver observer = new MicrometerObserver(registry);
        producer(observer).sendSync(Message.of(topic, "k", "poison"));
        record(consumer(TestNames.group("retried"), observer, c -> c.consumer(cc -> cc.retryMaxAttempts(3)
                .retryBackoffMs(10).retryMaxBackoffMs(20).deadLetterTopic(deadLetters))), topic, message -> {
                    throw new IllegalStateException("a callback that always throws (expected by the test)");
                });
        await("the dead letter counted").until(() -> counted(Search.in(registry).name("mq.consume.dead.letters")
                .tags("service", SERVICE, "topic", topic)) == 1);
        assertThat(counted(Search.in(registry).name("mq.consume.retries").tag("topic", topic))).as("retries").isEqualTo(2);
        assertThat(count(Search.in(registry).name("mq.consume").tags("topic", topic, "outcome", "failure")))
                .as("callback runs that threw").isEqualTo(3);
        assertThat(count(Search.in(registry).name("mq.send").tags("topic", deadLetters, "outcome", "success")))
                .as("the dead letter's send").isEqualTo(1);
    }

    @Test
    @DisplayName("into a composite registry with no registry in it (Metrics.globalRegistry before an application adds"
            + " one) nothing is timed, the clock is not read; once a registry is added, what follows is timed")
    void emptyCompositeIsNotTimed() {
        String topic = createTopic("composite", 1);
        CountingClock clock = new CountingClock();
        CompositeMeterRegistry composite = new CompositeMeterRegistry(clock);
        MicrometerObserver observer = new MicrometerObserver(composite);
        Producer producer = producer(observer);
        RecordingConsumer recording = record(consumer(TestNames.group("composite"), observer, c -> c), topic, m -> { });
        sendKeyed(producer, topic, "k-", 10);
        recording.awaitCount(10, timeout());
        assertThat(clock.reads()).as("clock reads for 10 sends and callbacks with no registry to record into").isZero();

        MeterRegistry added = new SimpleMeterRegistry();
        composite.add(added);
        sendKeyed(producer, topic, "k-", 5);
        recording.awaitCount(15, timeout());
        await("the callbacks after the registry was added timed").until(() ->
                count(Search.in(added).name("mq.consume").tags("topic", topic)) == 5);
        assertThat(count(Search.in(added).name("mq.send").tags("topic", topic, "outcome", "success")))
                .as("sends timed after the registry was added").isEqualTo(5);
        assertThat(clock.reads()).as("clock reads once a registry records").isPositive();
    }

    /** The system clock, counting the monotonic reads. */
    private static final class CountingClock implements Clock {
        private final AtomicLong reads = new AtomicLong();

        @Override
        public long wallTime() {
            return Clock.SYSTEM.wallTime();
        }

        @Override
        public long monotonicTime() {
            reads.incrementAndGet();
            return Clock.SYSTEM.monotonicTime();
        }

        long reads() {
            return reads.get();
        }
    }

    // ------------------------------------------------------------------ helpers

    final ConditionFactory await(String what) {
        return Awaitility.await(what).atMost(timeout()).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20));
    }

    final <T extends AutoCloseable> T opened(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    final String createTopic(String purpose, int partitions) {
        String topic = TestNames.topic(purpose);
        try (AdminClient admin = Mq.newAdminClient(SERVICE, Option.withTransport(transport()), Option.withConfig(config()))) {
            admin.createTopic(topic, partitions, 1);
        }
        return topic;
    }

    final Producer producer(MicrometerObserver observer) {
        return opened(Mq.newProducer(SERVICE, Option.withTransport(transport()), Option.withConfig(config()),
                Option.withObserver(observer)));
    }

    final Consumer consumer(String group, MicrometerObserver observer, UnaryOperator<MqConfig.Builder> tweak) {
        MqConfig config = tweak.apply(config().toBuilder()).build();
        return opened(Mq.newConsumer(SERVICE, group, Option.withTransport(transport()), Option.withConfig(config),
                Option.withObserver(observer)));
    }

    final RecordingConsumer record(Consumer consumer, String topic, io.gochat.mq.ConsumeCallback then) {
        return opened(RecordingConsumer.start(consumer, List.of(topic), then));
    }

    /** Sends {@code n} messages {@code v-0}…, keyed {@code <keyPrefix>0}…{@code <keyPrefix>9}; returns the keys. */
    static List<String> sendKeyed(Producer producer, String topic, String keyPrefix, int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String key = keyPrefix + (i % 10);
            producer.sendSync(Message.of(topic, key, "v-" + i));
            keys.add(key);
        }
        return keys;
    }

    /** The number of events of the timers found. */
    static long count(Search search) {
        return search.timers().stream().mapToLong(Timer::count).sum();
    }

    /** The sum of the counters found. */
    static double counted(Search search) {
        return search.counters().stream().mapToDouble(Counter::count).sum();
    }

    /** The value of the one gauge {@code name}. */
    final double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    /** The {@code client} tag values of the gauges named {@code name}. */
    final Set<String> clientTags(String name) {
        return registry.find(name).gauges().stream().map(g -> g.getId().getTag("client")).collect(Collectors.toSet());
    }
}
