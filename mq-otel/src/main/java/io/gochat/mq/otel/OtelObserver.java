package io.gochat.mq.otel;

import io.gochat.mq.observe.ClientInfo;
import io.gochat.mq.observe.ClientObserver;
import io.gochat.mq.observe.MqObserver;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.TracerBuilder;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.propagation.TextMapPropagator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Traces gochat MQ clients with OpenTelemetry: a {@code PRODUCER} span {@code send <topic>} per
 * send and a {@code CONSUMER} span {@code process <topic>} per callback run, named and attributed
 * after the messaging semantic conventions {@value MessagingAttributes#SEMCONV_VERSION} (every
 * name in {@link MessagingAttributes}; never the message key). On the OpenTelemetry API only.
 *
 * <p><b>Propagation.</b> On send, the configured propagator (W3C {@code traceparent}, and
 * {@code tracestate} when there is one) writes the producer span's context into the record's
 * headers, replacing any of the same name: each record carries one {@code traceparent}, also a
 * consumed message published again. On consume it is read back: the consumer span's parent is
 * the producer span (the conventions' "creation context as parent", for single messages), and it
 * also links to it. A malformed {@code traceparent} is logged at DEBUG ({@code io.gochat.mq.otel})
 * and the message is processed in a new trace.
 *
 * <p><b>trace_id.</b> The library's {@code trace_id} follows the spans: the header sent is the
 * producer span's trace id (a {@code trace_id} header set to {@code null} stays as the sender chose),
 * and during the callback the MDC's {@code trace_id} is the consumer span's, which is current
 * ({@code Span.current()}) until the callback returns. A message with a {@code trace_id} of 32
 * lowercase hex digits and no {@code traceparent} — from a service without tracing — keeps that trace
 * id: its spans join that trace under a parent no span has. A send's parent is the current span;
 * without one, the context the message already carries; without that, the trace its
 * {@code trace_id} header (or the MDC's) names; otherwise a new trace.
 *
 * <p><b>Cost.</b> When the {@link OpenTelemetry} has neither a tracer provider nor a propagator —
 * the no-op API with no SDK installed — every client gets {@link ClientObserver#NONE}: the library
 * skips the observer and the {@code trace_id} behaves exactly as without this module (the MDC's
 * value is sent when a message has none; the callback sees the message's).
 *
 * <p><b>Registration.</b> Found by {@link java.util.ServiceLoader} (this module on the class path is
 * enough), then it uses {@link GlobalOpenTelemetry} as it is when each client is created — set it
 * (the Java agent and the SDK's autoconfigure do) before creating clients; this class never sets it.
 * Or give one explicitly:
 *
 * <pre>{@code
 * OpenTelemetry otel = ...; // your SDK
 * Producer producer = Mq.newProducer("im-gateway", Option.withObserver(new OtelObserver(otel)));
 * }</pre>
 *
 * <p>Do not give it with {@code Option.withObserver} while it is also found on the class path with a
 * global SDK: each would start a span. Thread-safe.
 */
public final class OtelObserver implements MqObserver {
    /** The instrumentation scope name of the spans. */
    public static final String INSTRUMENTATION_NAME = "io.gochat.mq.otel";

    private static final Logger LOG = LoggerFactory.getLogger(INSTRUMENTATION_NAME);

    private final Supplier<OpenTelemetry> openTelemetry;

    /**
     * Traces with {@link GlobalOpenTelemetry} as it is when each client is created; the no-op API
     * (nothing traced) while none is set. Does not set the global.
     */
    public OtelObserver() {
        this.openTelemetry = GlobalOpenTelemetry::getOrNoop;
    }

    /**
     * Traces with {@code openTelemetry}'s tracer provider and text-map propagator.
     *
     * @throws NullPointerException if {@code openTelemetry} is null
     */
    public OtelObserver(OpenTelemetry openTelemetry) {
        Objects.requireNonNull(openTelemetry, "openTelemetry");
        this.openTelemetry = () -> openTelemetry;
    }

    @Override
    public ClientObserver client(ClientInfo client) {
        if (client.kind() == ClientInfo.Kind.ADMIN) {
            return ClientObserver.NONE;
        }
        OpenTelemetry otel = openTelemetry.get();
        TracerProvider tracers = otel.getTracerProvider();
        TextMapPropagator propagator = otel.getPropagators().getTextMapPropagator();
        if (tracers == TracerProvider.noop() && propagator == TextMapPropagator.noop()) {
            return ClientObserver.NONE; // nothing would be recorded or propagated
        }
        TracerBuilder tracer = tracers.tracerBuilder(INSTRUMENTATION_NAME).setSchemaUrl(MessagingAttributes.SCHEMA_URL);
        String version = OtelObserver.class.getPackage().getImplementationVersion();
        if (version != null) {
            tracer.setInstrumentationVersion(version);
        }
        return new ClientTracing(tracer.build(), propagator, client, LOG);
    }
}
