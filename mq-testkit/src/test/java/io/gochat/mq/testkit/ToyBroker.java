package io.gochat.mq.testkit;

import io.gochat.mq.Message;
import io.gochat.mq.MqException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * The toy transport's broker: topics of partitions of stored messages, and consumer groups with
 * committed offsets and partition owners. One per {@link ToyFixture}, found by the name in
 * {@code common.properties."toy.broker"}, so that self-test runs in parallel do not meet (one's
 * broker restart is not another's). Every field is guarded by {@link #lock}, and {@link #changed}
 * is signalled on every change, so waiting consumers re-check.
 */
final class ToyBroker {
    static final String PROPERTY = "toy.broker";

    private static final Map<String, ToyBroker> BROKERS = new ConcurrentHashMap<>();
    /** Kafka's rule for topic names. */
    private static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();

    private final Map<String, List<List<Stored>>> topics = new HashMap<>();
    private final Map<String, Group> groups = new HashMap<>();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private boolean down;
    private int attemptsWhileDown;

    record Stored(Message message, long timestamp) {
        /** Where a message is stored: its partition and offset. */
        record Location(int partition, long offset) {
        }
    }

    record TopicPartition(String topic, int partition) {
    }

    /** The broker named {@code name}, created on first use. */
    static ToyBroker named(String name) {
        return BROKERS.computeIfAbsent(name, n -> new ToyBroker());
    }

    /** Forgets the broker named {@code name}. */
    static void remove(String name) {
        BROKERS.remove(name);
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

    void createTopic(String name, int partitions, Set<Fault> faults) {
        if (!faults.contains(Fault.INVALID_TOPIC_ACCEPTED)) {
            checkTopicName(name);
        }
        int count = faults.contains(Fault.EXTRA_PARTITION) ? partitions + 1 : partitions;
        lock.lock();
        try {
            if (topics.containsKey(name)) {
                if (faults.contains(Fault.CREATE_EXISTING_TOPIC_FAILS)) {
                    throw new MqException("topic " + name + " exists");
                }
                return;
            }
            List<List<Stored>> parts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                parts.add(new ArrayList<>());
            }
            topics.put(name, parts);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static void checkTopicName(String name) {
        if (!LEGAL_TOPIC.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new MqException("the toy broker refuses the topic name [" + name + "]: Kafka's rule allows"
                    + " only 1 to 249 of [a-zA-Z0-9._-], and neither '.' nor '..'");
        }
    }

    /**
     * Stores {@code message} in {@code topic}, which is the message's own topic unless a fault
     * says otherwise; {@code sequence} is the producer's send number.
     *
     * @return where it is stored, or {@code null} if a fault dropped it
     */
    Stored.Location append(String topic, Message message, long sequence, Set<Fault> faults) throws InterruptedException {
        try {
            checkTopicName(topic);
        } catch (MqException refused) {
            if (faults.contains(Fault.INVALID_TOPIC_ACCEPTED)) {
                return null;
            }
            throw refused;
        }
        lock.lockInterruptibly();
        try {
            while (down) {
                attemptsWhileDown++;
                changed.signalAll();
                if (faults.contains(Fault.LOSE_WHILE_DOWN)) {
                    return null;
                }
                changed.await();
            }
            List<List<Stored>> parts = topics.get(topic);
            if (parts == null) {
                throw new MqException("topic " + topic + " does not exist; create it with AdminClient.createTopic");
            }
            int partition = partition(message.key(), parts.size(), sequence, faults);
            List<Stored> log = parts.get(partition);
            Stored stored = new Stored(message, System.currentTimeMillis());
            int before = faults.contains(Fault.REORDER) ? previousOfTheSameKeyIfTenth(log, message.key()) : -1;
            if (before >= 0) {
                log.add(before, stored);
            } else {
                log.add(stored);
            }
            changed.signalAll();
            return new Stored.Location(partition, before >= 0 ? before : log.size() - 1);
        } finally {
            lock.unlock();
        }
    }

    /** For {@link Fault#REORDER}: where the previous message of {@code key} is when this is its 10th, 20th, ...; else -1. */
    private static int previousOfTheSameKeyIfTenth(List<Stored> log, byte[] key) {
        if (key == null) {
            return -1;
        }
        int count = 0;
        int previous = -1;
        for (int i = 0; i < log.size(); i++) {
            if (Arrays.equals(key, log.get(i).message().key())) {
                count++;
                previous = i;
            }
        }
        return count % 10 == 9 ? previous : -1;
    }

    private int partition(byte[] key, int partitions, long sequence, Set<Fault> faults) {
        if (key == null) {
            return Math.floorMod(roundRobin.getAndIncrement(), partitions);
        }
        if (faults.contains(Fault.IGNORE_KEY)) {
            return (int) Math.floorMod(sequence, (long) partitions);
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
    Group group(String name, Set<Fault> faults) {
        String id = faults.contains(Fault.GROUP_ID_IGNORED) ? ""
                : faults.contains(Fault.GROUP_ID_CASE_INSENSITIVE) ? name.toLowerCase(Locale.ROOT) : name;
        return groups.computeIfAbsent(id, n -> new Group());
    }

    /** Caller holds the lock. */
    boolean isDown() {
        return down;
    }

    /**
     * Goes down until a send has tried to reach it, then comes back with everything kept. Waits
     * for that send at most {@code timeout}.
     */
    void restart(Duration timeout) {
        lock.lock();
        try {
            down = true;
            attemptsWhileDown = 0;
            changed.signalAll();
            long deadline = System.nanoTime() + timeout.toNanos();
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
