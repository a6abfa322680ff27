/**
 * OpenTelemetry tracing for gochat MQ: {@link io.gochat.mq.otel.OtelObserver}, an observer found by
 * {@link java.util.ServiceLoader}, starts a {@code PRODUCER} span per send and a {@code CONSUMER}
 * span per callback run after the messaging semantic conventions
 * {@value io.gochat.mq.otel.MessagingAttributes#SEMCONV_VERSION}, carries W3C {@code traceparent}
 * in each record once, and keeps the library's {@code trace_id} equal to the span's trace id.
 * Span names and attribute keys: {@link io.gochat.mq.otel.MessagingAttributes}.
 */
package io.gochat.mq.otel;
