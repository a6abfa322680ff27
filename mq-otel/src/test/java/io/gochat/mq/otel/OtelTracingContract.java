package io.gochat.mq.otel;

import io.gochat.mq.AdminClient;
import io.gochat.mq.ConsumeCallback;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.TestNames;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static io.gochat.mq.otel.MessagingAttributes.ERROR_TYPE;
import static io.gochat.mq.otel.MessagingAttributes.MESSAGING_CLIENT_ID;
import static io.gochat.mq.otel.MessagingAttributes.MESSAGING_CONSUMER_GROUP_NAME;
import static io.gochat.mq.otel.MessagingAttributes.MESSAGING_DESTINATION_NAME;
import static io.gochat.mq.otel.MessagingAttributes.MESSAGING_DESTINATION_PARTITION_ID;
import static io.gochat.mq.otel.MessagingAttributes.MESSAGING_KAFKA_OFFSET;
import static io.gochat.mq.otel.MessagingAttributes.MESSAGING_OPERATION_NAME;
import static io.gochat.mq.otel.MessagingAttributes.MESSAGING_OPERATION_TYPE;
import static io.gochat.mq.otel.MessagingAttributes.MESSAGING_SYSTEM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What {@link OtelObserver} promises on every transport, with the OpenTelemetry SDK and its
 * in-memory exporter: spans of one message share a trace across the broker, one
 * {@code traceparent} per stored record, the MDC's {@code trace_id} is the consumer span's, the
 * attribute names are the pinned conventions', a producer without tracing still gives a
 * {@code trace_id}, and a failing callback's span carries {@code error.type}.
 */
abstract class OtelTracingContract {
    /** A W3C trace id a service without tracing put into its MDC. */
    static final String UNTRACED_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    Tracing tracing;

    /** The transport under test. */
    abstract String transport();

    /** Its configuration; consumers start at the earliest offset. */
    abstract MqConfig config();

    /**
     * Each record stored in {@code topic}'s single partition, in order, as the broker keeps it:
     * header name to every value under that name.
     */
    abstract List<Map<String, List<String>>> storedHeaders(String topic, int expected);

    @BeforeEach
    void startTracing() {
        tracing = new Tracing();
    }

    @AfterEach
    void stopTracing() {
        tracing.close();
        MDC.remove(Message.TRACE_ID_HEADER);
    }

    Option[] options(Option... more) {
        Option[] all = new Option[more.length + 2];
        all[0] = Option.withTransport(transport());
        all[1] = Option.withConfig(config());
        System.arraycopy(more, 0, all, 2, more.length);
        return all;
    }

    String topic(String purpose) {
        String topic = TestNames.topic(purpose);
        try (AdminClient admin = Mq.newAdminClient("otel-admin", options())) {
            admin.createTopic(topic, 1, 1);
        }
        return topic;
    }

    Subscription consume(String group, String topic, ConsumeCallback callback) {
        return Subscription.start(Mq.newConsumer("otel-consumer", group, options(Option.withObserver(tracing.observer()))),
                topic, callback);
    }

    /** The W3C traceparent that carries {@code span}. */
    static String traceparent(SpanData span) {
        return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getSpanContext().getTraceFlags().asHex();
    }

    /** What a callback saw: the MDC's trace_id and the current span, per message value. */
    static final class Seen {
        final Map<String, String> mdc = new ConcurrentHashMap<>();
        final Map<String, SpanContext> current = new ConcurrentHashMap<>();

        void record(Message message) {
            String traceId = MDC.get(Message.TRACE_ID_HEADER);
            mdc.put(message.valueAsString(), traceId == null ? "<none>" : traceId);
            current.put(message.valueAsString(), Span.current().getSpanContext());
        }

        void awaitValues(String... values) {
            await().atMost(Duration.ofSeconds(60)).until(() -> mdc.keySet().containsAll(List.of(values)));
        }
    }

    @Test
    @DisplayName("producer and consumer spans of one message share a trace across the broker: the consumer span's parent is"
            + " the producer span; one traceparent and one trace_id per stored record, also on a message forwarded"
            + " with its headers; the MDC's trace_id in the callback is the consumer span's")
    void oneTraceAcrossTheBroker() throws Exception {
        String topic = topic("otel-trace");
        String forwarded = topic("otel-forward");
        String group = TestNames.group("otel-trace");
        Seen seen = new Seen();
        try (Producer producer = Mq.newProducer("otel-producer", options(Option.withObserver(tracing.observer())));
             Subscription ignored = consume(group, topic, message -> {
                 seen.record(message);
                 // a consumed message published again with all its headers: its traceparent is replaced, not repeated
                 producer.sendSync(Message.builder(forwarded).key(message.key()).value(message.value())
                         .headers(message.headers()).build());
             })) {
            Span request = tracing.sdk.getTracer("test").spanBuilder("request").startSpan();
            try (Scope scope = request.makeCurrent()) {
                producer.sendSync(Message.of(topic, "user-42", "hello"));
            } finally {
                request.end();
            }
            seen.awaitValues("hello");

            SpanData send = tracing.spans("send " + topic, 1).get(0);
            SpanData process = tracing.spans("process " + topic, 1).get(0);
            SpanData forward = tracing.spans("send " + forwarded, 1).get(0);
            String traceId = request.getSpanContext().getTraceId();

            assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
            assertThat(send.getParentSpanId()).as("the send's parent: the caller's span").isEqualTo(request.getSpanContext().getSpanId());
            assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(process.getTraceId()).as("one trace across the broker").isEqualTo(traceId);
            assertThat(process.getParentSpanId()).as("the process span's parent: the producer span").isEqualTo(send.getSpanId());
            assertThat(process.getLinks()).as("and a link to it").extracting(l -> l.getSpanContext().getSpanId())
                    .containsExactly(send.getSpanId());
            assertThat(forward.getParentSpanId()).as("a send inside the callback: child of the process span")
                    .isEqualTo(process.getSpanId());

            assertThat(seen.mdc.get("hello")).as("MDC trace_id in the callback").isEqualTo(process.getTraceId());
            assertThat(seen.current.get("hello").getSpanId()).as("Span.current() in the callback").isEqualTo(process.getSpanId());

            Map<String, List<String>> stored = storedHeaders(topic, 1).get(0);
            assertThat(stored.get("traceparent")).as("traceparent headers of the stored record")
                    .containsExactly(traceparent(send));
            assertThat(stored.get("trace_id")).as("trace_id headers of the stored record").containsExactly(traceId);
            Map<String, List<String>> republished = storedHeaders(forwarded, 1).get(0);
            assertThat(republished.get("traceparent")).as("traceparent headers of the forwarded record")
                    .containsExactly(traceparent(forward));
            assertThat(republished.get("trace_id")).as("trace_id headers of the forwarded record").containsExactly(traceId);

            String clientIdPrefix = config().common().clientIdPrefix();
            assertThat(send.getAttributes().asMap()).as("producer span attributes").containsExactlyInAnyOrderEntriesOf(Map.<AttributeKey<?>, Object>of(
                    MESSAGING_SYSTEM, "kafka",
                    MESSAGING_OPERATION_NAME, "send",
                    MESSAGING_OPERATION_TYPE, "send",
                    MESSAGING_DESTINATION_NAME, topic,
                    MESSAGING_DESTINATION_PARTITION_ID, "0", // where the broker stored it: set at the acknowledgement
                    MESSAGING_KAFKA_OFFSET, 0L,
                    MESSAGING_CLIENT_ID, clientIdPrefix + "-otel-producer"));
            assertThat(process.getAttributes().asMap()).as("consumer span attributes").containsExactlyInAnyOrderEntriesOf(Map.<AttributeKey<?>, Object>of(
                    MESSAGING_SYSTEM, "kafka",
                    MESSAGING_OPERATION_NAME, "process",
                    MESSAGING_OPERATION_TYPE, "process",
                    MESSAGING_DESTINATION_NAME, topic,
                    MESSAGING_DESTINATION_PARTITION_ID, "0",
                    MESSAGING_KAFKA_OFFSET, 0L,
                    MESSAGING_CONSUMER_GROUP_NAME, group,
                    MESSAGING_CLIENT_ID, clientIdPrefix + "-otel-consumer"));
            assertThat(process.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        }
    }

    @Test
    @DisplayName("the attribute keys are those of the pinned semantic conventions, and never the message key")
    void attributeNamesArePinned() {
        assertThat(MessagingAttributes.SEMCONV_VERSION).isEqualTo("1.27.0");
        assertThat(List.of(MESSAGING_SYSTEM, MESSAGING_OPERATION_NAME, MESSAGING_OPERATION_TYPE, MESSAGING_DESTINATION_NAME,
                MESSAGING_DESTINATION_PARTITION_ID, MESSAGING_KAFKA_OFFSET, MESSAGING_CONSUMER_GROUP_NAME, MESSAGING_CLIENT_ID,
                ERROR_TYPE)).extracting(AttributeKey::getKey).containsExactly("messaging.system", "messaging.operation.name",
                "messaging.operation.type", "messaging.destination.name", "messaging.destination.partition.id",
                "messaging.kafka.offset", "messaging.consumer.group.name", "messaging.client.id", "error.type");
    }

    @Test
    @DisplayName("a message from a producer without tracing still gets a trace_id: the MDC's is sent as today and the"
            + " consumer span joins that trace; a message without any gets the consumer span's new trace id")
    void untracedProducerStillGivesATraceId() throws Exception {
        String topic = topic("otel-untraced");
        Seen seen = new Seen();
        // no observer given: the one found on the class path sees the unset global OpenTelemetry and stays out
        try (Producer producer = Mq.newProducer("otel-untraced", options());
             Subscription ignored = consume(TestNames.group("otel-untraced"), topic, seen::record)) {
            MDC.put(Message.TRACE_ID_HEADER, UNTRACED_ID);
            producer.sendSync(Message.of(topic, "k", "with-mdc"));
            MDC.remove(Message.TRACE_ID_HEADER);
            producer.sendSync(Message.of(topic, "k", "without"));
            seen.awaitValues("with-mdc", "without");

            List<SpanData> processed = tracing.spans("process " + topic, 2);
            List<Map<String, List<String>>> stored = storedHeaders(topic, 2);
            assertThat(stored.get(0)).as("the first record, from a producer without tracing")
                    .containsEntry("trace_id", List.of(UNTRACED_ID)).doesNotContainKey("traceparent");
            assertThat(stored.get(1)).as("the second record").isEmpty();

            assertThat(seen.mdc.get("with-mdc")).isEqualTo(UNTRACED_ID);
            assertThat(seen.current.get("with-mdc").getTraceId()).as("the consumer span's trace").isEqualTo(UNTRACED_ID);
            assertThat(processed.get(0).getTraceId()).isEqualTo(UNTRACED_ID);

            String fresh = seen.mdc.get("without");
            assertThat(fresh).as("MDC trace_id of a message without one").matches("[0-9a-f]{32}").isNotEqualTo(UNTRACED_ID);
            assertThat(processed.get(1).getTraceId()).isEqualTo(fresh);
            assertThat(processed.get(1).getParentSpanContext().isValid()).as("a new trace: no parent").isFalse();
        }
    }

    @Test
    @DisplayName("a failing callback's consumer span has error.type (the exception's class) and status ERROR;"
            + " consumption goes on")
    void failingCallbackHasErrorType() throws Exception {
        String topic = topic("otel-fail");
        Seen seen = new Seen();
        try (Producer producer = Mq.newProducer("otel-producer", options(Option.withObserver(tracing.observer())));
             Subscription ignored = consume(TestNames.group("otel-fail"), topic, message -> {
                 seen.record(message);
                 if (message.valueAsString().equals("bad")) {
                     throw new IllegalStateException("refused");
                 }
             })) {
            producer.sendSync(Message.of(topic, "k", "bad"));
            producer.sendSync(Message.of(topic, "k", "good"));
            seen.awaitValues("bad", "good");

            List<SpanData> processed = tracing.spans("process " + topic, 2);
            assertThat(processed.get(0).getAttributes().get(ERROR_TYPE)).isEqualTo(IllegalStateException.class.getName());
            assertThat(processed.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(processed.get(1).getAttributes().get(ERROR_TYPE)).as("the next, successful one").isNull();
            assertThat(tracing.spans("send " + topic, 2)).allSatisfy(s -> assertThat(s.getAttributes().get(ERROR_TYPE)).isNull());
        }
    }
}
