package io.gochat.mq.testkit;

import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link RecordingConsumer} on the toy transport. */
class RecordingConsumerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T open(T closeable) {
        opened.add(0, closeable);
        return closeable;
    }

    private static Option[] toy() {
        return new Option[] {Option.withTransport(ToyTransport.NAME),
                Option.withConfig(MqConfig.builder().consumer(c -> c.autoOffsetReset("earliest")).build())};
    }

    private String topic() {
        String topic = TestNames.topic("recording");
        open(Mq.newAdminClient("svc", toy())).createTopic(topic, 2, 1);
        return topic;
    }

    @Test
    @DisplayName("records what arrives, in order, and close makes subscribe return")
    void recordsAndCloses() {
        String topic = topic();
        Producer producer = open(Mq.newProducer("svc", toy()));
        producer.sendSync(Message.of(topic, "k", "one"));
        producer.sendSync(Message.of(topic, "k", "two"));

        RecordingConsumer recording = RecordingConsumer.start(Mq.newConsumer("svc", TestNames.group("r"), toy()),
                List.of(topic));
        recording.awaitCount(2, TIMEOUT);
        recording.close();

        assertThat(recording.received()).extracting(Message::valueAsString).containsExactly("one", "two");
        assertThat(recording.received(m -> "two".equals(m.valueAsString()))).hasSize(1);
        assertThat(recording.isRunning()).isFalse();
    }

    @Test
    @DisplayName("then runs after recording, and a message whose then throws is recorded too")
    void thenRunsAfterRecording() {
        String topic = topic();
        Producer producer = open(Mq.newProducer("svc", toy()));
        producer.sendSync(Message.of(topic, "k", "bad"));
        producer.sendSync(Message.of(topic, "k", "good"));
        List<Integer> seenBefore = new java.util.concurrent.CopyOnWriteArrayList<>();
        RecordingConsumer[] self = new RecordingConsumer[1];
        // the messages are already there: the first callback may run before start() returns
        java.util.concurrent.CountDownLatch assigned = new java.util.concurrent.CountDownLatch(1);
        self[0] = open(RecordingConsumer.start(Mq.newConsumer("svc", TestNames.group("r"), toy()), List.of(topic),
                message -> {
                    if (!assigned.await(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                        throw new AssertionError("the test never published its RecordingConsumer");
                    }
                    seenBefore.add(self[0].count());
                    if ("bad".equals(message.valueAsString())) {
                        throw new IllegalStateException("expected by the test");
                    }
                }));
        assigned.countDown();

        self[0].awaitCount(2, TIMEOUT);

        assertThat(self[0].received()).extracting(Message::valueAsString).containsExactly("bad", "good");
        assertThat(seenBefore).containsExactly(1, 2);
    }

    @Test
    @DisplayName("awaitCount fails with the count received when too few arrive, and at once when subscribe ended")
    void awaitCountFailsClearly() {
        String topic = topic();
        Consumer consumer = Mq.newConsumer("svc", TestNames.group("r"), toy());
        RecordingConsumer recording = open(RecordingConsumer.start(consumer, List.of(topic)));

        assertThatThrownBy(() -> recording.awaitCount(1, Duration.ofMillis(200)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("received 0");
        recording.close();
        assertThatThrownBy(() -> recording.awaitCount(1, TIMEOUT))
                .isInstanceOf(AssertionError.class).hasMessageContaining("subscribe ended");
    }

    @Test
    @DisplayName("close reports a subscribe that ended with an exception")
    void closeReportsSubscribeFailure() {
        Consumer consumer = Mq.newConsumer("svc", TestNames.group("r"), toy());
        consumer.close();
        RecordingConsumer recording = RecordingConsumer.start(consumer, List.of(topic()));

        assertThat(recording.awaitTermination(TIMEOUT)).get().isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(recording::close).isInstanceOf(AssertionError.class)
                .hasMessageContaining("instead of returning normally");
    }

    @Test
    @DisplayName("start rejects null arguments, naming them")
    void rejectsNulls() {
        assertThatThrownBy(() -> RecordingConsumer.start(null, List.of("t")))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("consumer");
        Consumer consumer = open(Mq.newConsumer("svc", TestNames.group("r"), toy()));
        assertThatThrownBy(() -> RecordingConsumer.start(consumer, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("topics");
        assertThatThrownBy(() -> RecordingConsumer.start(consumer, List.of("t"), null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("then");
    }
}
