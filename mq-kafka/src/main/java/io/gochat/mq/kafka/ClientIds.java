package io.gochat.mq.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Hands out Kafka {@code client.id}s: {@code <clientIDPrefix>-<serviceName>} for the first live
 * client of a kind with that id in this JVM, then {@code -2}, {@code -3}, … while the first is
 * open, so two clients of one service do not collide in Kafka's JMX metrics. A released number is
 * handed out again. Thread-safe (one lock).
 */
final class ClientIds {
    private static final Map<String, TreeSet<Integer>> IN_USE = new HashMap<>();

    private ClientIds() {
    }

    /** Reserves an id derived from {@code base} for a client of {@code kind} (producer, consumer, admin). */
    static synchronized String acquire(String base, String kind) {
        TreeSet<Integer> used = IN_USE.computeIfAbsent(kind + '/' + base, k -> new TreeSet<>());
        int n = 1;
        while (used.contains(n)) {
            n++;
        }
        used.add(n);
        return n == 1 ? base : base + "-" + n;
    }

    /** Gives back an id from {@link #acquire}. */
    static synchronized void release(String base, String kind, String id) {
        TreeSet<Integer> used = IN_USE.get(kind + '/' + base);
        if (used == null) {
            return;
        }
        used.remove(id.equals(base) ? 1 : Integer.parseInt(id.substring(base.length() + 1)));
        if (used.isEmpty()) {
            IN_USE.remove(kind + '/' + base);
        }
    }
}
