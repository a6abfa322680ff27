package io.gochat.mq.otel;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.TestNames;
import io.gochat.mq.testkit.kafka.KafkaBrokerExtension;
import io.gochat.mq.testkit.kafka.RawRecords;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link OtelObserver} on the real (in-process) Kafka broker; stored records read with a plain {@link KafkaConsumer}. */
class OtelKafkaTest extends OtelTracingContract {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

    @Override
    String transport() {
        return "kafka";
    }

    @Override
    MqConfig config() {
        return KAFKA.broker().config().toBuilder()
                .consumer(c -> c.sessionTimeoutMs(6000).heartbeatIntervalMs(1000).autoOffsetReset("earliest"))
                .producer(p -> p.lingerMs(1))
                .build();
    }

    @Override
    List<Map<String, List<String>>> storedHeaders(String topic, int expected) {
        List<ConsumerRecord<byte[], byte[]>> records = RawRecords.readAll(KAFKA.broker(), topic, 1, expected);
        List<Map<String, List<String>>> all = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (Header h : record.headers()) {
                headers.computeIfAbsent(h.key(), k -> new ArrayList<>())
                        .add(h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
            }
            all.add(headers);
        }
        return all;
    }

    @Test
    @DisplayName("a record with a malformed traceparent is consumed normally, in a new trace whose id the MDC holds,"
            + " with one DEBUG line naming topic, partition and offset")
    void malformedTraceparentStartsANewTrace() throws Exception {
        String topic = topic("otel-malformed");
        Logger logger = (Logger) LoggerFactory.getLogger(OtelObserver.INSTRUMENTATION_NAME);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        Seen seen = new Seen();
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(KAFKA.broker().clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer());
             Subscription ignored = consume(TestNames.group("otel-malformed"), topic, seen::record)) {
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, "k".getBytes(StandardCharsets.UTF_8),
                    "broken".getBytes(StandardCharsets.UTF_8));
            record.headers().add("traceparent", "00-not-a-trace-context-01".getBytes(StandardCharsets.UTF_8));
            raw.send(record).get();
            seen.awaitValues("broken");

            SpanData process = tracing.spans("process " + topic, 1).get(0);
            assertThat(process.getParentSpanContext().isValid()).as("a new trace: no parent").isFalse();
            assertThat(process.getLinks()).isEmpty();
            assertThat(seen.mdc.get("broken")).isEqualTo(process.getTraceId());
            List<ILoggingEvent> debug = lines.list.stream()
                    .filter(e -> e.getLevel() == Level.DEBUG && e.getMessage().startsWith("traceparent header is not a valid"))
                    .toList();
            assertThat(debug).hasSize(1);
            assertThat(debug.get(0).getKeyValuePairs()).extracting(kv -> kv.key + "=" + kv.value)
                    .contains("topic=" + topic, "partition=0", "offset=0", "traceparent=00-not-a-trace-context-01");
        } finally {
            logger.detachAppender(lines);
        }
    }

    @Test
    @DisplayName("a dead letter continues the failed message's trace and carries one traceparent and one trace_id")
    void deadLetterCarriesOneTraceparent() throws Exception {
        String topic = topic("otel-dlt");
        String deadLetters = topic("otel-dlt-dead");
        MqConfig config = config().toBuilder()
                .consumer(c -> c.retryMaxAttempts(1).deadLetterTopic(deadLetters))
                .build();
        try (Producer producer = Mq.newProducer("otel-producer", options(Option.withObserver(tracing.observer())));
             Subscription ignored = Subscription.start(Mq.newConsumer("otel-consumer", TestNames.group("otel-dlt"),
                     Option.withTransport("kafka"), Option.withConfig(config), Option.withObserver(tracing.observer())),
                     topic, message -> {
                         throw new IllegalArgumentException("never");
                     })) {
            producer.sendSync(Message.of(topic, "k", "doomed"));

            SpanData send = tracing.spans("send " + topic, 1).get(0);
            Map<String, List<String>> letter = storedHeaders(deadLetters, 1).get(0);
            SpanData resend = tracing.spans("send " + deadLetters, 1).get(0);
            assertThat(resend.getTraceId()).as("the dead letter's send continues the trace").isEqualTo(send.getTraceId());
            assertThat(letter.get("traceparent")).as("traceparent headers of the dead letter")
                    .containsExactly(traceparent(resend));
            assertThat(letter.get("trace_id")).as("trace_id headers of the dead letter").containsExactly(send.getTraceId());
            SpanData process = tracing.spans("process " + topic, 1).get(0);
            assertThat(process.getAttributes().get(MessagingAttributes.ERROR_TYPE))
                    .isEqualTo(IllegalArgumentException.class.getName());
        }
    }
}
