package io.gochat.mq.spi;

import io.gochat.mq.Message;
import io.gochat.mq.internal.MessageAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class CallbackRunnerTest {
    private final RecordingLogger logger = new RecordingLogger();
    private final Message received = MessageAccess.received("orders", "user-7".getBytes(StandardCharsets.UTF_8),
            "v".getBytes(StandardCharsets.UTF_8), headers("trace_id", "t-1"), 3, 42, 1000);

    private static Map<String, byte[]> headers(String name, String value) {
        Map<String, byte[]> headers = new LinkedHashMap<>();
        headers.put(name, value.getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    @AfterEach
    void clearMdc() {
        MDC.clear();
    }


    @Test
    @DisplayName("a throwing consume callback is logged at ERROR with topic, partition, offset, key and trace id")
    void logsFailure() {
        IllegalStateException boom = new IllegalStateException("boom");
        boolean ok = CallbackRunner.consume(m -> {
            throw boom;
        }, received, logger);
        assertThat(ok).isFalse();
        assertThat(logger.events).hasSize(1);
        LoggingEvent event = logger.events.get(0);
        assertThat(event.getLevel()).isEqualTo(Level.ERROR);
        assertThat(event.getThrowable()).isSameAs(boom);
        assertThat(event.getMessage()).contains("counts as processed");
        assertThat(RecordingLogger.keyValues(event)).containsEntry("topic", "orders").containsEntry("partition", 3)
                .containsEntry("offset", 42L).containsEntry("key", "user-7").containsEntry("trace_id", "t-1");
    }

    @Test
    @DisplayName("during the callback the MDC holds the message's trace id; afterwards the previous value is back")
    void traceIdInMdc() {
        MDC.put("trace_id", "outer");
        AtomicReference<String> seen = new AtomicReference<>();
        assertThat(CallbackRunner.consume(m -> seen.set(MDC.get("trace_id")), received, logger)).isTrue();
        assertThat(seen.get()).isEqualTo("t-1");
        assertThat(MDC.get("trace_id")).isEqualTo("outer");

        Message untraced = Message.of("orders", "k", "v");
        CallbackRunner.consume(m -> seen.set(MDC.get("trace_id")), untraced, logger);
        assertThat(seen.get()).as("a message without trace id must not inherit the thread's").isNull();
        assertThat(MDC.get("trace_id")).isEqualTo("outer");
        assertThat(logger.events).isEmpty();
    }

    @Test
    @DisplayName("a trace id the callback itself puts into the MDC does not outlive the callback")
    void callbackTraceIdDoesNotLeak() {
        Message untraced = Message.of("orders", "k", "v");
        for (Message message : new Message[] {untraced, received}) {
            CallbackRunner.consume(m -> MDC.put("trace_id", "set-by-callback"), message, logger);
            assertThat(MDC.get("trace_id")).as("after a callback for %s", message).isNull();
        }
        MDC.put("trace_id", "outer");
        CallbackRunner.consume(m -> MDC.put("trace_id", "set-by-callback"), untraced, logger);
        assertThat(MDC.get("trace_id")).isEqualTo("outer");
    }

    @Test
    @DisplayName("a consume loop: each callback sees its message's trace id or none, the thread's own is back after close")
    void consumeLoopScopesTraceIds() {
        MDC.put("trace_id", "outer");
        List<String> seen = new ArrayList<>();
        Message untraced = Message.of("orders", "k", "v");
        try (CallbackRunner.ConsumeLoop loop = CallbackRunner.ConsumeLoop.start(m -> {
            seen.add(MDC.get("trace_id"));
            if ("set".equals(m.valueAsString())) {
                MDC.put("trace_id", "set-by-callback");
            }
        }, logger)) {
            assertThat(loop.consume(untraced)).isTrue();
            assertThat(loop.consume(received)).isTrue();
            assertThat(loop.consume(Message.of("orders", "k", "set"))).isTrue();
            assertThat(loop.consume(untraced)).isTrue();
            assertThat(loop.consume(received)).isTrue();
            assertThat(loop.consume(untraced)).isTrue();
        }
        assertThat(seen).containsExactly(null, "t-1", null, null, "t-1", null);
        assertThat(MDC.get("trace_id")).isEqualTo("outer");
        assertThat(logger.events).isEmpty();
    }

    @Test
    @DisplayName("a consume loop logs a throwing callback like consume does and goes on; no trace id is left behind")
    void consumeLoopLogsFailures() {
        try (CallbackRunner.ConsumeLoop loop = CallbackRunner.ConsumeLoop.start(m -> {
            throw new IllegalStateException("boom");
        }, logger)) {
            assertThat(loop.consume(received)).isFalse();
            assertThat(loop.consume(received)).isFalse();
        }
        assertThat(logger.events).hasSize(2).allSatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(RecordingLogger.keyValues(e)).containsEntry("offset", 42L).containsEntry("trace_id", "t-1");
        });
        assertThat(MDC.get("trace_id")).isNull();
    }

    @Test
    @DisplayName("a callback that fails because its thread was interrupted is logged as a cancellation, flag kept")
    void interruptedCallbackIsACancellation() {
        try {
            boolean ok = CallbackRunner.consume(m -> {
                throw new InterruptedException("stop");
            }, received, logger);

            assertThat(ok).isFalse();
            assertThat(Thread.currentThread().isInterrupted()).as("interrupt flag restored").isTrue();
            assertThat(logger.events).singleElement().satisfies(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.ERROR);
                assertThat(e.getMessage()).contains("not committed").doesNotContain("counts as processed");
            });
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    @DisplayName("an exception from a send callback is logged and does not escape")
    void sendCallbackFailure() {
        CallbackRunner.complete(error -> {
            throw new IllegalArgumentException("user bug");
        }, null, received, logger);
        assertThat(logger.events).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(RecordingLogger.keyValues(e)).containsEntry("topic", "orders").containsEntry("trace_id", "t-1");
        });
    }

    @Test
    @DisplayName("inject adds the MDC trace id only when the message has none, without changing the caller's message")
    void inject() {
        Message plain = Message.of("t", "k", "v");
        assertThat(TraceContext.inject(plain)).isSameAs(plain);
        MDC.put("trace_id", "from-mdc");
        Message injected = TraceContext.inject(plain);
        assertThat(injected.traceId()).isEqualTo("from-mdc");
        assertThat(plain.traceId()).isNull();
        Message explicit = Message.builder("t").header("trace_id", "explicit").build();
        assertThat(TraceContext.inject(explicit)).isSameAs(explicit);
    }

    @Test
    @DisplayName("inject keeps a trace_id header set to null: the sender said 'no trace id', the MDC's must not replace it")
    void injectKeepsExplicitNullTraceId() {
        MDC.put("trace_id", "from-mdc");
        Message none = Message.builder("t").header("trace_id", (String) null).header("after", "x").build();

        Message sent = TraceContext.inject(none);

        assertThat(sent).isSameAs(none);
        assertThat(sent.traceId()).isNull();
        assertThat(sent.headers()).containsOnlyKeys("trace_id", "after").containsEntry("trace_id", null);
    }

    @Test
    @DisplayName("traceIdToAdd: the MDC's trace id only when the message has no trace_id header, even a null one")
    void traceIdToAdd() {
        Message plain = Message.of("t", "k", "v");
        Message explicit = Message.builder("t").header("trace_id", "explicit").build();
        Message explicitNull = Message.builder("t").header("trace_id", (byte[]) null).build();
        assertThat(TraceContext.traceIdToAdd(plain)).as("no MDC trace id").isNull();

        MDC.put("trace_id", "from-mdc");

        assertThat(TraceContext.traceIdToAdd(plain)).isEqualTo("from-mdc");
        assertThat(TraceContext.traceIdToAdd(Message.builder("t").header("other", "x").build())).isEqualTo("from-mdc");
        assertThat(TraceContext.traceIdToAdd(explicit)).isNull();
        assertThat(TraceContext.traceIdToAdd(explicitNull)).isNull();
        assertThat(plain.headers()).as("the message is not changed").isEmpty();
    }

    @Test
    @DisplayName("inject puts the added trace id after the message's own headers")
    void injectAppendsTheHeader() {
        MDC.put("trace_id", "from-mdc");
        Message sent = TraceContext.inject(Message.builder("t").header("b", "1").header("a", "2").build());

        assertThat(sent.headers().keySet()).containsExactly("b", "a", "trace_id");
    }

    @Test
    @DisplayName("a throwing send callback is logged with the topic and the trace id that went out")
    void sendCallbackFailureWithTraceIdThatWentOut() {
        CallbackRunner.complete(error -> {
            throw new IllegalStateException("user bug");
        }, null, "orders", "added-from-mdc", logger);
        CallbackRunner.complete(error -> { }, null, "orders", "quiet", logger);

        assertThat(logger.events).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(RecordingLogger.keyValues(e)).containsEntry("topic", "orders").containsEntry("trace_id", "added-from-mdc");
            assertThat(e.getThrowable()).hasMessage("user bug");
        });
    }

    @Test
    @DisplayName("subscribe arguments: topics are de-duplicated, bad ones named, a dead-letter topic that is subscribed or too long refused")
    void preconditions() {
        assertThat(ApiPreconditions.checkSubscribe(java.util.List.of("a", "b", "a"), (Object) "cb")).containsExactly("a", "b");
        io.gochat.mq.config.ConsumerConfig loop = io.gochat.mq.config.MqConfig.builder()
                .consumer(c -> c.deadLetterTopic("dead")).build().consumer();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ApiPreconditions.checkSubscribe(java.util.List.of("a", "dead"),
                        "cb", loop))
                .hasMessage("consumer.deadLetter.topic: expected a topic this consumer does not subscribe to, but for topic a"
                        + " it is [dead], subscribed too: its dead letters would be consumed again (write e.g. {topic}.dlt)");
        io.gochat.mq.config.ConsumerConfig tooLong = io.gochat.mq.config.MqConfig.builder()
                .consumer(c -> c.deadLetterTopic("{topic}." + "x".repeat(246))).build().consumer();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ApiPreconditions.checkSubscribe(java.util.List.of("abc"),
                        "cb", tooLong))
                .hasMessageStartingWith("consumer.deadLetter.topic: expected at most 249 characters for topic abc but was [abc.xxx");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ApiPreconditions.checkSubscribe(java.util.List.of("a", " "), "cb"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("topics[1] must not be blank");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ApiPreconditions.checkCreateTopic("t", 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partitions of topic t");
    }
}
