package io.gochat.mq.micrometer;

import io.gochat.mq.observe.ClientInfo;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Hands out the {@code client} tag of per-client meters: the client id for the first open client
 * of a kind with that id, then {@code <id>-2}, {@code <id>-3}, … while it is open (the scheme the
 * Kafka transport uses for {@code client.id}), so two consumers of one service keep gauges of their
 * own. A released number is handed out again. Thread-safe (one lock, at client creation and close).
 */
final class ClientTags {
    /** Guarded by {@code this}: per kind and client id, the numbers in use (bit n = number n + 1). */
    private final Map<String, BitSet> inUse = new HashMap<>();

    /** Reserves a tag value for {@code client}; give it back with {@link #release}. */
    synchronized String acquire(ClientInfo client) {
        BitSet used = inUse.computeIfAbsent(key(client), k -> new BitSet());
        int n = used.nextClearBit(0);
        used.set(n);
        return n == 0 ? client.clientId() : client.clientId() + "-" + (n + 1);
    }

    /** Gives back {@code tag}, from {@link #acquire} for {@code client}. */
    synchronized void release(ClientInfo client, String tag) {
        String key = key(client);
        BitSet used = inUse.get(key);
        if (used == null) {
            return;
        }
        used.clear(tag.equals(client.clientId()) ? 0 : Integer.parseInt(tag.substring(client.clientId().length() + 1)) - 1);
        if (used.isEmpty()) {
            inUse.remove(key);
        }
    }

    private static String key(ClientInfo client) {
        return client.kind() + "/" + client.clientId();
    }
}
