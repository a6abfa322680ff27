package io.gochat.mq.kafka;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.TestNames;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Helpers shared by the security tests: a full round trip, and how long a failing call takes. */
final class SecureRoundTrip {
    private SecureRoundTrip() {
    }

    /** Creates a topic, sends a message and consumes it, all with {@code config}. */
    static void roundTrip(MqConfig config, String purpose) throws Exception {
        String topic = TestNames.topic(purpose);
        Option[] options = {Option.withTransport("kafka"), Option.withConfig(config)};
        try (AdminClient admin = Mq.newAdminClient("secure", options)) {
            admin.createTopic(topic, 1, 1);
        }
        try (Producer producer = Mq.newProducer("secure", options)) {
            producer.sendSync(Message.builder(topic).key("k").value("secret payload").header("trace_id", purpose).build());
        }
        List<Message> got = new CopyOnWriteArrayList<>();
        Consumer consumer = Mq.newConsumer("secure", TestNames.group(purpose), Option.withTransport("kafka"),
                Option.withConfig(config.toBuilder().consumer(c -> c.autoOffsetReset("earliest")).build()));
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread loop = new Thread(() -> {
            try {
                consumer.subscribe(List.of(topic), got::add);
                ended.complete(null);
            } catch (Throwable t) {
                ended.complete(t);
            }
        });
        loop.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> !got.isEmpty() || ended.isDone());
        } finally {
            consumer.close();
        }
        assertThat(ended.get(60, TimeUnit.SECONDS)).as("subscribe error").isNull();
        assertThat(got).hasSize(1);
        assertThat(got.get(0).valueAsString()).isEqualTo("secret payload");
        assertThat(got.get(0).traceId()).isEqualTo(purpose);
    }

    /** Runs {@code subscribe} and returns what it threw, failing if it did not end within {@code bound}. */
    static Throwable subscribeFailure(MqConfig config, String topic, Duration bound) throws Exception {
        Consumer consumer = Mq.newConsumer("secure", TestNames.group("denied"), Option.withTransport("kafka"),
                Option.withConfig(config));
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread loop = new Thread(() -> {
            try {
                consumer.subscribe(List.of(topic), m -> { });
                ended.complete(null);
            } catch (Throwable t) {
                ended.complete(t);
            }
        });
        loop.start();
        try {
            return ended.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            consumer.close();
        }
    }
}
