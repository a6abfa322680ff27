package io.gochat.mq.kafka;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.MqClosedException;
import io.gochat.mq.MqException;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.TestNames;
import io.gochat.mq.testkit.kafka.KafkaBrokerExtension;
import io.gochat.mq.testkit.kafka.RawRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static org.assertj.core.api.Assertions.assertThat;

/** The producer's send path (trace id header, callbacks) and close against the shared real broker. */
class KafkaMqProducerTest {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

    @AfterEach
    void clearMdc() {
        MDC.remove("trace_id");
    }

    private static MqConfig config() {
        return KafkaFixture.testConfig(KAFKA.broker());
    }

    private static String topic(String name, MqConfig config) {
        String topic = TestNames.topic(name);
        try (AdminClient admin = Mq.newAdminClient(name, Option.withTransport("kafka"), Option.withConfig(config))) {
            admin.createTopic(topic, 1, 1);
        }
        return topic;
    }

    /** The record's headers as stored, in order, each as {@code name=value} ({@code name=null} for a null value). */
    private static List<String> headers(ConsumerRecord<byte[], byte[]> record) {
        List<String> headers = new ArrayList<>();
        for (Header h : record.headers()) {
            headers.add(h.key() + "=" + (h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8)));
        }
        return headers;
    }

    @Test
    @DisplayName("send writes the MDC's trace_id into the record only when the message has no trace_id header:"
            + " an explicit one and a null one are sent as they are, once, in the message's header order")
    void traceIdRulesOnTheRecord() throws Exception {
        String topic = topic("trace-rules", config());
        Message plain = Message.of(topic, "k", "plain");
        Message withOthers = Message.builder(topic).key("k").value("others").header("b", "1").header("a", "2").build();
        Message explicit = Message.builder(topic).key("k").value("explicit").header("trace_id", "explicit").header("x", "1").build();
        Message explicitNull = Message.builder(topic).key("k").value("null").header("x", "1")
                .header("trace_id", (String) null).build();
        List<Message> messages = List.of(plain, withOthers, explicit, explicitNull);
        AtomicReferenceArray<Throwable> outcomes = new AtomicReferenceArray<>(messages.size());
        CountDownLatch acknowledged = new CountDownLatch(messages.size());
        try (Producer producer = Mq.newProducer("trace-rules", Option.withTransport("kafka"), Option.withConfig(config()))) {
            MDC.put("trace_id", "from-mdc");
            for (int i = 0; i < messages.size(); i++) {
                int id = i;
                producer.send(messages.get(i), error -> {
                    outcomes.set(id, error);
                    acknowledged.countDown();
                });
            }
            MDC.put("trace_id", "from-mdc-sync");
            producer.sendSync(Message.of(topic, "k", "sync"));
            assertThat(acknowledged.await(30, TimeUnit.SECONDS)).as("every callback ran").isTrue();
        }

        for (int i = 0; i < messages.size(); i++) {
            assertThat(outcomes.get(i)).as("outcome of send %s", i).isNull();
        }
        List<ConsumerRecord<byte[], byte[]>> records = RawRecords.readAll(KAFKA.broker(), topic, 1, 5);
        assertThat(records).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("plain", "others", "explicit", "null", "sync");
        assertThat(headers(records.get(0))).containsExactly("trace_id=from-mdc");
        assertThat(headers(records.get(1))).containsExactly("b=1", "a=2", "trace_id=from-mdc");
        assertThat(headers(records.get(2))).containsExactly("trace_id=explicit", "x=1");
        assertThat(headers(records.get(3))).containsExactly("x=1", "trace_id=null");
        assertThat(headers(records.get(4))).containsExactly("trace_id=from-mdc-sync");
        assertThat(plain.headers()).as("the caller's message is not changed").isEmpty();
        assertThat(withOthers.headers()).containsOnlyKeys("b", "a");
    }

    @Test
    @DisplayName("every send's callback runs exactly once: delivered, refused by Kafka before sending (too large),"
            + " and sent after close")
    void callbackExactlyOnce() {
        MqConfig config = config();
        String topic = topic("callback-once", config);
        int delivered = 50;
        int n = delivered + 2;
        AtomicIntegerArray calls = new AtomicIntegerArray(n);
        AtomicReferenceArray<Throwable> outcomes = new AtomicReferenceArray<>(n);
        Producer producer = Mq.newProducer("callback-once", Option.withTransport("kafka"), Option.withConfig(config));
        for (int i = 0; i < delivered; i++) {
            producer.send(Message.of(topic, "k" + i % 3, "v" + i), recorder(calls, outcomes, i));
        }
        // above max.request.size (1 MiB by default): Kafka fails it in send, through the callback
        producer.send(Message.of(topic, new byte[0], new byte[2 * 1024 * 1024]), recorder(calls, outcomes, delivered));
        producer.close();
        producer.send(Message.of(topic, "k", "after close"), recorder(calls, outcomes, delivered + 1));

        for (int i = 0; i < n; i++) {
            assertThat(calls.get(i)).as("callbacks of send %s", i).isEqualTo(1);
        }
        for (int i = 0; i < delivered; i++) {
            assertThat(outcomes.get(i)).as("outcome of send %s", i).isNull();
        }
        assertThat(outcomes.get(delivered)).isInstanceOf(MqException.class).hasMessageContaining(topic);
        assertThat(outcomes.get(delivered + 1)).isInstanceOf(MqClosedException.class).hasMessageContaining(topic);
    }

    private static io.gochat.mq.SendCallback recorder(AtomicIntegerArray calls, AtomicReferenceArray<Throwable> outcomes,
            int id) {
        return error -> {
            calls.incrementAndGet(id);
            outcomes.set(id, error);
        };
    }

    @Test
    @DisplayName("a throwing send callback is logged with the trace id that went out (the MDC's, added on send), and"
            + " close reports the bytes Kafka still buffered")
    void callbackFailureLogAndCloseLog() throws Exception {
        // a long linger keeps the messages buffered until close() flushes them
        MqConfig config = config().toBuilder().producer(p -> p.lingerMs(10_000).closeTimeoutMs(5_000)).build();
        String topic = topic("callback-log", config);
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("test.producer." + topic);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(ch.qos.logback.classic.Level.INFO); // the close line is INFO
        try {
            Producer producer = Mq.newProducer("callback-log", Option.withTransport("kafka"), Option.withConfig(config),
                    Option.withLogger(logger));
            MDC.put("trace_id", "added-on-send");
            producer.send(Message.of(topic, "k", "v"), error -> {
                throw new IllegalStateException("user bug");
            });
            MDC.remove("trace_id");
            producer.close();
        } finally {
            logger.detachAppender(appender);
        }

        List<ch.qos.logback.classic.spi.ILoggingEvent> events;
        synchronized (appender) {
            events = new ArrayList<>(appender.list);
        }
        assertThat(events).filteredOn(e -> e.getMessage().equals("send callback threw; ignored")).singleElement()
                .satisfies(e -> assertThat(e.getKeyValuePairs()).extracting(kv -> kv.key + "=" + kv.value)
                        .contains("topic=" + topic, "trace_id=added-on-send"));
        assertThat(events).filteredOn(e -> e.getMessage().equals("kafka producer closed")).singleElement()
                .satisfies(e -> assertThat(e.getKeyValuePairs()).filteredOn(kv -> kv.key.equals("bufferedBytesAtClose"))
                        .singleElement().satisfies(kv -> assertThat((Long) kv.value).isPositive()));
    }

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
