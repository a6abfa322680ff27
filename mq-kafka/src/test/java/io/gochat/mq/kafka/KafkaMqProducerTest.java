package io.gochat.mq.kafka;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.TestNames;
import io.gochat.mq.testkit.kafka.KafkaBrokerExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;

/** The producer's close against the shared real broker. */
class KafkaMqProducerTest {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

    @Test
    @DisplayName("a send callback that calls close() while another thread closes does not deadlock: both return,"
            + " every message is delivered and every callback runs once")
    void closeFromCallbackDuringClose() throws Exception {
        // a long linger keeps every message buffered until close() flushes it, so the callbacks run
        // on Kafka's I/O thread while the other thread is inside close()
        MqConfig config = KafkaFixture.testConfig(KAFKA.broker()).toBuilder()
                .producer(p -> p.lingerMs(10_000).closeTimeoutMs(5_000)).build();
        String topic = TestNames.topic("close-in-callback");
        try (AdminClient admin = Mq.newAdminClient("close-cb", Option.withTransport("kafka"), Option.withConfig(config))) {
            admin.createTopic(topic, 1, 1);
        }
        Producer producer = Mq.newProducer("close-cb", Option.withTransport("kafka"), Option.withConfig(config));
        int n = 20;
        AtomicIntegerArray calls = new AtomicIntegerArray(n);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = i;
            producer.send(Message.of(topic, "k", "v" + i), error -> {
                calls.incrementAndGet(id);
                if (error != null) {
                    errors.add(error);
                }
                producer.close();
            });
        }

        CompletableFuture<Void> closed = new CompletableFuture<>();
        Thread closer = new Thread(() -> {
            producer.close();
            closed.complete(null);
        }, "closer");
        closer.setDaemon(true);
        closer.start();

        closed.get(30, TimeUnit.SECONDS);
        assertThat(errors).isEmpty();
        for (int i = 0; i < n; i++) {
            assertThat(calls.get(i)).as("callbacks of message %s", i).isEqualTo(1);
        }
    }
}
