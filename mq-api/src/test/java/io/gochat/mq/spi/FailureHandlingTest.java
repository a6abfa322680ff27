package io.gochat.mq.spi;

import io.gochat.mq.ConsumeCallback;
import io.gochat.mq.DeadLetterHeaders;
import io.gochat.mq.Message;
import io.gochat.mq.MqException;
import io.gochat.mq.Producer;
import io.gochat.mq.SendCallback;
import io.gochat.mq.config.ConsumerConfig;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.internal.MessageAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** Retries and dead letters in the dispatcher alone: this test's thread plays the transport's poll thread. */
class FailureHandlingTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final RecordingLogger log = new RecordingLogger();
    private final Map<String, List<Long>> reported = new HashMap<>();
    private final RecordingProducer deadLetters = new RecordingProducer();
    private KeyOrderedDispatcher<String> dispatcher;

    @AfterEach
    void tearDown() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }

    /** Dead letters kept in memory; the first {@code refusals} sends fail as a broker away would. */
    private static final class RecordingProducer implements Producer {
        final List<Message> sent = new CopyOnWriteArrayList<>();
        final AtomicInteger refusals = new AtomicInteger();
        final AtomicInteger tries = new AtomicInteger();
        volatile boolean closed;

        @Override
        public void send(Message message, SendCallback callback) {
            throw new AssertionError("a dead letter must be written with sendSync: its offset counts only once acknowledged");
        }

        @Override
        public void sendSync(Message message) {
            tries.incrementAndGet();
            if (refusals.getAndDecrement() > 0) {
                throw new MqException("dead-letter topic " + message.topic() + " not writable (test)");
            }
            sent.add(message);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private void start(ConsumeCallback callback, UnaryOperator<ConsumerConfig.Builder> settings) {
        ConsumerConfig config = MqConfig.builder().consumer(c -> settings.apply(c)).build().consumer();
        dispatcher = KeyOrderedDispatcher.start(callback, config, "test-client", "group-1", log,
                (partition, next) -> reported.computeIfAbsent(partition, p -> new ArrayList<>()).add(next),
                () -> deadLetters, io.gochat.mq.observe.ClientObserver.NONE);
    }

    private static Message message(String partition, long offset, String key) {
        return MessageAccess.received("orders", key.getBytes(StandardCharsets.UTF_8),
                ("v-" + offset).getBytes(StandardCharsets.UTF_8), Map.of(), partition.hashCode() & 7, offset, 1000);
    }

    private void pumpUntil(String what, BooleanSupplier condition) {
        PollThread.pumpUntil(dispatcher, what, TIMEOUT, condition, () -> { });
    }

    private long lastReported(String partition) {
        return PollThread.lastReported(reported, partition);
    }

    @Test
    @DisplayName("a dead letter that cannot be written keeps its message unprocessed and is tried again, each refusal"
            + " logged with its reason; once the topic is writable it is written exactly once and the offset moves past it")
    void unwritableDeadLetterIsRetriedAndNotCommitted() {
        deadLetters.refusals.set(Integer.MAX_VALUE);
        start(m -> {
            if (m.offset() == 0) {
                throw new IllegalStateException("poison (test)");
            }
        }, c -> c.concurrency(4).retryMaxAttempts(2).retryBackoffMs(5).retryMaxBackoffMs(5).deadLetterTopic("{topic}.dlt"));
        dispatcher.submit("p0", message("p0", 0, "a"));
        dispatcher.submit("p0", message("p0", 1, "b"));
        pumpUntil("three refused dead letters", () -> deadLetters.tries.get() >= 3);
        assertThat(lastReported("p0")).as("committable while the dead letter is refused").isLessThanOrEqualTo(0);
        deadLetters.refusals.set(0); // the dead-letter topic becomes writable

        pumpUntil("the dead letter written and the partition processed", () -> lastReported("p0") == 2);
        assertThat(deadLetters.sent).hasSize(1);
        Message letter = deadLetters.sent.get(0);
        assertThat(letter.topic()).isEqualTo("orders.dlt");
        assertThat(letter.headerAsString(DeadLetterHeaders.ATTEMPTS)).isEqualTo("2");
        assertThat(letter.headerAsString(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP)).isEqualTo("group-1");
        List<LoggingEvent> refused = log.events.stream()
                .filter(e -> e.getMessage().startsWith("dead letter could not be written")).toList();
        assertThat(refused).as("refusals logged").hasSizeGreaterThanOrEqualTo(3).allSatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getKeyValuePairs()).anySatisfy(kv -> {
                assertThat(kv.key).isEqualTo("error");
                assertThat(kv.value).asString().contains("orders.dlt not writable");
            });
        });
    }

    @Test
    @DisplayName("at concurrency 1 a message waiting for its retry holds the later messages of its partition, whatever"
            + " their key, while another partition goes on")
    void atConcurrencyOneRetryHoldsOnlyItsPartition() {
        List<String> calls = new CopyOnWriteArrayList<>();
        AtomicInteger failures = new AtomicInteger();
        start(m -> {
            calls.add(m.offset() + "/" + m.keyAsString() + "@" + m.partition());
            if (m.offset() == 0 && m.keyAsString().equals("a") && failures.incrementAndGet() == 1) {
                throw new IllegalStateException("first attempt fails (test)");
            }
        }, c -> c.concurrency(1).retryMaxAttempts(2).retryBackoffMs(300).retryMaxBackoffMs(300));
        dispatcher.submit("p0", message("p0", 0, "a"));
        dispatcher.submit("p0", message("p0", 1, "b"));
        dispatcher.submit("p1", message("p1", 0, "c"));
        int p0 = "p0".hashCode() & 7;
        int p1 = "p1".hashCode() & 7;
        pumpUntil("both partitions processed", () -> lastReported("p0") == 2 && lastReported("p1") == 1);
        List<String> p0Calls = calls.stream().filter(c -> c.endsWith("@" + p0)).toList();
        assertThat(p0Calls).as("partition p0 in offset order through the retry").containsExactly("0/a@" + p0, "0/a@" + p0,
                "1/b@" + p0);
        assertThat(calls.indexOf("0/c@" + p1)).as("the other partition ran before the retry")
                .isLessThan(calls.lastIndexOf("0/a@" + p0));
    }

    @Test
    @DisplayName("revoking a partition whose message waits for a long backoff ends the wait at once: not processed,"
            + " not tried again, the dispatcher idle")
    void revokeEndsTheBackoff() {
        AtomicInteger attempts = new AtomicInteger();
        start(m -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("always (test)");
        }, c -> c.concurrency(4).retryMaxAttempts(5).retryBackoffMs(600_000).retryMaxBackoffMs(600_000));
        dispatcher.submit("p0", message("p0", 0, "a"));
        pumpUntil("the first attempt", () -> attempts.get() == 1 && dispatcher.busy());
        long start = System.nanoTime();
        dispatcher.revoke(List.of("p0"), TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("revocation during a 600 s backoff").isLessThan(TIMEOUT);
        assertThat(dispatcher.busy()).as("busy after the revocation").isFalse();
        assertThat(reported.getOrDefault("p0", List.of())).as("committable offsets of the revoked partition")
                .allSatisfy(offset -> assertThat(offset).isEqualTo(0L));
        assertThat(attempts.get()).isEqualTo(1);
    }

    @Test
    @DisplayName("a dispatcher started without a producer for dead letters refuses a configured dead-letter topic at once")
    void deadLetterTopicNeedsAProducer() {
        ConsumerConfig config = MqConfig.builder().consumer(c -> c.deadLetterTopic("{topic}.dlt")).build().consumer();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KeyOrderedDispatcher.start(m -> { }, config, "t", log,
                        (p, next) -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("consumer.deadLetter.topic is set ({topic}.dlt)");
    }

    @Test
    @DisplayName("backoff: backoffMs × multiplier^(n-1), capped at maxBackoffMs, drawn between half of it and all of it")
    void backoffGrowsAndIsCapped() {
        ConsumerConfig config = MqConfig.builder().consumer(c -> c.retryMaxAttempts(10).retryBackoffMs(100)
                .retryMaxBackoffMs(1000).retryMultiplier(3.0)).build().consumer();
        FailureHandling failures = new FailureHandling(config, "t", "g", log, () -> deadLetters);
        long[] expected = {100, 300, 900, 1000, 1000};
        for (int n = 1; n <= expected.length; n++) {
            for (int i = 0; i < 200; i++) {
                long ms = TimeUnit.NANOSECONDS.toMillis(failures.backoffNanos(n));
                assertThat(ms).as("wait after failure %d", n).isBetween(expected[n - 1] / 2, expected[n - 1]);
            }
        }
        failures.close();
        assertThat(deadLetters.closed).as("an unused producer is not created, so not closed").isFalse();
    }
}
