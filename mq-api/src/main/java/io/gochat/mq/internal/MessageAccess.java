package io.gochat.mq.internal;

import io.gochat.mq.Message;

import java.util.Map;
import java.util.Objects;

/**
 * A transport's view of a {@link Message} without the defensive copies of its public accessors
 * and builder; not API (see the {@linkplain io.gochat.mq.internal package}). It is also the only
 * way to build a received message, one that says where it came from: {@code Message}'s public
 * builder makes only messages that have not been sent.
 *
 * <p>{@code Message} copies every array on the way in and on the way out, so that application code
 * can never change a message after the fact. A transport moves every message through its hot path
 * and need not pay for that twice: it reads the arrays to serialise them, and it builds received
 * messages from arrays it has just decoded and gives away. The rules that keep messages immutable:
 * <ul>
 *   <li>arrays returned by {@link #key}, {@link #value} and {@link #headers} are the message's
 *       own: read them, never change them, never hand them to application code;</li>
 *   <li>arrays passed to {@link #received} become the message's own: the transport must not
 *       change or reuse them afterwards.</li>
 * </ul>
 * Application code should use {@code Message}'s public methods. (A Kafka {@code interceptor.classes}
 * configured through the pass-through properties sees the records, and so these arrays, too.)
 * Thread-safe.
 */
public final class MessageAccess {
    private static volatile Bridge installed;

    private MessageAccess() {
    }

    /** The key itself (not a copy), or {@code null}. Read only. */
    public static byte[] key(Message message) {
        return Holder.BRIDGE.key(message);
    }

    /** The value itself (not a copy), or {@code null} for a tombstone. Read only. */
    public static byte[] value(Message message) {
        return Holder.BRIDGE.value(message);
    }

    /**
     * The headers in insertion order: an unmodifiable map whose arrays are the message's own (not
     * copies). Never null. Read only.
     */
    public static Map<String, byte[]> headers(Message message) {
        return Holder.BRIDGE.headers(message);
    }

    /**
     * A received message that takes ownership of {@code key}, {@code value} and the arrays in
     * {@code headers} (none is copied) and keeps an unmodifiable view of {@code headers}, which the
     * caller must not change afterwards.
     *
     * @param headers the headers in delivery order; an empty map when there are none
     * @throws NullPointerException if {@code topic} or {@code headers} is null
     * @throws IllegalArgumentException if {@code topic} is blank
     */
    public static Message received(String topic, byte[] key, byte[] value, Map<String, byte[]> headers,
            int partition, long offset, long timestamp) {
        Objects.requireNonNull(headers, "headers must not be null");
        return Holder.BRIDGE.received(topic, key, value, headers, partition, offset, timestamp);
    }

    /**
     * The hook through which {@link Message} opens its fields to this class; not for transports
     * either. {@link Message}'s class initialiser installs the only bridge a JVM accepts.
     */
    public interface Bridge {
        /** See {@link MessageAccess#key}. */
        byte[] key(Message message);

        /** See {@link MessageAccess#value}. */
        byte[] value(Message message);

        /** See {@link MessageAccess#headers}. */
        Map<String, byte[]> headers(Message message);

        /** See {@link MessageAccess#received}. */
        Message received(String topic, byte[] key, byte[] value, Map<String, byte[]> headers,
                int partition, long offset, long timestamp);
    }

    /**
     * Called once, by {@link Message}'s class initialiser.
     *
     * @throws IllegalStateException on any later call: the bridge is {@code Message}'s own
     */
    public static void install(Bridge bridge) {
        Objects.requireNonNull(bridge, "bridge must not be null");
        // Initialises Message first, so that its own bridge is always the one installed: when
        // Message's initialiser is the caller, this returns at once (same thread, in progress).
        initialise(Message.class);
        synchronized (MessageAccess.class) {
            if (installed != null) {
                throw new IllegalStateException("the Message bridge is installed by Message itself");
            }
            installed = bridge;
        }
    }

    private static void initialise(Class<?> type) {
        try {
            Class.forName(type.getName(), true, type.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("cannot initialise " + type.getName(), e);
        }
    }

    /** Holds the bridge in a constant the JIT can inline; initialised on first use. */
    private static final class Holder {
        static final Bridge BRIDGE;

        static {
            initialise(Message.class);
            BRIDGE = Objects.requireNonNull(installed, "Message did not install its bridge");
        }
    }
}
