package io.gochat.mq.otel;

import io.gochat.mq.Message;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The creation context a message carries (semantic conventions' term: the context its producer
 * span put into it), read from and written to its headers through the configured propagator — and
 * the stand-in for it when a message carries only a bare {@code trace_id}. Stateless; callable
 * from any thread.
 */
final class CreationContext {
    /** Reads a message's headers as UTF-8 strings, without copying them. */
    static final TextMapGetter<Message> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Message message) {
            return message.headers().keySet();
        }

        @Override
        public String get(Message message, String key) {
            return message == null ? null : message.headerAsString(key);
        }
    };

    /** Writes into the headers an observation adds to a record, as UTF-8. */
    static final TextMapSetter<Map<String, byte[]>> ADDED_HEADERS = (headers, key, value) -> {
        if (headers != null) {
            headers.put(key, value.getBytes(StandardCharsets.UTF_8));
        }
    };

    private CreationContext() {
    }

    /**
     * {@code base} with the span context {@code message}'s headers carry, or {@code null} when they
     * carry none that is valid (no {@code traceparent}, or a malformed one).
     */
    static Context extract(TextMapPropagator propagator, Context base, Message message) {
        Context extracted = propagator.extract(base, message, HEADERS);
        SpanContext carried = Span.fromContext(extracted).getSpanContext();
        if (!carried.isValid() || carried == Span.fromContext(base).getSpanContext()) {
            return null;
        }
        return extracted;
    }

    /**
     * The remote parent a bare {@code trace_id} stands for, so that a span started under it keeps
     * that trace id — what a gochat Go service, which sends {@code trace_id} without
     * {@code traceparent}, logged under: {@code null} unless {@code traceId} is a W3C trace id (32
     * lowercase hex digits, not all zero). No span has its span id: it is derived from the trace id
     * (its last 16 digits, or its first 16 when those are zero), so every service that adopts one
     * trace id hangs its spans under the same missing parent. Sampled: the spans of a traced
     * request from a service without tracing are recorded (with a parent-based sampler).
     */
    static SpanContext adopt(String traceId) {
        if (traceId == null || !TraceId.isValid(traceId)) {
            return null;
        }
        String spanId = traceId.substring(16);
        if (!SpanId.isValid(spanId)) {
            spanId = traceId.substring(0, 16);
        }
        return SpanContext.createFromRemoteParent(traceId, spanId, TraceFlags.getSampled(), TraceState.getDefault());
    }

    /** {@code base} with {@link #adopt}'s span context for {@code traceId}, or {@code null}. */
    static Context adopted(Context base, String traceId) {
        SpanContext parent = adopt(traceId);
        return parent == null ? null : base.with(Span.wrap(parent));
    }
}
