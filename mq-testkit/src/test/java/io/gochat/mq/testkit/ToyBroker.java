package io.gochat.mq.testkit;

import io.gochat.mq.Message;
import io.gochat.mq.MqException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The toy transport's broker: topics of partitions of stored messages, and consumer groups with
 * committed offsets and partition owners. One per JVM; every field is guarded by {@link #lock},
 * and {@link #changed} is signalled on every change, so waiting consumers re-check.
 */
final class ToyBroker {
    static final ToyBroker INSTANCE = new ToyBroker();

    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();

    private final Map<String, List<List<Stored>>> topics = new HashMap<>();
    private final Map<String, Group> groups = new HashMap<>();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private boolean down;
    private int attemptsWhileDown;

    record Stored(Message message, long timestamp) {
    }

    record TopicPartition(String topic, int partition) {
    }

    /** A consumer group; guarded by the broker's lock. */
    static final class Group {
        final List<ToyConsumer> members = new ArrayList<>();
        final Map<TopicPartition, Long> committed = new HashMap<>();
        final Map<TopicPartition, ToyConsumer> owners = new HashMap<>();

        /** Partitions of the member's topics, dealt round-robin over the members subscribed to each topic. */
        Set<TopicPartition> target(ToyConsumer member, ToyBroker broker) {
            Set<TopicPartition> target = new LinkedHashSet<>();
            for (String topic : member.topics()) {
                List<ToyConsumer> subscribers = new ArrayList<>();
                for (ToyConsumer m : members) {
                    if (m.topics().contains(topic)) {
                        subscribers.add(m);
                    }
                }
                int index = subscribers.indexOf(member);
                int partitions = broker.partitions(topic);
                for (int p = 0; p < partitions; p++) {
                    if (member.faults().contains(Fault.BROADCAST) || p % subscribers.size() == index) {
                        target.add(new TopicPartition(topic, p));
                    }
                }
            }
            return target;
        }
    }

    void createTopic(String name, int partitions) {
        lock.lock();
        try {
            if (!topics.containsKey(name)) {
                List<List<Stored>> parts = new ArrayList<>();
                for (int i = 0; i < partitions; i++) {
                    parts.add(new ArrayList<>());
                }
                topics.put(name, parts);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    void append(Message message, Set<Fault> faults) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (down) {
                attemptsWhileDown++;
                changed.signalAll();
                if (faults.contains(Fault.LOSE_WHILE_DOWN)) {
                    return;
                }
                changed.await();
            }
            List<List<Stored>> parts = topics.get(message.topic());
            if (parts == null) {
                throw new MqException("topic " + message.topic() + " does not exist; create it with AdminClient.createTopic");
            }
            List<Stored> log = parts.get(partition(message.key(), parts.size(), faults));
            Stored stored = new Stored(message, System.currentTimeMillis());
            if (faults.contains(Fault.REORDER) && log.size() % 10 == 9) {
                log.add(log.size() - 1, stored);
            } else {
                log.add(stored);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private int partition(byte[] key, int partitions, Set<Fault> faults) {
        if (key == null || faults.contains(Fault.IGNORE_KEY)) {
            return Math.floorMod(roundRobin.getAndIncrement(), partitions);
        }
        if (faults.contains(Fault.WRONG_HASH)) {
            return Math.floorMod(Arrays.hashCode(key), partitions);
        }
        return KafkaPartitioner.partition(key, partitions);
    }

    /** Number of partitions of {@code topic}, 0 if it does not exist. Caller holds the lock. */
    int partitions(String topic) {
        List<List<Stored>> parts = topics.get(topic);
        return parts == null ? 0 : parts.size();
    }

    /** Log end offset. Caller holds the lock. */
    long size(TopicPartition tp) {
        return topics.get(tp.topic()).get(tp.partition()).size();
    }

    /** Caller holds the lock. */
    Stored get(TopicPartition tp, long offset) {
        return topics.get(tp.topic()).get(tp.partition()).get((int) offset);
    }

    /** Caller holds the lock. */
    Group group(String name) {
        return groups.computeIfAbsent(name, n -> new Group());
    }

    /** Caller holds the lock. */
    boolean isDown() {
        return down;
    }

    /** Goes down until a send has tried to reach it (at most a second), then comes back with everything kept. */
    void restart() {
        lock.lock();
        try {
            down = true;
            attemptsWhileDown = 0;
            changed.signalAll();
            long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (attemptsWhileDown == 0 && System.nanoTime() < deadline) {
                changed.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            down = false;
            changed.signalAll();
            lock.unlock();
        }
    }
}
