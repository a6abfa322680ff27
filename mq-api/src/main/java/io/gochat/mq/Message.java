package io.gochat.mq;

import io.gochat.mq.internal.MessageAccess;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A message as it crosses services: topic, optional key, optional value and headers.
 *
 * <p>Instances are immutable. Byte arrays are copied when a message is built and again when an
 * accessor hands them out, so neither the sender nor a receiver can change a message after the
 * fact: mutating an array after {@link Producer#send} returns does not change what is delivered.
 * (Transports read and build messages without those copies, through this library's internal
 * {@code io.gochat.mq.internal.MessageAccess}, under rules that keep this promise.)
 *
 * <p>Messages with the same non-null key go to the same partition and are consumed in the order
 * they were sent. A {@code null} key spreads load over the partitions. A {@code null} value is a
 * tombstone and is delivered as {@code null}.
 *
 * <p>A consumed message also says where it came from: {@link #partition()}, {@link #offset()} and
 * {@link #timestamp()}. On a message that has not been sent they are {@code -1}; only a transport
 * sets them, so a message built by application code never claims a position it did not have.
 *
 * <pre>{@code
 * Message msg = Message.builder("gochat.messages.upstream")
 *         .key(userId)
 *         .value(payload)
 *         .header("trace_id", traceId)
 *         .build();
 * }</pre>
 */
public final class Message {

    /** The header that carries the trace id across services ({@value}). */
    public static final String TRACE_ID_HEADER = "trace_id";

    private final String topic;
    private final byte[] key;
    private final byte[] value;
    private final Map<String, byte[]> headers;
    private final int partition;
    private final long offset;
    private final long timestamp;

    static {
        MessageAccess.install(new Bridge());
    }

    private Message(Builder b) {
        this.topic = b.topic;
        this.key = b.key;
        this.value = b.value;
        this.headers = b.headers == null ? Map.of() : Collections.unmodifiableMap(b.headers);
        this.partition = -1;
        this.offset = -1;
        this.timestamp = -1;
    }

    /** Takes the arrays as they are: see {@link MessageAccess#received}. */
    private Message(String topic, byte[] key, byte[] value, Map<String, byte[]> headers,
            int partition, long offset, long timestamp) {
        this.topic = checkTopic(topic);
        this.key = key;
        this.value = value;
        this.headers = headers.isEmpty() ? Map.of() : Collections.unmodifiableMap(headers);
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
    }

    private static String checkTopic(String topic) {
        Objects.requireNonNull(topic, "topic must not be null");
        // a printable ASCII first character is not white space, so the topic is not blank: the
        // consumer builds a message per record, and a profile put ~3 % of its poll thread in isBlank
        char first = topic.isEmpty() ? ' ' : topic.charAt(0);
        if ((first <= ' ' || first >= 0x7F) && topic.isBlank()) {
            throw new IllegalArgumentException("topic must not be blank");
        }
        return topic;
    }

    /**
     * Starts a message for {@code topic}.
     *
     * @throws NullPointerException if {@code topic} is null
     * @throws IllegalArgumentException if {@code topic} is blank
     */
    public static Builder builder(String topic) {
        return new Builder(topic);
    }

    /**
     * A message with a UTF-8 key and value; either may be {@code null}.
     *
     * @throws NullPointerException if {@code topic} is null
     * @throws IllegalArgumentException if {@code topic} is blank
     */
    public static Message of(String topic, String key, String value) {
        return new Message(topic, utf8(key), utf8(value), Map.of(), -1, -1, -1);
    }

    /**
     * A message with a binary key and value; either may be {@code null}. Arrays are copied.
     *
     * @throws NullPointerException if {@code topic} is null
     * @throws IllegalArgumentException if {@code topic} is blank
     */
    public static Message of(String topic, byte[] key, byte[] value) {
        // straight to the constructor: the builder would be one more object per message on a hot path
        return new Message(topic, copy(key), copy(value), Map.of(), -1, -1, -1);
    }

    private static byte[] copy(byte[] bytes) {
        return bytes == null ? null : bytes.clone();
    }

    private static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    /** The topic; never null or blank. */
    public String topic() {
        return topic;
    }

    /** A copy of the key, or {@code null}. */
    public byte[] key() {
        return copy(key);
    }

    /** The key decoded as UTF-8, or {@code null}. */
    public String keyAsString() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    /** A copy of the value, or {@code null} for a tombstone. */
    public byte[] value() {
        return copy(value);
    }

    /** The value decoded as UTF-8, or {@code null}. */
    public String valueAsString() {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    /** The size of the value in bytes, {@code 0} for a tombstone; does not copy. */
    public int valueSize() {
        return value == null ? 0 : value.length;
    }

    /**
     * The headers, in insertion order; never null. The map is unmodifiable and its arrays are
     * copies, so changing them does not change this message.
     */
    public Map<String, byte[]> headers() {
        if (headers.isEmpty()) {
            return Map.of();
        }
        Map<String, byte[]> copy = new LinkedHashMap<>(headers.size() * 2);
        headers.forEach((name, bytes) -> copy.put(name, copy(bytes)));
        return Collections.unmodifiableMap(copy);
    }

    /** A copy of one header's value, or {@code null} when absent. */
    public byte[] header(String name) {
        return copy(headers.get(name));
    }

    /** One header decoded as UTF-8, or {@code null} when absent. */
    public String headerAsString(String name) {
        byte[] bytes = headers.get(name);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** The value of the {@value #TRACE_ID_HEADER} header as UTF-8, or {@code null}. */
    public String traceId() {
        return headerAsString(TRACE_ID_HEADER);
    }

    /** The partition a consumed message came from; {@code -1} before it is sent. */
    public int partition() {
        return partition;
    }

    /** The offset of a consumed message in its partition; {@code -1} before it is sent. */
    public long offset() {
        return offset;
    }

    /** Milliseconds since the epoch at which the broker or producer stamped the message; {@code -1} before. */
    public long timestamp() {
        return timestamp;
    }

    /**
     * A builder that starts from this message's topic, key, value and headers. A received
     * message's partition, offset and timestamp are not carried over: what the builder makes has
     * not been sent.
     */
    public Builder toBuilder() {
        Builder b = new Builder(topic);
        b.key = key;
        b.value = value;
        if (!headers.isEmpty()) {
            b.headers = new LinkedHashMap<>(headers);
        }
        return b;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Message)) {
            return false;
        }
        Message m = (Message) o;
        if (partition != m.partition || offset != m.offset || timestamp != m.timestamp
                || !topic.equals(m.topic) || !Arrays.equals(key, m.key) || !Arrays.equals(value, m.value)
                || headers.size() != m.headers.size()) {
            return false;
        }
        for (Map.Entry<String, byte[]> e : headers.entrySet()) {
            if (!m.headers.containsKey(e.getKey()) || !Arrays.equals(e.getValue(), m.headers.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(topic, partition, offset, timestamp);
        h = 31 * h + Arrays.hashCode(key);
        h = 31 * h + Arrays.hashCode(value);
        for (Map.Entry<String, byte[]> e : headers.entrySet()) {
            h += e.getKey().hashCode() ^ Arrays.hashCode(e.getValue());
        }
        return h;
    }

    /** Shows topic, position, sizes and header names; never the payload. */
    @Override
    public String toString() {
        return "Message{topic=" + topic
                + (partition >= 0 ? ", partition=" + partition + ", offset=" + offset : "")
                + ", keyBytes=" + (key == null ? "null" : key.length)
                + ", valueBytes=" + (value == null ? "null" : value.length)
                + ", headers=" + headers.keySet() + '}';
    }

    /** Builds a {@link Message}. Not thread-safe; arrays are copied on the way in. */
    public static final class Builder {
        private final String topic;
        private byte[] key;
        private byte[] value;
        private LinkedHashMap<String, byte[]> headers;
        /** Whether the last built message holds {@link #headers}: the next change works on a copy. */
        private boolean headersShared;

        private Builder(String topic) {
            this.topic = checkTopic(topic);
        }

        /** The key; {@code null} spreads load over partitions. Copied. */
        public Builder key(byte[] key) {
            this.key = copy(key);
            return this;
        }

        /** The key as UTF-8; {@code null} spreads load over partitions. */
        public Builder key(String key) {
            this.key = utf8(key);
            return this;
        }

        /** The value; {@code null} makes a tombstone. Copied. */
        public Builder value(byte[] value) {
            this.value = copy(value);
            return this;
        }

        /** The value as UTF-8; {@code null} makes a tombstone. */
        public Builder value(String value) {
            this.value = utf8(value);
            return this;
        }

        /**
         * Adds or replaces a header. The value may be {@code null} (Kafka allows it). Copied.
         *
         * @throws NullPointerException if {@code name} is null
         */
        public Builder header(String name, byte[] value) {
            return putHeader(name, copy(value));
        }

        /** Adds or replaces a UTF-8 header. */
        public Builder header(String name, String value) {
            return putHeader(name, utf8(value));
        }

        private Builder putHeader(String name, byte[] value) {
            Objects.requireNonNull(name, "header name must not be null");
            if (headers == null) {
                headers = new LinkedHashMap<>(4);
            } else {
                unshareHeaders();
            }
            headers.put(name, value);
            return this;
        }

        private void unshareHeaders() {
            if (headersShared) {
                headers = new LinkedHashMap<>(headers);
                headersShared = false;
            }
        }

        /** Adds or replaces every header of {@code headers}. */
        public Builder headers(Map<String, byte[]> headers) {
            Objects.requireNonNull(headers, "headers must not be null");
            headers.forEach(this::header);
            return this;
        }

        /** Removes a header if present. */
        public Builder removeHeader(String name) {
            if (headers != null && headers.containsKey(name)) {
                unshareHeaders();
                headers.remove(name);
            }
            return this;
        }

        /** Builds the message. The builder can be reused; later changes do not affect it. */
        public Message build() {
            Message m = new Message(this);
            // the message keeps the map; a later header change copies it first
            headersShared = headers != null;
            return m;
        }
    }

    /** Opens the fields to {@link MessageAccess}, for transports; see there for the rules. */
    private static final class Bridge implements MessageAccess.Bridge {
        @Override
        public byte[] key(Message message) {
            return message.key;
        }

        @Override
        public byte[] value(Message message) {
            return message.value;
        }

        @Override
        public Map<String, byte[]> headers(Message message) {
            return message.headers;
        }

        @Override
        public Message received(String topic, byte[] key, byte[] value, Map<String, byte[]> headers,
                int partition, long offset, long timestamp) {
            return new Message(topic, key, value, headers, partition, offset, timestamp);
        }
    }
}
