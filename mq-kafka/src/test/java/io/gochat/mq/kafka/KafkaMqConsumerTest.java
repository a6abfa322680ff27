package io.gochat.mq.kafka;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.TestNames;
import io.gochat.mq.testkit.kafka.KafkaBrokerExtension;
import io.gochat.mq.testkit.kafka.KafkaBrokerSpec;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How the consumer shuts down when the broker is away while it closes: bounded waits, an interrupt
 * honoured, the Kafka consumer released, and nothing lost. A broker of its own, stopped mid-test.
 */
class KafkaMqConsumerTest {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.dedicated(KafkaBrokerSpec.plaintext());

    /** Nothing is committed by the interval: what was processed is committed only on close. */
    private static MqConfig config(int apiTimeoutMs) {
        return KafkaFixture.testConfig(KAFKA.broker()).toBuilder()
                .consumer(c -> c.autoOffsetReset("earliest").autoCommitIntervalMs(600_000)
                        .property("default.api.timeout.ms", Integer.toString(apiTimeoutMs)))
                .build();
    }

    private static String topicWith(String... values) {
        MqConfig config = KafkaFixture.testConfig(KAFKA.broker());
        String topic = TestNames.topic("consumer-shutdown");
        try (AdminClient admin = Mq.newAdminClient("shutdown", Option.withTransport("kafka"), Option.withConfig(config));
             Producer producer = Mq.newProducer("shutdown", Option.withTransport("kafka"), Option.withConfig(config))) {
            admin.createTopic(topic, 1, 1);
            for (String value : values) {
                producer.sendSync(Message.of(topic, "k", value));
            }
        }
        return topic;
    }

    @Test
    @DisplayName("close() with the broker away gives the commits on close one default.api.timeout.ms in all, returns after"
            + " subscribe did, and the uncommitted message is delivered again")
    void closeWithBrokerAwayIsBoundedOnce() throws Exception {
        String topic = topicWith("m1");
        String group = TestNames.group("close-away");
        Consumer consumer = Mq.newConsumer("shutdown", group, Option.withTransport("kafka"), Option.withConfig(config(8_000)));
        Subscriber subscriber = Subscriber.start(consumer, topic);
        await().atMost(Duration.ofSeconds(60)).until(() -> subscriber.values.contains("m1"));

        long took;
        KAFKA.broker().stop();
        try {
            long t0 = System.nanoTime();
            consumer.close();
            took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(subscriber.ended).as("subscribe has returned when close() returns").isDone();
        } finally {
            KAFKA.broker().start();
        }
        assertThat(subscriber.ended.get()).as("subscribe returned normally").isEmpty();
        // the final commit and the revocation in KafkaConsumer.close() each waiting the whole
        // timeout took 2 x 8 s and more; they share one
        assertThat(took).as("ms close() took with default.api.timeout.ms=8000").isLessThan(16_000);

        assertThat(nextMemberGets(topic, group)).as("the message whose offset could not be committed").isEqualTo("m1");
    }

    @Test
    @DisplayName("an interrupt while the final commit waits for an absent broker ends the wait: subscribe returns normally"
            + " with the interrupt flag set, close() returns, the Kafka consumer is closed, nothing is lost")
    void interruptDuringFinalCommit() throws Exception {
        String topic = topicWith("m1");
        String group = TestNames.group("close-interrupt");
        Consumer consumer = Mq.newConsumer("shutdown", group, Option.withTransport("kafka"), Option.withConfig(config(60_000)));
        Subscriber subscriber = Subscriber.start(consumer, topic);
        await().atMost(Duration.ofSeconds(60)).until(() -> subscriber.values.contains("m1"));
        assertThat(heartbeatThread(group)).isPresent();

        KAFKA.broker().stop();
        try {
            CompletableFuture<Void> closed = new CompletableFuture<>();
            Thread closer = new Thread(() -> {
                consumer.close();
                closed.complete(null);
            }, "closer");
            closer.setDaemon(true);
            closer.start();
            try {
                await("the final commit waiting for the broker").atMost(Duration.ofSeconds(30))
                        .until(() -> inFinalCommit(subscriber.thread));
            } catch (ConditionTimeoutException e) {
                // say where the subscribe thread is instead, so that a failure here can be explained
                throw new AssertionError(e.getMessage() + "; the subscribe thread is at "
                        + Arrays.stream(subscriber.thread.getStackTrace()).limit(25).map(String::valueOf)
                                .collect(Collectors.joining(" <- ")), e);
            }

            subscriber.thread.interrupt();

            assertThat(subscriber.ended.get(20, TimeUnit.SECONDS)).as("subscribe returned normally").isEmpty();
            assertThat(subscriber.interruptedOnReturn).as("interrupt flag when subscribe returned").isTrue();
            closed.get(20, TimeUnit.SECONDS);
            await("the Kafka consumer's heartbeat thread to end").atMost(Duration.ofSeconds(20))
                    .until(() -> heartbeatThread(group).isEmpty());
        } finally {
            KAFKA.broker().start();
        }
        assertThat(nextMemberGets(topic, group)).as("the message whose offset could not be committed").isEqualTo("m1");
    }

    private static boolean inFinalCommit(Thread thread) {
        List<String> methods = Arrays.stream(thread.getStackTrace()).map(StackTraceElement::getMethodName).toList();
        return methods.contains("commitSync") && methods.contains("shutdown");
    }

    private static Optional<Thread> heartbeatThread(String group) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("kafka-coordinator-heartbeat-thread")
                        && t.getName().endsWith(group))
                .findFirst();
    }

    /** The first value a new member of {@code group} gets. */
    private static String nextMemberGets(String topic, String group) throws Exception {
        Consumer next = Mq.newConsumer("shutdown", group, Option.withTransport("kafka"), Option.withConfig(config(60_000)));
        Subscriber subscriber = Subscriber.start(next, topic);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> !subscriber.values.isEmpty());
        } finally {
            next.close();
        }
        assertThat(subscriber.ended.get(60, TimeUnit.SECONDS)).isEmpty();
        return subscriber.values.get(0);
    }

    /** Runs subscribe on a thread of its own; records values, how it ended and the interrupt flag then. */
    private static final class Subscriber {
        final List<String> values = new CopyOnWriteArrayList<>();
        final CompletableFuture<Optional<Throwable>> ended = new CompletableFuture<>();
        volatile boolean interruptedOnReturn;
        final Thread thread;

        private Subscriber(Consumer consumer, String topic) {
            thread = new Thread(() -> {
                try {
                    consumer.subscribe(List.of(topic), m -> values.add(m.valueAsString()));
                    interruptedOnReturn = Thread.currentThread().isInterrupted();
                    ended.complete(Optional.empty());
                } catch (Throwable t) {
                    ended.complete(Optional.of(t));
                }
            }, "subscribe-" + topic);
            thread.setDaemon(true);
        }

        static Subscriber start(Consumer consumer, String topic) {
            Subscriber s = new Subscriber(consumer, topic);
            s.thread.start();
            return s;
        }
    }
}
