package io.gochat.mq.inmemory;

import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.MqClosedException;
import io.gochat.mq.MqException;
import io.gochat.mq.inmemory.junit.InMemoryMqExtension;
import io.gochat.mq.testkit.RecordingConsumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

import static io.gochat.mq.inmemory.Clients.TIMEOUT;
import static io.gochat.mq.inmemory.CommittedOffsetsTest.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@DisplayName("In-memory consumer")
@ExtendWith(InMemoryMqExtension.class)
class InMemoryConsumerTest {

    @Test
    @DisplayName("subscribe a second time throws IllegalStateException and the first keeps running")
    void subscribeTwice() {
        try (RecordingConsumer running = Clients.start("g", Clients.earliest(), "consumer.twice")) {
            await().atMost(TIMEOUT).until(() -> !InMemoryBroker.getDefault().members("g").isEmpty());
            assertThatThrownBy(() -> running.consumer().subscribe(List.of("consumer.twice"), m -> { }))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("subscribe was already called")
                    .hasMessageContaining("group g");
            send("consumer.twice", 1);
            running.awaitCount(1, TIMEOUT);
        }
    }

    @Test
    @DisplayName("close before subscribe marks the consumer closed, and subscribe then throws IllegalStateException")
    void closeBeforeSubscribe() {
        Consumer consumer = Clients.consumer("g", Clients.earliest());
        consumer.close();
        consumer.close();
        assertThatThrownBy(() -> consumer.subscribe(List.of("t"), m -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
    }

    @Test
    @DisplayName("subscribe after close throws IllegalStateException")
    void subscribeAfterClose() {
        RecordingConsumer recording = Clients.start("g", Clients.earliest(), "consumer.after");
        await().atMost(TIMEOUT).until(() -> !InMemoryBroker.getDefault().members("g").isEmpty());
        recording.close();
        assertThatThrownBy(() -> recording.consumer().subscribe(List.of("consumer.after"), m -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
    }

    @Test
    @DisplayName("bad arguments to subscribe fail at once")
    void badArguments() {
        Consumer consumer = Clients.consumer("g", Clients.earliest());
        assertThatThrownBy(() -> consumer.subscribe(List.of(), m -> { })).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> consumer.subscribe(List.of("t"), null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> consumer.subscribe(List.of("bad topic!"), m -> { }))
                .isInstanceOf(MqException.class)
                .hasMessageContaining("[bad topic!]")
                .hasMessageContaining("expected only ASCII letters, digits, '.', '_' and '-'");
    }

    @Test
    @DisplayName("close from inside the callback returns at once, stops after that callback and commits it")
    void closeInsideCallback(InMemoryBroker broker) {
        String topic = "consumer.inside";
        Clients.createTopic(topic, 1);
        send(topic, 10);
        AtomicReference<Consumer> self = new AtomicReference<>();
        Consumer consumer = Clients.consumer("g", Clients.earliest());
        self.set(consumer);
        RecordingConsumer recording = RecordingConsumer.start(consumer, List.of(topic), message -> {
            if (message.offset() == 2) {
                self.get().close();
            }
        });

        assertThat(recording.awaitTermination(TIMEOUT)).isEmpty();
        assertThat(recording.received()).extracting(Message::offset).containsExactly(0L, 1L, 2L);
        assertThat(broker.committedOffset("g", topic, 0)).hasValue(3);
        assertThat(broker.members("g")).isEmpty();
    }

    @Test
    @DisplayName("close from another thread waits for the message in hand, commits it and makes subscribe return")
    void closeWaitsForMessageInHand(InMemoryBroker broker) throws Exception {
        String topic = "consumer.waits";
        Clients.createTopic(topic, 1);
        send(topic, 5);
        CountDownLatch inHand = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RecordingConsumer recording = RecordingConsumer.start(Clients.consumer("g", Clients.earliest()), List.of(topic),
                message -> {
                    if (message.offset() == 1) {
                        inHand.countDown();
                        release.await();
                    }
                });
        assertThat(inHand.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(recording.consumer()::close);
        await().during(Duration.ofMillis(300)).atMost(TIMEOUT).until(() -> !closing.isDone());
        assertThat(recording.isRunning()).isTrue();

        release.countDown();
        closing.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(broker.members("g")).as("left the group before close returned").isEmpty();
        assertThat(recording.awaitTermination(TIMEOUT)).isEmpty();
        assertThat(recording.received()).extracting(Message::offset).containsExactly(0L, 1L);
        assertThat(broker.committedOffset("g", topic, 0)).hasValue(2);
    }

    @Test
    @DisplayName("close is idempotent and safe from many threads at once")
    void concurrentClose(InMemoryBroker broker) throws Exception {
        RecordingConsumer recording = Clients.start("g", Clients.earliest(), "consumer.concurrent-close");
        await().atMost(TIMEOUT).until(() -> !broker.members("g").isEmpty());
        List<CompletableFuture<Void>> closes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            closes.add(CompletableFuture.runAsync(recording.consumer()::close));
        }
        CompletableFuture.allOf(closes.toArray(new CompletableFuture<?>[0])).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(recording.awaitTermination(TIMEOUT)).isEmpty();
        recording.consumer().close();
        assertThat(broker.members("g")).isEmpty();
    }

    @Test
    @DisplayName("runs the callbacks of a partition one at a time, in offset order")
    void offsetOrderWithinPartition() {
        String topic = "consumer.order";
        Clients.createTopic(topic, 3);
        try (RecordingConsumer recording = Clients.start("g", Clients.earliest(), topic)) {
            try (var producer = Clients.producer()) {
                for (int i = 0; i < 3_000; i++) {
                    producer.sendSync(Message.of(topic, "key-" + (i % 5), Integer.toString(i)));
                }
            }
            recording.awaitCount(3_000, TIMEOUT);
            for (int p = 0; p < 3; p++) {
                int partition = p;
                List<Long> offsets = recording.received(m -> m.partition() == partition).stream()
                        .map(Message::offset).toList();
                assertThat(offsets).containsExactlyElementsOf(LongStream.range(0, offsets.size()).boxed().toList());
            }
            for (int k = 0; k < 5; k++) {
                String key = "key-" + k;
                List<Integer> values = recording.received(m -> key.equals(m.keyAsString())).stream()
                        .map(m -> Integer.parseInt(m.valueAsString())).toList();
                assertThat(values).as("values of %s in send order", key).isSorted().hasSize(600);
            }
        }
    }

    @Test
    @DisplayName("an idle consumer parks instead of spinning")
    void idleConsumerParks(InMemoryBroker broker) throws Exception {
        Consumer consumer = Clients.consumer("g", Clients.earliest());
        CountDownLatch received = new CountDownLatch(1);
        Thread thread = new Thread(() -> consumer.subscribe(List.of("consumer.idle"), m -> received.countDown()),
                "idle-consumer");
        thread.start();
        try {
            await().atMost(TIMEOUT).until(() -> !broker.members("g").isEmpty()
                    && thread.getState() == Thread.State.TIMED_WAITING);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpuBefore = threads.getThreadCpuTime(thread.getId());
            await().during(Duration.ofMillis(500)).atMost(TIMEOUT).until(() -> received.getCount() == 1);
            long cpuNanos = threads.getThreadCpuTime(thread.getId()) - cpuBefore;
            assertThat(cpuNanos).as("CPU time of an idle consumer over half a second (ns)")
                    .isLessThan(TimeUnit.MILLISECONDS.toNanos(50));

            send("consumer.idle", 1);
            assertThat(received.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as("woken by the append").isTrue();
        } finally {
            consumer.close();
            thread.join(TIMEOUT.toMillis());
        }
        assertThat(thread.isAlive()).isFalse();
    }

    @Test
    @DisplayName("an interrupt of the subscribe thread ends subscribe normally after committing")
    void interruptEndsSubscribe(InMemoryBroker broker) throws Exception {
        String topic = "consumer.interrupt";
        Clients.createTopic(topic, 1);
        send(topic, 3);
        Consumer consumer = Clients.consumer("g", Clients.earliest());
        CountDownLatch processed = new CountDownLatch(3);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                consumer.subscribe(List.of(topic), m -> processed.countDown());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        thread.start();
        assertThat(processed.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        thread.interrupt();
        thread.join(TIMEOUT.toMillis());
        assertThat(thread.isAlive()).isFalse();
        assertThat(failure.get()).isNull();
        assertThat(broker.committedOffset("g", topic, 0)).hasValue(3);
        assertThat(broker.members("g")).isEmpty();
    }

    @Test
    @DisplayName("closing the broker makes subscribe return, and a later subscribe on it fails as closed")
    void brokerCloseEndsSubscribe(InMemoryBroker broker) {
        RecordingConsumer recording = Clients.start("g", Clients.earliest(), "consumer.broker-close");
        await().atMost(TIMEOUT).until(() -> !broker.members("g").isEmpty());
        Consumer late = Clients.consumer("g", Clients.earliest());
        broker.close();
        assertThat(recording.awaitTermination(TIMEOUT)).isEmpty();
        assertThatThrownBy(() -> late.subscribe(List.of("t"), m -> { }))
                .isInstanceOf(MqClosedException.class).hasMessageContaining("'default' is closed");
    }
}
