package io.gochat.mq.internal;

import io.gochat.mq.Message;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageAccessTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("a transport reads the message's own arrays: the same instances every time, the same bytes the accessors copy")
    void readsWithoutCopying() {
        Message message = Message.builder("orders").key("k").value("v").header("h", "1").build();

        assertThat(MessageAccess.key(message)).isSameAs(MessageAccess.key(message)).isEqualTo(message.key())
                .isNotSameAs(message.key());
        assertThat(MessageAccess.value(message)).isSameAs(MessageAccess.value(message)).isEqualTo(message.value());
        assertThat(MessageAccess.headers(message).get("h")).isSameAs(MessageAccess.headers(message).get("h"))
                .isEqualTo(utf8("1"));
        assertThatThrownBy(() -> MessageAccess.headers(message).put("x", null))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    @DisplayName("a null key, tombstone value and no headers read as null, null and an empty map")
    void readsAbsentParts() {
        Message tombstone = Message.builder("orders").build();
        assertThat(MessageAccess.key(tombstone)).isNull();
        assertThat(MessageAccess.value(tombstone)).isNull();
        assertThat(MessageAccess.headers(tombstone)).isEmpty();
    }

    @Test
    @DisplayName("received takes the arrays as they are and equals the message the builder makes of the same parts")
    void receivedTakesOwnership() {
        byte[] key = utf8("user-1");
        byte[] value = utf8("hello");
        byte[] trace = utf8("t-9");
        Map<String, byte[]> headers = new LinkedHashMap<>();
        headers.put("trace_id", trace);
        headers.put("empty", null);

        Message message = MessageAccess.received("orders", key, value, headers, 2, 17, 1234);

        assertThat(MessageAccess.key(message)).isSameAs(key);
        assertThat(MessageAccess.value(message)).isSameAs(value);
        assertThat(MessageAccess.headers(message).get("trace_id")).isSameAs(trace);
        assertThat(message).isEqualTo(MessageAccess.received("orders", utf8("user-1"), utf8("hello"),
                Message.builder("orders").header("trace_id", "t-9").header("empty", (byte[]) null).build().headers(),
                2, 17, 1234));
        assertThat(message.toBuilder().build()).isEqualTo(Message.builder("orders").key("user-1").value("hello")
                .header("trace_id", "t-9").header("empty", (byte[]) null).build());
        assertThat(message.traceId()).isEqualTo("t-9");
        assertThat(message.headers().keySet()).containsExactly("trace_id", "empty");
        assertThat(message.partition()).isEqualTo(2);
        assertThat(message.offset()).isEqualTo(17);
        assertThat(message.timestamp()).isEqualTo(1234);

        message.value()[0] = 'X';
        message.headers().get("trace_id")[0] = 'X';
        assertThat(message.valueAsString()).as("application code still gets copies").isEqualTo("hello");
        assertThat(message.traceId()).isEqualTo("t-9");
    }

    @Test
    @DisplayName("received checks the topic and the header map like the builder does")
    void receivedRejectsBadArguments() {
        assertThatThrownBy(() -> MessageAccess.received(null, null, null, Map.of(), 0, 0, 0))
                .isInstanceOf(NullPointerException.class).hasMessage("topic must not be null");
        assertThatThrownBy(() -> MessageAccess.received(" ", null, null, Map.of(), 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("topic must not be blank");
        assertThatThrownBy(() -> MessageAccess.received("orders", null, null, null, 0, 0, 0))
                .isInstanceOf(NullPointerException.class).hasMessage("headers must not be null");
    }

    @Test
    @DisplayName("no bridge but Message's own can be installed, and the access keeps working")
    void bridgeCannotBeReplaced() {
        MessageAccess.Bridge impostor = new MessageAccess.Bridge() {
            @Override
            public byte[] key(Message message) {
                return null;
            }

            @Override
            public byte[] value(Message message) {
                return null;
            }

            @Override
            public Map<String, byte[]> headers(Message message) {
                return Map.of();
            }

            @Override
            public Message received(String topic, byte[] key, byte[] value, Map<String, byte[]> headers,
                    int partition, long offset, long timestamp) {
                return null;
            }
        };
        assertThatThrownBy(() -> MessageAccess.install(impostor)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("installed by Message itself");
        assertThat(MessageAccess.value(Message.of("orders", "k", "v"))).isEqualTo(utf8("v"));
    }
}
