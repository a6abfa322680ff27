package io.gochat.mq.inmemory;

import io.gochat.mq.Message;
import io.gochat.mq.MqClosedException;
import io.gochat.mq.MqException;
import io.gochat.mq.Producer;
import io.gochat.mq.inmemory.junit.InMemoryMqExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.gochat.mq.inmemory.Clients.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@DisplayName("In-memory producer")
@ExtendWith(InMemoryMqExtension.class)
class InMemoryProducerTest {

    @Test
    @DisplayName("send calls the callback exactly once with null when the message is in the log")
    void sendCompletesOnce(InMemoryBroker broker) {
        List<Throwable> outcomes = new CopyOnWriteArrayList<>();
        try (Producer producer = Clients.producer()) {
            producer.send(Message.of("producer.once", "k", "v"), outcomes::add);
            assertThat(broker.messages("producer.once")).hasSize(1);
        }
        assertThat(outcomes).containsExactly((Throwable) null);
    }

    @Test
    @DisplayName("after close, send fails its callback and sendSync throws MqClosedException")
    void sendAfterClose(InMemoryBroker broker) {
        Producer producer = Clients.producer();
        producer.close();
        producer.close();
        List<Throwable> outcomes = new CopyOnWriteArrayList<>();
        producer.send(Message.of("producer.closed", "k", "v"), outcomes::add);

        assertThat(outcomes).singleElement().isInstanceOf(MqClosedException.class)
                .extracting(Throwable::getMessage).asString().contains("producer.closed", "is closed");
        assertThatThrownBy(() -> producer.sendSync(Message.of("producer.closed", "k", "v")))
                .isInstanceOf(MqClosedException.class);
        assertThat(broker.messages("producer.closed")).isEmpty();
    }

    @Test
    @DisplayName("close returns only after every send in flight on other threads has called its callback")
    void closeWaitsForInFlightSends() throws Exception {
        Producer producer = Clients.producer();
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger completed = new AtomicInteger();
        CompletableFuture<Void> sender = CompletableFuture.runAsync(() ->
                producer.send(Message.of("producer.inflight", "k", "v"), error -> {
                    inCallback.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    completed.incrementAndGet();
                }));
        assertThat(inCallback.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(producer::close);
        await().during(Duration.ofMillis(300)).atMost(TIMEOUT).until(() -> !closing.isDone());

        release.countDown();
        closing.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(completed).hasValue(1);
        sender.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    @DisplayName("concurrent senders racing a close: every send gets exactly one outcome, and each success is in the log")
    void concurrentSendersAndClose(InMemoryBroker broker) throws Exception {
        Producer producer = Clients.producer();
        int threads = 4;
        int perThread = 20_000;
        AtomicInteger successes = new AtomicInteger();
        AtomicInteger closedFailures = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(threads);
        List<CompletableFuture<Void>> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            senders.add(CompletableFuture.runAsync(() -> {
                started.countDown();
                for (int i = 0; i < perThread; i++) {
                    producer.send(Message.of("producer.race", "t" + id + "-" + i, "v"), error -> {
                        if (error == null) {
                            successes.incrementAndGet();
                        } else if (error instanceof MqClosedException) {
                            closedFailures.incrementAndGet();
                        } else {
                            other.incrementAndGet();
                        }
                    });
                }
            }, runnable -> new Thread(runnable).start()));
        }
        assertThat(started.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        producer.close();
        int successesAtClose = successes.get();
        CompletableFuture.allOf(senders.toArray(new CompletableFuture<?>[0])).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(successes.get()).as("no send succeeds after close returned").isEqualTo(successesAtClose);
        assertThat(successes.get() + closedFailures.get()).isEqualTo(threads * perThread);
        assertThat(other).hasValue(0);
        assertThat(broker.messages("producer.race")).hasSize(successes.get());
    }

    @Test
    @DisplayName("adds the MDC trace_id to a message without one, and keeps a trace_id the message has")
    void traceIdFromMdc(InMemoryBroker broker) {
        Message plain = Message.of("producer.trace", "k", "v");
        try (Producer producer = Clients.producer()) {
            MDC.put("trace_id", "trace-123");
            try {
                producer.sendSync(plain);
                producer.sendSync(Message.builder("producer.trace").key("k").header("trace_id", "own").build());
            } finally {
                MDC.remove("trace_id");
            }
            producer.sendSync(plain);
        }
        assertThat(broker.messages("producer.trace")).extracting(Message::traceId)
                .containsExactly("trace-123", "own", null);
        assertThat(plain.traceId()).as("the caller's message is not changed").isNull();
    }

    @Test
    @DisplayName("changing the caller's arrays after send does not change what was delivered")
    void callerArraysAreCopied(InMemoryBroker broker) {
        byte[] value = {1, 2, 3};
        try (Producer producer = Clients.producer()) {
            producer.sendSync(Message.of("producer.copy", new byte[] {9}, value));
        }
        value[0] = 42;
        assertThat(broker.messages("producer.copy").get(0).value()).containsExactly(1, 2, 3);
    }

    @Test
    @DisplayName("a topic name Kafka would refuse fails the callback and sendSync with a message naming it")
    void invalidTopicName(InMemoryBroker broker) {
        List<Throwable> outcomes = new CopyOnWriteArrayList<>();
        try (Producer producer = Clients.producer()) {
            producer.send(Message.of("no spaces", "k", "v"), outcomes::add);
            assertThatThrownBy(() -> producer.sendSync(Message.of("x".repeat(250), "k", "v")))
                    .isInstanceOf(MqException.class)
                    .hasMessageContaining("250 characters: expected at most 249");
        }
        assertThat(outcomes).singleElement().isInstanceOf(MqException.class)
                .extracting(Throwable::getMessage).asString().contains("[no spaces]");
        assertThat(broker.topics()).isEmpty();
    }

    @Test
    @DisplayName("null arguments throw NullPointerException and send nothing")
    void nullArguments(InMemoryBroker broker) {
        try (Producer producer = Clients.producer()) {
            assertThatThrownBy(() -> producer.send(null, e -> { })).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> producer.send(Message.of("producer.null", "k", "v"), null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("callback");
            assertThatThrownBy(() -> producer.sendSync(null)).isInstanceOf(NullPointerException.class);
        }
        assertThat(broker.topics()).isEmpty();
    }

    @Test
    @DisplayName("a send callback that throws is logged and does not break the producer")
    void throwingSendCallback(InMemoryBroker broker) {
        try (LogCapture logs = LogCapture.of("io.gochat.mq.producer"); Producer producer = Clients.producer()) {
            producer.send(Message.of("producer.cb", "k", "v"), error -> {
                throw new IllegalStateException("callback bug");
            });
            producer.sendSync(Message.of("producer.cb", "k", "w"));
            assertThat(logs.events()).filteredOn(e -> e.getFormattedMessage().startsWith("send callback threw"))
                    .singleElement().satisfies(e -> assertThat(e.getThrowableProxy().getMessage()).isEqualTo("callback bug"));
        }
        assertThat(broker.messages("producer.cb")).hasSize(2);
    }

    @Test
    @DisplayName("sends to a closed broker fail with MqClosedException")
    void closedBroker(InMemoryBroker broker) {
        Producer producer = Clients.producer();
        broker.close();
        assertThatThrownBy(() -> producer.sendSync(Message.of("producer.gone", "k", "v")))
                .isInstanceOf(MqClosedException.class)
                .hasMessageContaining("In-memory broker 'default' is closed");
        producer.close();
    }
}
