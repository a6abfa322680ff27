package io.gochat.mq.otel;

import io.gochat.mq.Message;
import io.gochat.mq.observe.ClientInfo;
import io.gochat.mq.observe.ClientObserver;
import io.gochat.mq.observe.ConsumeObservation;
import io.gochat.mq.observe.SendObservation;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import org.slf4j.Logger;
import org.slf4j.MDC;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static io.gochat.mq.otel.MessagingAttributes.ERROR_OTHER;
import static io.gochat.mq.otel.MessagingAttributes.ERROR_TYPE;
import static io.gochat.mq.otel.MessagingAttributes.MESSAGING_CLIENT_ID;
import static io.gochat.mq.otel.MessagingAttributes.MESSAGING_CONSUMER_GROUP_NAME;
import static io.gochat.mq.otel.MessagingAttributes.MESSAGING_DESTINATION_NAME;
import static io.gochat.mq.otel.MessagingAttributes.MESSAGING_DESTINATION_PARTITION_ID;
import static io.gochat.mq.otel.MessagingAttributes.MESSAGING_KAFKA_OFFSET;
import static io.gochat.mq.otel.MessagingAttributes.MESSAGING_OPERATION_NAME;
import static io.gochat.mq.otel.MessagingAttributes.MESSAGING_OPERATION_TYPE;
import static io.gochat.mq.otel.MessagingAttributes.MESSAGING_SYSTEM;
import static io.gochat.mq.otel.MessagingAttributes.OPERATION_PROCESS;
import static io.gochat.mq.otel.MessagingAttributes.OPERATION_SEND;
import static io.gochat.mq.otel.MessagingAttributes.SYSTEM_KAFKA;

/**
 * Traces one client: a PRODUCER span per send, a CONSUMER span per callback run (see
 * {@link OtelObserver} for the rules). Called on the client's threads: {@link #sendStarted} on the
 * sending thread, the send's completion on a transport thread, {@link #consumeStarted} and its
 * completion on the thread that runs the callback. Holds no mutable state; thread-safe.
 */
final class ClientTracing implements ClientObserver {
    /** The MDC key and header of the library's trace id. */
    private static final String TRACE_ID = Message.TRACE_ID_HEADER;
    private static final String TRACEPARENT = "traceparent";
    /** How much of a malformed {@code traceparent} the DEBUG line shows (a valid one has 55 characters). */
    private static final int SHOWN_TRACEPARENT = 64;

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    /** Whether {@link #propagator} reads {@code traceparent}: only then is a malformed one worth a log line. */
    private final boolean readsTraceparent;
    private final ClientInfo client;
    private final Logger log;

    ClientTracing(Tracer tracer, TextMapPropagator propagator, ClientInfo client, Logger log) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.readsTraceparent = propagator.fields().contains(TRACEPARENT);
        this.client = client;
        this.log = log;
    }

    @Override
    public SendObservation sendStarted(Message message) {
        String traceIdHeader = message.traceId();
        // a trace_id header present with a null value means "explicitly none": kept as the sender chose
        boolean explicitlyNone = traceIdHeader == null && message.headers().containsKey(TRACE_ID);
        Context parent = sendParent(message, traceIdHeader, explicitlyNone);
        Span span = tracer.spanBuilder(OPERATION_SEND + " " + message.topic())
                .setParent(parent)
                .setSpanKind(SpanKind.PRODUCER)
                .setAttribute(MESSAGING_SYSTEM, SYSTEM_KAFKA)
                .setAttribute(MESSAGING_OPERATION_NAME, OPERATION_SEND)
                .setAttribute(MESSAGING_OPERATION_TYPE, OPERATION_SEND)
                .setAttribute(MESSAGING_DESTINATION_NAME, message.topic())
                .setAttribute(MESSAGING_CLIENT_ID, client.clientId())
                .startSpan();
        Map<String, byte[]> headers = new HashMap<>(8);
        propagator.inject(parent.with(span), headers, CreationContext.ADDED_HEADERS);
        SpanContext sent = span.getSpanContext();
        if (sent.isValid() && !explicitlyNone) {
            headers.put(TRACE_ID, sent.getTraceId().getBytes(StandardCharsets.US_ASCII));
        }
        if (headers.isEmpty() && !span.isRecording()) {
            return SendObservation.NONE; // nothing to propagate, nothing recorded
        }
        return new SendSpan(span, headers);
    }

    /**
     * The parent of a send's span: the caller's current span; else the creation context the message
     * carries (a consumed message published again, such as a dead letter, continues its trace and
     * its {@code traceparent} is replaced, not repeated); else the trace its {@code trace_id} header,
     * or the MDC's {@code trace_id} when it has none, names ({@link CreationContext#adopt}); else
     * none: a new trace.
     */
    private Context sendParent(Message message, String traceIdHeader, boolean explicitlyNone) {
        Context current = Context.current();
        if (Span.fromContext(current).getSpanContext().isValid()) {
            return current;
        }
        Context carried = CreationContext.extract(propagator, current, message);
        if (carried != null) {
            return carried;
        }
        String traceId = traceIdHeader != null ? traceIdHeader : explicitlyNone ? null : MDC.get(TRACE_ID);
        Context adopted = CreationContext.adopted(current, traceId);
        return adopted != null ? adopted : current;
    }

    @Override
    public ConsumeObservation consumeStarted(Message message, int attempt) {
        Context current = Context.current();
        Context creation = CreationContext.extract(propagator, Context.root(), message);
        SpanContext link = null;
        if (creation != null) {
            link = Span.fromContext(creation).getSpanContext();
        } else {
            logMalformed(message);
            creation = CreationContext.adopted(Context.root(), message.traceId());
        }
        // The creation context is the parent (semantic conventions: MAY, for single messages) unless
        // the callback's thread already runs in a span, which then stays the parent (NOT RECOMMENDED otherwise).
        boolean ambient = Span.fromContext(current).getSpanContext().isValid();
        Context parent = ambient || creation == null ? current : creation;
        SpanBuilder builder = tracer.spanBuilder(OPERATION_PROCESS + " " + message.topic())
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(MESSAGING_SYSTEM, SYSTEM_KAFKA)
                .setAttribute(MESSAGING_OPERATION_NAME, OPERATION_PROCESS)
                .setAttribute(MESSAGING_OPERATION_TYPE, OPERATION_PROCESS)
                .setAttribute(MESSAGING_DESTINATION_NAME, message.topic())
                .setAttribute(MESSAGING_DESTINATION_PARTITION_ID, Integer.toString(message.partition()))
                .setAttribute(MESSAGING_KAFKA_OFFSET, message.offset())
                .setAttribute(MESSAGING_CLIENT_ID, client.clientId());
        if (client.group() != null) {
            builder.setAttribute(MESSAGING_CONSUMER_GROUP_NAME, client.group());
        }
        if (link != null) {
            builder.addLink(link); // semantic conventions: a process span SHOULD link to the creation context
        }
        Span span = builder.startSpan();
        SpanContext processing = span.getSpanContext();
        if (processing.isValid()) {
            // the library's scope around the callback restores the MDC's trace_id after completed()
            MDC.put(TRACE_ID, processing.getTraceId());
        }
        Scope scope = parent.with(span).makeCurrent();
        return new ProcessSpan(span, scope);
    }

    /** One DEBUG line for a {@code traceparent} the propagator could not read: the message starts a new trace. */
    private void logMalformed(Message message) {
        if (!readsTraceparent || !log.isDebugEnabled()) {
            return;
        }
        String traceparent = message.headerAsString(TRACEPARENT);
        if (traceparent == null) {
            return;
        }
        log.atDebug().setMessage("traceparent header is not a valid W3C trace context; the message is processed in a new trace")
                .addKeyValue("topic", message.topic())
                .addKeyValue("partition", message.partition())
                .addKeyValue("offset", message.offset())
                .addKeyValue("traceparent", traceparent.length() > SHOWN_TRACEPARENT
                        ? traceparent.substring(0, SHOWN_TRACEPARENT) + "…" : traceparent)
                .log();
    }

    /** Marks {@code span} failed with {@code failure}'s type. */
    private static void failed(Span span, Throwable failure) {
        span.setAttribute(ERROR_TYPE, failure == null ? ERROR_OTHER : failure.getClass().getName());
        span.setStatus(StatusCode.ERROR);
    }

    /** A send's PRODUCER span and the headers that carry it. */
    private static final class SendSpan implements SendObservation {
        private final Span span;
        private final Map<String, byte[]> headers;

        SendSpan(Span span, Map<String, byte[]> headers) {
            this.span = span;
            this.headers = headers;
        }

        @Override
        public Map<String, byte[]> headers() {
            return headers;
        }

        @Override
        public void acknowledged(int partition, long offset) {
            span.setAttribute(MESSAGING_DESTINATION_PARTITION_ID, Integer.toString(partition));
            if (offset >= 0) {
                span.setAttribute(MESSAGING_KAFKA_OFFSET, offset);
            }
        }

        @Override
        public void completed(Throwable error) {
            if (error != null) {
                failed(span, error);
            }
            span.end();
        }
    }

    /** A callback run's CONSUMER span, current on its thread until completed. */
    private static final class ProcessSpan implements ConsumeObservation {
        private final Span span;
        private final Scope scope;

        ProcessSpan(Span span, Scope scope) {
            this.span = span;
            this.scope = scope;
        }

        @Override
        public void completed(Outcome outcome, Throwable failure) {
            try {
                scope.close();
            } finally {
                if (outcome != Outcome.SUCCESS) {
                    failed(span, failure);
                }
                span.end();
            }
        }
    }
}
