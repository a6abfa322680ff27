package io.gochat.mq.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads a group's committed offsets with a plain Kafka {@link Admin} every 50 ms and notes every
 * partition whose committed offset went back: what a commit from a member that no longer owns the
 * partition (a stale assignment) would do to its new owner's progress.
 */
final class CommittedOffsetWatch implements AutoCloseable {
    private final Admin admin;
    private final String group;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "committed-offset-watch");
        t.setDaemon(true);
        return t;
    });
    private final Map<TopicPartition, Long> highest = new ConcurrentHashMap<>();
    private final List<String> wentBack = new CopyOnWriteArrayList<>();
    private final AtomicInteger readings = new AtomicInteger();

    CommittedOffsetWatch(String bootstrap, String group) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        this.group = group;
        timer.scheduleWithFixedDelay(this::read, 0, 50, TimeUnit.MILLISECONDS);
    }

    private void read() {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            offsets.forEach((tp, o) -> {
                if (o == null) {
                    return;
                }
                Long before = highest.put(tp, Math.max(o.offset(), highest.getOrDefault(tp, -1L)));
                if (before != null && o.offset() < before) {
                    wentBack.add(tp + ": " + before + " -> " + o.offset());
                }
            });
            readings.incrementAndGet();
        } catch (Exception e) {
            // the group may not exist yet, or the broker is busy: the next reading tries again
        }
    }

    int readings() {
        return readings.get();
    }

    List<String> wentBack() {
        return List.copyOf(wentBack);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        admin.close();
    }
}
