package io.gochat.mq.otel;

import io.gochat.mq.Message;
import io.gochat.mq.observe.ClientInfo;
import io.gochat.mq.observe.ClientObserver;
import io.gochat.mq.observe.SendObservation;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

/** When {@link OtelObserver} stays out of the way, and what it does with a propagator alone. */
class OtelObserverTest {
    private static final ClientInfo PRODUCER = new ClientInfo(ClientInfo.Kind.PRODUCER, "svc", "gochat-svc", null, "kafka", null);
    private static final ClientInfo ADMIN = new ClientInfo(ClientInfo.Kind.ADMIN, "svc", "gochat-svc", null, "kafka", null);

    @Test
    @DisplayName("with the no-op API, and with no global OpenTelemetry set, every client gets the no-op observer;"
            + " the global is left unset")
    void noopApiObservesNothing() {
        assertThat(new OtelObserver(OpenTelemetry.noop()).client(PRODUCER)).isSameAs(ClientObserver.NONE);
        assertThat(GlobalOpenTelemetry.isSet()).as("global set before the test").isFalse();
        assertThat(new OtelObserver().client(PRODUCER)).isSameAs(ClientObserver.NONE);
        assertThat(GlobalOpenTelemetry.isSet()).as("global set by the observer").isFalse();
    }

    @Test
    @DisplayName("it is registered for ServiceLoader")
    void registeredForServiceLoader() {
        assertThat(ServiceLoader.load(io.gochat.mq.observe.MqObserver.class).stream().map(p -> p.type().getName()))
                .contains(OtelObserver.class.getName());
    }

    @Test
    @DisplayName("admin clients are not traced")
    void adminClientsAreNotTraced() {
        try (Tracing tracing = new Tracing()) {
            assertThat(tracing.observer().client(ADMIN)).isSameAs(ClientObserver.NONE);
        }
    }

    @Test
    @DisplayName("with a propagator and no tracer, a send in a remote span's context carries that context and its trace id")
    void propagatorAlonePropagates() {
        OpenTelemetry propagating = OpenTelemetry.propagating(ContextPropagators.create(W3CTraceContextPropagator.getInstance()));
        ClientObserver observer = new OtelObserver(propagating).client(PRODUCER);
        assertThat(observer).isNotSameAs(ClientObserver.NONE);
        SpanContext remote = SpanContext.createFromRemoteParent("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                TraceFlags.getSampled(), TraceState.getDefault());
        SendObservation send;
        try (Scope ignored = Context.root().with(Span.wrap(remote)).makeCurrent()) {
            send = observer.sendStarted(Message.of("t", "k", "v"));
        }
        assertThat(new String(send.headers().get("traceparent"), StandardCharsets.UTF_8))
                .isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertThat(new String(send.headers().get("trace_id"), StandardCharsets.UTF_8)).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        send.completed(null);
    }

    @Test
    @DisplayName("a trace_id header set to null stays as the sender chose; traceparent is still added")
    void explicitNullTraceIdIsKept() {
        try (Tracing tracing = new Tracing()) {
            SendObservation send = tracing.observer().client(PRODUCER)
                    .sendStarted(Message.builder("t").key("k").value("v").header("trace_id", (String) null).build());
            assertThat(send.headers()).containsKey("traceparent").doesNotContainKey("trace_id");
            send.completed(null);
        }
    }
}
