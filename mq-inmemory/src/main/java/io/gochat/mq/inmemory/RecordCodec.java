package io.gochat.mq.inmemory;

import io.gochat.mq.Message;
import io.gochat.mq.internal.MessageAccess;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a message into the bytes a {@link PartitionLog} keeps, and back. The log stores bytes
 * rather than {@link Message} objects so that a long log holds no object references: the garbage
 * collector neither scans nor copies it, which keeps a busy broker with a large retention as
 * cheap as a queue.
 *
 * <p>Layout, integers big-endian, length {@code -1} for {@code null}: key length, key; value
 * length, value; header count, then per header: name length, UTF-8 name, value length, value.
 * The topic, partition, offset and timestamp are known to the log and not stored.
 *
 * <p>An instance is one encoded-to-be record ({@link #of}), written by {@link #writeTo}; it is
 * created and used on one thread. {@link #decode} is stateless.
 */
final class RecordCodec {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final byte[][] NO_HEADERS = new byte[0][];

    private final byte[] key;
    private final byte[] value;
    private final byte[][] headerNames;
    private final byte[][] headerValues;
    private final int size;

    private RecordCodec(byte[] key, byte[] value, byte[][] headerNames, byte[][] headerValues, int size) {
        this.key = key;
        this.value = value;
        this.headerNames = headerNames;
        this.headerValues = headerValues;
        this.size = size;
    }

    /**
     * Prepares {@code message} for writing. Shares the message's arrays (see {@link MessageAccess}):
     * they are only read, and {@link #writeTo} copies them into the log.
     */
    static RecordCodec of(Message message) {
        byte[] key = MessageAccess.key(message);
        byte[] value = MessageAccess.value(message);
        int size = 12 + length(key) + length(value);
        Map<String, byte[]> headers = MessageAccess.headers(message);
        byte[][] names = NO_HEADERS;
        byte[][] values = NO_HEADERS;
        if (!headers.isEmpty()) {
            names = new byte[headers.size()][];
            values = new byte[headers.size()][];
            int i = 0;
            for (Map.Entry<String, byte[]> header : headers.entrySet()) {
                names[i] = header.getKey().getBytes(StandardCharsets.UTF_8);
                values[i] = header.getValue();
                size += 8 + names[i].length + length(values[i]);
                i++;
            }
        }
        return new RecordCodec(key, value, names, values, size);
    }

    /** The key to write, or {@code null}, for the partitioner (read only: it is the message's own). */
    byte[] key() {
        return key;
    }

    /** Bytes {@link #writeTo} writes. */
    int size() {
        return size;
    }

    /** Writes the record at {@code position} of {@code data}, which has {@link #size()} bytes free there. */
    void writeTo(byte[] data, int position) {
        int p = put(data, position, key);
        p = put(data, p, value);
        INT.set(data, p, headerNames.length);
        p += 4;
        for (int i = 0; i < headerNames.length; i++) {
            p = put(data, p, headerNames[i]);
            p = put(data, p, headerValues[i]);
        }
    }

    /**
     * The message stored at {@code position} of {@code data}, with where it came from. It owns the
     * arrays decoded for it (see {@link MessageAccess}).
     */
    static Message decode(String topic, int partition, long offset, long timestamp, byte[] data, int position) {
        int keyLength = (int) INT.get(data, position);
        int p = position + 4;
        byte[] key = null;
        if (keyLength >= 0) {
            key = Arrays.copyOfRange(data, p, p + keyLength);
            p += keyLength;
        }
        int valueLength = (int) INT.get(data, p);
        p += 4;
        byte[] value = null;
        if (valueLength >= 0) {
            value = Arrays.copyOfRange(data, p, p + valueLength);
            p += valueLength;
        }
        int count = (int) INT.get(data, p);
        p += 4;
        Map<String, byte[]> headers = Map.of();
        if (count > 0) {
            headers = new LinkedHashMap<>(count * 2);
            for (int i = 0; i < count; i++) {
                int nameLength = (int) INT.get(data, p);
                p += 4;
                String name = new String(data, p, nameLength, StandardCharsets.UTF_8);
                p += nameLength;
                int length = (int) INT.get(data, p);
                p += 4;
                byte[] bytes = null;
                if (length >= 0) {
                    bytes = Arrays.copyOfRange(data, p, p + length);
                    p += length;
                }
                headers.put(name, bytes);
            }
        }
        return MessageAccess.received(topic, key, value, headers, partition, offset, timestamp);
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static int put(byte[] data, int position, byte[] bytes) {
        if (bytes == null) {
            INT.set(data, position, -1);
            return position + 4;
        }
        INT.set(data, position, bytes.length);
        System.arraycopy(bytes, 0, data, position + 4, bytes.length);
        return position + 4 + bytes.length;
    }
}
