package io.gochat.mq.otel;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * An OpenTelemetry SDK for one test, not the global one: every span goes to an in-memory exporter
 * as it ends; W3C trace context propagation. Close it after the test.
 */
final class Tracing implements AutoCloseable {
    final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();

    /** The observer under test, on this SDK. */
    OtelObserver observer() {
        return new OtelObserver(sdk);
    }

    /** The ended spans named {@code name}, once there are {@code count} of them. */
    List<SpanData> spans(String name, int count) {
        await("span " + name).atMost(Duration.ofSeconds(60)).until(() -> named(name).size() >= count);
        return named(name);
    }

    private List<SpanData> named(String name) {
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).collect(Collectors.toList());
    }

    @Override
    public void close() {
        sdk.close();
    }
}
