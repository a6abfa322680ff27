package io.gochat.mq;

import io.gochat.mq.internal.MessageAccess;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageTest {

    @Test
    @DisplayName("a built message does not change when the caller's arrays change")
    void copiesArraysOnTheWayIn() {
        byte[] key = {1, 2};
        byte[] value = {3, 4};
        byte[] header = {5};
        Message m = Message.builder("t").key(key).value(value).header("h", header).build();
        key[0] = 9;
        value[0] = 9;
        header[0] = 9;
        assertThat(m.key()).containsExactly(1, 2);
        assertThat(m.value()).containsExactly(3, 4);
        assertThat(m.header("h")).containsExactly(5);
    }

    @Test
    @DisplayName("changing what an accessor returned does not change the message")
    void copiesArraysOnTheWayOut() {
        Message m = Message.builder("t").key("k").value("v").header("h", "x").build();
        m.key()[0] = 0;
        m.value()[0] = 0;
        m.headers().get("h")[0] = 0;
        assertThat(m.keyAsString()).isEqualTo("k");
        assertThat(m.valueAsString()).isEqualTo("v");
        assertThat(m.headerAsString("h")).isEqualTo("x");
        assertThatThrownBy(() -> m.headers().put("y", new byte[0])).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    @DisplayName("null key, null value and null header values are kept as null")
    void keepsNulls() {
        Message m = Message.builder("t").header("h", (byte[]) null).build();
        assertThat(m.key()).isNull();
        assertThat(m.value()).isNull();
        assertThat(m.valueSize()).isZero();
        assertThat(m.headers()).containsKey("h");
        assertThat(m.header("h")).isNull();
    }

    @Test
    @DisplayName("a message not yet sent has partition, offset and timestamp -1")
    void unsentPosition() {
        Message m = Message.of("t", "k", "v");
        assertThat(m.partition()).isEqualTo(-1);
        assertThat(m.offset()).isEqualTo(-1);
        assertThat(m.timestamp()).isEqualTo(-1);
        Message received = MessageAccess.received("t", m.key(), m.value(), Map.of(), 2, 7, 1234);
        assertThat(received.partition()).isEqualTo(2);
        assertThat(received.offset()).isEqualTo(7);
        assertThat(received.timestamp()).isEqualTo(1234);
        assertThat(received).isNotEqualTo(m);
        assertThat(received.toBuilder().build()).as("a builder makes unsent messages only").isEqualTo(m)
                .hasSameHashCodeAs(m);
    }

    @Test
    @DisplayName("no public method sets a position: the builder has no receivedAt, and toBuilder drops a received one")
    void applicationCodeCannotClaimAPosition() {
        assertThat(Message.Builder.class.getMethods()).extracting(java.lang.reflect.Method::getName)
                .doesNotContain("receivedAt", "partition", "offset", "timestamp");
        Message received = MessageAccess.received("t", null, "v".getBytes(StandardCharsets.UTF_8), Map.of(), 4, 99, 5);
        Message changed = received.toBuilder().value("forged").build();
        assertThat(changed.partition()).isEqualTo(-1);
        assertThat(changed.offset()).isEqualTo(-1);
        assertThat(changed.timestamp()).isEqualTo(-1);
    }

    @Test
    @DisplayName("the builder can be reused without changing messages already built")
    void builderReuse() {
        Message.Builder b = Message.builder("t").header("a", "1");
        Message first = b.build();
        b.header("b", "2").removeHeader("a");
        assertThat(first.headers()).containsOnlyKeys("a");
        assertThat(b.build().headers()).containsOnlyKeys("b");
    }

    @Test
    @DisplayName("Message.of copies the caller's arrays: changing them after the call changes nothing")
    void ofCopiesArrays() {
        byte[] key = {1, 2};
        byte[] value = {3, 4};
        Message m = Message.of("t", key, value);
        key[0] = 9;
        value[0] = 9;

        assertThat(m.key()).containsExactly(1, 2);
        assertThat(m.value()).containsExactly(3, 4);
        assertThat(m.headers()).isEmpty();
        assertThat(m).isEqualTo(Message.builder("t").key(new byte[] {1, 2}).value(new byte[] {3, 4}).build())
                .hasSameHashCodeAs(Message.builder("t").key(new byte[] {1, 2}).value(new byte[] {3, 4}).build());
        assertThat(m.partition()).isEqualTo(-1);
    }

    @Test
    @DisplayName("Message.of with strings encodes UTF-8 and keeps nulls; it equals the builder's message")
    void ofStrings() {
        Message m = Message.of("t", "ключ", null);

        assertThat(m.key()).isEqualTo("ключ".getBytes(StandardCharsets.UTF_8));
        assertThat(m.value()).isNull();
        assertThat(Message.of("t", (String) null, "v").key()).isNull();
        assertThat(m).isEqualTo(Message.builder("t").key("ключ").build());
    }

    @Test
    @DisplayName("Message.of refuses a null or blank topic like the builder")
    void ofBadTopic() {
        assertThatThrownBy(() -> Message.of(null, "k", "v")).isInstanceOf(NullPointerException.class)
                .hasMessage("topic must not be null");
        assertThatThrownBy(() -> Message.of(" ", new byte[0], null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topic must not be blank");
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", " ", "\t", "\n ", "\u001F", "\u2003\u2003", " \u3000"})
    @DisplayName("every topic String.isBlank calls blank is refused, whatever its first character")
    void blankTopics(String topic) {
        assertThat(topic.isBlank()).as("the case is blank").isTrue();
        assertThatThrownBy(() -> Message.of(topic, "k", "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topic must not be blank");
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"t", "~", "!x", "\u00A0", "\u00E9vents", "\u4E2D\u6587", " x", "\u2003x"})
    @DisplayName("a topic with any character that is not white space is accepted")
    void nonBlankTopics(String topic) {
        assertThat(topic.isBlank()).as("the case is not blank").isFalse();
        assertThat(Message.of(topic, "k", "v").topic()).isEqualTo(topic);
    }

    @Test
    @DisplayName("a reused builder copies the headers before changing them: every message keeps its own, in order")
    void builderReuseKeepsEachMessagesHeaders() {
        Message.Builder b = Message.builder("t").header("a", "1").header("b", "2");
        Message first = b.build();
        b.header("a", "changed");
        Message second = b.build();
        b.removeHeader("b");
        Message third = b.build();
        b.removeHeader("absent").header("c", "3");

        assertThat(first.headers().keySet()).containsExactly("a", "b");
        assertThat(first.headerAsString("a")).isEqualTo("1");
        assertThat(second.headers().keySet()).containsExactly("a", "b");
        assertThat(second.headerAsString("a")).isEqualTo("changed");
        assertThat(third.headers().keySet()).containsExactly("a");
        assertThat(b.build().headers().keySet()).containsExactly("a", "c");
        assertThat(third.headers().keySet()).containsExactly("a");
    }

    @Test
    @DisplayName("a null or blank topic is refused at once, naming the argument")
    void badTopic() {
        assertThatThrownBy(() -> Message.builder(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("topic");
        assertThatThrownBy(() -> Message.builder("  ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topic");
        assertThatThrownBy(() -> Message.builder("t").header(null, "x")).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("header name");
    }

    @Test
    @DisplayName("toString shows sizes and header names, never the payload")
    void toStringHidesPayload() {
        Message m = Message.builder("t").key("user-1").value("secret-body").header("trace_id", "abc").build();
        assertThat(m.toString()).contains("t", "trace_id", "valueBytes=11").doesNotContain("secret-body", "user-1");
        assertThat(m.traceId()).isEqualTo("abc");
        assertThat(m.value()).isEqualTo("secret-body".getBytes(StandardCharsets.UTF_8));
    }
}
