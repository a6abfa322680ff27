package io.gochat.mq.inmemory;

import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.MqClosedException;
import io.gochat.mq.MqException;
import io.gochat.mq.MqTimeoutException;
import io.gochat.mq.observe.SendObservation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A message broker inside the JVM that behaves like Kafka where an application can tell: the
 * broker behind the {@code "inmemory"} transport, which tests may also inspect and inject faults
 * into.
 *
 * <h2>What it keeps</h2>
 * <ul>
 *   <li><b>Topics and partitions.</b> Each partition is an append-only log; offsets start at 0 and
 *       every message is stamped with the broker's clock ({@link Message#timestamp()}). A topic
 *       is created on first use (a send or a subscribe) with {@link Builder#defaultPartitions} (4
 *       unless set), or by {@code AdminClient.createTopic} with the partitions asked for; creating
 *       an existing topic leaves it alone. Topic names follow Kafka's rule (ASCII letters, digits,
 *       {@code . _ -}, at most 249 characters); another name is refused with an
 *       {@link MqException}.</li>
 *   <li><b>Keys.</b> A keyed message goes to {@code toPositive(murmur2(key)) % partitions}, with
 *       Kafka's murmur2, so a key lands on the same partition number as with Kafka's default
 *       partitioner. Messages without a key go to the partitions in turn.</li>
 *   <li><b>Retention.</b> A partition keeps at most {@link Builder#retentionPerPartition} messages
 *       (1,000,000 unless set) and about {@link Builder#retentionBytesPerPartition} bytes of keys,
 *       values and headers (128 MiB unless set); older messages are dropped and the log-start
 *       offset moves forward, so a long test cannot exhaust memory. A consumer whose position fell
 *       below the log start is reset per its {@code consumer.autoOffsetReset} (logged at WARN), as
 *       Kafka would. Messages are kept as bytes, as in Kafka's log, so a full log costs the
 *       garbage collector nothing; each consumer gets messages of its own.</li>
 *   <li><b>Consumer groups.</b> A consumer joins its group when it subscribes. The partitions of
 *       each topic are split among the members subscribed to it with Kafka's range strategy,
 *       members ordered by join time, and rebalanced when a member joins, leaves or crashes. A
 *       rebalance loses nothing and repeats nothing: a member losing a partition finishes the
 *       message in hand and commits, then the new owner starts at the committed offset. Offsets
 *       are committed per (group, topic, partition) only after the callback for a message
 *       returned (a callback that throws still counts as processed): every
 *       {@code consumer.autoCommitIntervalMs}, on revocation and on close. A group that has no
 *       committed offset for a partition starts per {@code autoOffsetReset} and commits that
 *       starting point at once, so a member that takes over after a crash starts there
 *       too.</li>
 * </ul>
 *
 * <h2>Which broker a client uses</h2>
 * Clients created by {@code Mq} with the {@code "inmemory"} transport use the
 * {@linkplain #getDefault() default broker}, so producers and consumers created separately in one
 * JVM talk to each other. A client whose configuration has the common property
 * {@value #BROKER_PROPERTY} uses the broker {@linkplain #named(String) of that name} instead
 * ({@code common: {properties: {inmemory.broker: orders}}} in {@code kafka.yaml}). A broker that
 * is not there yet is created with the defaults; {@link #builder()} registers one with other
 * settings.
 *
 * <h2>Inspecting it in a test</h2>
 * <pre>{@code
 * @ExtendWith(InMemoryMqExtension.class)
 * class OrderServiceTest {
 *     @Test
 *     void publishesAnEventPerOrder(InMemoryBroker broker) {
 *         orderService.place(order);                 // sends with Mq.newProducer(...)
 *
 *         Message event = broker.messages("orders.placed").get(0);
 *         assertThat(event.keyAsString()).isEqualTo(order.id());
 *         await().until(() -> broker.committedOffset("billing", "orders.placed", event.partition())
 *                 .equals(OptionalLong.of(event.offset() + 1)));   // the billing group processed it
 *     }
 * }
 * }</pre>
 * {@link #topics()}, {@link #partitions}, {@link #messages(String)},
 * {@link #committedOffset}, {@link #members} and {@link #assignment} are snapshots, safe to call
 * while clients run. {@link #crash(Consumer)} kills a consumer as a crashed process would.
 * {@link #awaitAssigned(String)} waits until a group that is subscribing owns its partitions, so a
 * test that starts {@code subscribe} on a thread and sends next loses nothing under
 * {@code autoOffsetReset: latest}.
 *
 * <h2>Threads and cost</h2>
 * Thread-safe. There is no broker-wide lock on the message path: a send takes the lock of one
 * partition for a few array writes; a consumer copies the places of a batch of messages under that
 * lock and decodes them and runs its callbacks outside it. An idle consumer parks and is woken by
 * the next append to a partition it owns, or by its group. Group bookkeeping (join, leave,
 * rebalance, commit) takes the lock of that group only.
 *
 * <p>There is no send buffer: when {@code Producer.send} returns, the message is in the log and
 * its callback has run, on the sending thread. A member that is to hand a partition over does so
 * after its callback in hand returns; a callback that never returns keeps its partitions (Kafka
 * would remove the member after {@code max.poll.interval.ms}). {@code Consumer.close()} from
 * another thread waits for the callback at most {@code consumer.sessionTimeoutMs}, then removes
 * the member without a commit.
 *
 * <p>{@link #close()} (or {@link #resetDefault()} for the default broker) ends it: every
 * consumer's {@code subscribe} returns, sends fail with an {@link MqClosedException}, and topics,
 * messages and groups are dropped.
 */
public final class InMemoryBroker implements AutoCloseable {
    /** The name of the {@linkplain #getDefault() default broker}: {@value}. */
    public static final String DEFAULT_NAME = "default";
    /** The common property that picks a {@linkplain #named(String) named broker}: {@value}. */
    public static final String BROKER_PROPERTY = "inmemory.broker";
    /** Partitions of a topic created on first use, unless the builder says otherwise: {@value}. */
    public static final int DEFAULT_PARTITIONS = 4;
    private static final Duration DEFAULT_ASSIGNMENT_WAIT = Duration.ofSeconds(10);
    /** Messages kept per partition, unless the builder says otherwise: {@value}. */
    public static final int DEFAULT_RETENTION_PER_PARTITION = 1_000_000;
    /** The largest retention the builder accepts: {@value} messages per partition. */
    public static final int MAX_RETENTION_PER_PARTITION = 1 << 30;
    /** Bytes kept per partition, unless the builder says otherwise: {@value} (128 MiB). */
    public static final long DEFAULT_RETENTION_BYTES_PER_PARTITION = 128L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger("io.gochat.mq.inmemory");
    private static final Map<String, InMemoryBroker> REGISTRY = new ConcurrentHashMap<>();

    private final String name;
    private final int defaultPartitions;
    private final int retentionPerPartition;
    private final long retentionBytesPerPartition;
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();
    private final Map<String, ConsumerGroup> groups = new ConcurrentHashMap<>();
    private final Set<InMemoryConsumer> consumers = ConcurrentHashMap.newKeySet();
    private final AtomicLong memberNumbers = new AtomicLong();
    /** Lock order: a group's monitor, then this; never the reverse. */
    private final Object ownershipSignal = new Object();
    private long ownershipVersion; // guarded by ownershipSignal
    private volatile boolean closed;

    private InMemoryBroker(String name, int defaultPartitions, int retentionPerPartition, long retentionBytesPerPartition) {
        this.name = name;
        this.defaultPartitions = defaultPartitions;
        this.retentionPerPartition = retentionPerPartition;
        this.retentionBytesPerPartition = retentionBytesPerPartition;
    }

    /**
     * The broker that in-memory clients use unless configured otherwise; created with the
     * defaults on first use, and again after {@link #resetDefault()}.
     */
    public static InMemoryBroker getDefault() {
        return named(DEFAULT_NAME);
    }

    /**
     * The broker registered under {@code name}: the one {@link #builder()} registered, or one
     * created now with the defaults. A closed broker is replaced by a new one.
     *
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static InMemoryBroker named(String name) {
        String key = checkName(name);
        InMemoryBroker existing = REGISTRY.get(key);
        if (existing != null && !existing.closed) {
            return existing;
        }
        boolean[] created = {false};
        InMemoryBroker broker = REGISTRY.compute(key, (k, b) -> {
            if (b != null && !b.closed) {
                return b;
            }
            created[0] = true;
            return new InMemoryBroker(k, DEFAULT_PARTITIONS, DEFAULT_RETENTION_PER_PARTITION,
                    DEFAULT_RETENTION_BYTES_PER_PARTITION);
        });
        if (created[0]) {
            broker.logCreated();
        }
        return broker;
    }

    /**
     * Closes the default broker and forgets it, so the next {@link #getDefault()} starts empty.
     * Brokers registered under other names are left alone ({@link #close()} them). Meant for
     * tests; {@code InMemoryMqExtension} calls it before and after each test.
     */
    public static void resetDefault() {
        InMemoryBroker broker = REGISTRY.remove(DEFAULT_NAME);
        if (broker != null) {
            broker.close();
        }
    }

    /** A builder for a broker with other settings than the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The name it is registered under ({@value #DEFAULT_NAME} for the default broker). */
    public String name() {
        return name;
    }

    /** Partitions of a topic created on first use. */
    public int defaultPartitions() {
        return defaultPartitions;
    }

    /** Messages kept per partition before the oldest are dropped. */
    public int retentionPerPartition() {
        return retentionPerPartition;
    }

    /** Bytes of keys, values and headers kept per partition before the oldest messages are dropped. */
    public long retentionBytesPerPartition() {
        return retentionBytesPerPartition;
    }

    /** The names of the topics, sorted. */
    public Set<String> topics() {
        return Collections.unmodifiableSet(new TreeSet<>(topics.keySet()));
    }

    /**
     * The partition count of {@code topic}.
     *
     * @throws IllegalArgumentException if there is no such topic
     */
    public int partitions(String topic) {
        return requireTopic(topic).partitionCount();
    }

    /**
     * Every retained message of {@code topic}, partition by partition, each in offset order; empty
     * when the topic does not exist. The messages carry partition, offset and timestamp.
     */
    public List<Message> messages(String topic) {
        Topic t = topics.get(Objects.requireNonNull(topic, "topic must not be null"));
        if (t == null) {
            return List.of();
        }
        List<Message> all = new ArrayList<>();
        for (int p = 0; p < t.partitionCount(); p++) {
            all.addAll(t.partition(p).messages());
        }
        return Collections.unmodifiableList(all);
    }

    /**
     * The retained messages of one partition, in offset order.
     *
     * @throws IllegalArgumentException if there is no such topic or partition
     */
    public List<Message> messages(String topic, int partition) {
        return Collections.unmodifiableList(requirePartition(topic, partition).messages());
    }

    /**
     * The offset of the oldest retained message of a partition: 0 until retention drops messages.
     *
     * @throws IllegalArgumentException if there is no such topic or partition
     */
    public long logStartOffset(String topic, int partition) {
        return requirePartition(topic, partition).startOffset();
    }

    /**
     * The offset the next message of a partition will get (the number of messages ever appended).
     *
     * @throws IllegalArgumentException if there is no such topic or partition
     */
    public long logEndOffset(String topic, int partition) {
        return requirePartition(topic, partition).endOffset();
    }

    /** The consumer groups that ever had a member, sorted. */
    public Set<String> groups() {
        return Collections.unmodifiableSet(new TreeSet<>(groups.keySet()));
    }

    /**
     * The member ids of {@code group} in join order ({@code <clientId>-<n>}); empty for a group
     * that does not exist.
     */
    public List<String> members(String group) {
        ConsumerGroup g = groups.get(Objects.requireNonNull(group, "group must not be null"));
        return g == null ? List.of() : List.copyOf(g.memberIds());
    }

    /**
     * The partitions each member of {@code group} owns right now, written {@code topic-partition}
     * as Kafka prints them; members in join order. During a rebalance a partition may be owned by
     * nobody for a moment. Empty for a group that does not exist.
     */
    public Map<String, List<String>> assignment(String group) {
        ConsumerGroup g = groups.get(Objects.requireNonNull(group, "group must not be null"));
        return g == null ? Map.of() : Collections.unmodifiableMap(g.ownership());
    }

    /**
     * Waits up to 10 seconds until {@code group} is {@linkplain #awaitAssigned(String, Duration)
     * assigned}.
     *
     * @throws MqTimeoutException if it is not assigned within 10 seconds, saying why
     */
    public void awaitAssigned(String group) {
        awaitAssigned(group, DEFAULT_ASSIGNMENT_WAIT);
    }

    /**
     * Waits until {@code group} has a member and every partition of the topics its members
     * subscribed to is owned by the member it is assigned to. From then on every message sent to
     * those topics is delivered to the group, also with {@code autoOffsetReset: latest} (whose
     * starting offset is fixed when a member takes a partition, so a message sent just before that
     * moment would be skipped).
     *
     * <p>This is what a test that starts {@code subscribe} on another thread and then sends needs:
     * <pre>{@code
     * Thread subscriber = new Thread(() -> consumer.subscribe(List.of("orders"), received::add));
     * subscriber.start();
     * broker.awaitAssigned("billing");                      // without it, latest may skip the message
     * producer.sendSync(Message.of("orders", "o-1", "placed"));
     * }</pre>
     *
     * <p>It knows the members that have joined: a {@code subscribe} still on its way to the broker
     * is not waited for. With one subscriber that is what a test needs (no member yet = not
     * assigned); with several, first wait until {@link #members} lists them all. A group that
     * gains or loses a member is assigned again once that rebalance settled.
     *
     * @throws MqTimeoutException if it is not assigned within {@code timeout}, saying why (no
     *         member yet, or which partitions are still waiting for their owner)
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public void awaitAssigned(String group, Duration timeout) {
        Objects.requireNonNull(group, "group must not be null");
        Objects.requireNonNull(timeout, "timeout must not be null");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative but was " + timeout);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long seen;
            synchronized (ownershipSignal) {
                seen = ownershipVersion;
            }
            ConsumerGroup g = groups.get(group);
            String reason = g == null ? "it has no member (has subscribe been called?)" : g.unsettledReason();
            if (reason == null) {
                return;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new MqTimeoutException("Consumer group '" + group + "' of in-memory broker '" + name
                        + "' was not assigned within " + timeout.toMillis() + " ms: " + reason);
            }
            synchronized (ownershipSignal) {
                while (ownershipVersion == seen && left > 0) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(ownershipSignal, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new MqException("Interrupted while waiting for consumer group '" + group
                                + "' to be assigned", e);
                    }
                    left = deadline - System.nanoTime();
                }
            }
        }
    }

    /**
     * The offset {@code group} committed for a partition: the offset of the next message it will
     * process there. Empty when the group or topic does not exist or nothing was committed yet.
     *
     * @throws IllegalArgumentException if the topic exists but has no such partition
     */
    public OptionalLong committedOffset(String group, String topic, int partition) {
        ConsumerGroup g = groups.get(Objects.requireNonNull(group, "group must not be null"));
        Topic t = topics.get(Objects.requireNonNull(topic, "topic must not be null"));
        if (g == null || t == null) {
            return OptionalLong.empty();
        }
        return g.committed(requirePartition(t, partition));
    }

    /**
     * Test fault injection: kills {@code consumer} as a crash of its process would. No callback
     * starts after the one in hand (which is not waited for), nothing processed since its last
     * commit is committed, it leaves the group at once (its partitions are rebalanced to the
     * other members, who receive those messages again), and its {@code subscribe} returns.
     * Crashing a consumer that is closed or never subscribed just closes it.
     *
     * @throws IllegalArgumentException if {@code consumer} is not an in-memory consumer of this broker
     */
    public void crash(Consumer consumer) {
        Objects.requireNonNull(consumer, "consumer must not be null");
        if (!(consumer instanceof InMemoryConsumer) || ((InMemoryConsumer) consumer).broker() != this) {
            throw new IllegalArgumentException("Cannot crash " + consumer + ": expected a consumer of in-memory broker '"
                    + name + "' (created with the inmemory transport)");
        }
        ((InMemoryConsumer) consumer).crash();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Ends this broker: consumers' {@code subscribe} calls return, later sends fail with an
     * {@link MqClosedException}, topics and groups are dropped, and the name is free for a new
     * broker. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        REGISTRY.remove(name, this);
        for (InMemoryConsumer consumer : consumers) {
            consumer.brokerClosed();
        }
        int topicCount = topics.size();
        topics.clear();
        groups.clear();
        LOG.atInfo().setMessage("in-memory broker closed").addKeyValue("broker", name)
                .addKeyValue("topics", topicCount).log();
    }

    @Override
    public String toString() {
        return "InMemoryBroker{name=" + name + ", topics=" + topics.size() + ", groups=" + groups.size()
                + (closed ? ", closed" : "") + '}';
    }

    // ---- for the clients of this package

    /**
     * Appends {@code message} to the partition its key picks, creating the topic if needed, and tells
     * {@code observation} where it went.
     */
    void append(Message message, SendObservation observation) {
        if (closed) {
            throw closedError("the message for topic " + message.topic() + " was not sent");
        }
        Topic topic = topics.get(message.topic());
        if (topic == null) {
            topic = autoCreate(message.topic());
        }
        RecordCodec record = RecordCodec.of(message);
        PartitionLog log = topic.partitionFor(record.key());
        long offset = log.append(record, System.currentTimeMillis());
        observation.acknowledged(log.partition(), offset);
    }

    /** The topic a consumer subscribes to, created if needed. */
    Topic topicForSubscribe(String name) {
        if (closed) {
            throw closedError("cannot subscribe to topic " + name);
        }
        Topic topic = topics.get(name);
        return topic != null ? topic : autoCreate(name);
    }

    /**
     * Creates {@code name} with {@code partitions}.
     *
     * @return {@code 0} when it was created, otherwise the partition count of the existing topic
     */
    int createTopic(String name, int partitions) {
        if (closed) {
            throw closedError("topic " + name + " was not created");
        }
        checkTopicName(name);
        boolean[] created = {false};
        Topic topic = topics.computeIfAbsent(name, n -> {
            created[0] = true;
            return new Topic(n, partitions, retentionPerPartition, retentionBytesPerPartition);
        });
        return created[0] ? 0 : topic.partitionCount();
    }

    private Topic autoCreate(String name) {
        checkTopicName(name);
        boolean[] created = {false};
        Topic topic = topics.computeIfAbsent(name, n -> {
            created[0] = true;
            return new Topic(n, defaultPartitions, retentionPerPartition, retentionBytesPerPartition);
        });
        if (created[0]) {
            LOG.atInfo().setMessage("topic created on first use").addKeyValue("broker", this.name)
                    .addKeyValue("topic", name).addKeyValue("partitions", defaultPartitions).log();
        }
        return topic;
    }

    private void checkTopicName(String topic) {
        String reason = Topic.invalidNameReason(topic);
        if (reason != null) {
            throw new MqException("In-memory broker '" + name + "' refuses " + reason + " (Kafka's rule for topic names)");
        }
    }

    ConsumerGroup group(String groupId) {
        return groups.computeIfAbsent(groupId, id -> new ConsumerGroup(id, this::ownershipChanged));
    }

    /** Called by a group, under its monitor, whenever a partition changed hands. */
    private void ownershipChanged() {
        synchronized (ownershipSignal) {
            ownershipVersion++;
            ownershipSignal.notifyAll();
        }
    }

    long nextMemberNumber() {
        return memberNumbers.incrementAndGet();
    }

    void register(InMemoryConsumer consumer) {
        consumers.add(consumer);
        if (closed) {
            consumer.brokerClosed();
        }
    }

    void unregister(InMemoryConsumer consumer) {
        consumers.remove(consumer);
    }

    private MqClosedException closedError(String what) {
        return new MqClosedException("In-memory broker '" + name + "' is closed; " + what);
    }

    private Topic requireTopic(String topic) {
        Topic t = topics.get(Objects.requireNonNull(topic, "topic must not be null"));
        if (t == null) {
            throw new IllegalArgumentException("No topic '" + topic + "' on in-memory broker '" + name
                    + "'; its topics are " + topics());
        }
        return t;
    }

    private PartitionLog requirePartition(String topic, int partition) {
        return requirePartition(requireTopic(topic), partition);
    }

    private static PartitionLog requirePartition(Topic t, int partition) {
        if (partition < 0 || partition >= t.partitionCount()) {
            throw new IllegalArgumentException("partition of topic " + t.name() + ": expected 0.."
                    + (t.partitionCount() - 1) + " but was " + partition);
        }
        return t.partition(partition);
    }

    private void logCreated() {
        LOG.atInfo().setMessage("in-memory broker started").addKeyValue("broker", name)
                .addKeyValue("defaultPartitions", defaultPartitions)
                .addKeyValue("retentionPerPartition", retentionPerPartition)
                .addKeyValue("retentionBytesPerPartition", retentionBytesPerPartition).log();
    }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "broker name must not be null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("broker name must not be blank");
        }
        return name.trim();
    }

    /**
     * Builds and registers an {@link InMemoryBroker} with settings other than the defaults. Not
     * thread-safe; reusable (each {@link #build()} makes a new broker).
     *
     * <pre>{@code
     * InMemoryBroker broker = InMemoryBroker.builder()
     *         .defaultPartitions(1)             // total order per topic, handy in tests
     *         .retentionPerPartition(10_000)
     *         .build();                         // now the default broker
     * }</pre>
     */
    public static final class Builder {
        private String name = DEFAULT_NAME;
        private int defaultPartitions = DEFAULT_PARTITIONS;
        private int retentionPerPartition = DEFAULT_RETENTION_PER_PARTITION;
        private long retentionBytesPerPartition = DEFAULT_RETENTION_BYTES_PER_PARTITION;

        private Builder() {
        }

        /**
         * The name to register under (default {@value #DEFAULT_NAME}, the broker clients use
         * unless their configuration sets {@value #BROKER_PROPERTY}).
         *
         * @throws IllegalArgumentException if blank
         */
        public Builder name(String name) {
            this.name = checkName(name);
            return this;
        }

        /**
         * Partitions of a topic created on first use (default {@value #DEFAULT_PARTITIONS}).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder defaultPartitions(int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("defaultPartitions: expected at least 1 but was " + partitions);
            }
            this.defaultPartitions = partitions;
            return this;
        }

        /**
         * Messages kept per partition (default {@value #DEFAULT_RETENTION_PER_PARTITION}); when a
         * partition is full its oldest message is dropped.
         *
         * @throws IllegalArgumentException if below 1 or above {@value #MAX_RETENTION_PER_PARTITION}
         */
        public Builder retentionPerPartition(int maxMessages) {
            if (maxMessages < 1 || maxMessages > MAX_RETENTION_PER_PARTITION) {
                throw new IllegalArgumentException("retentionPerPartition: expected 1.." + MAX_RETENTION_PER_PARTITION
                        + " messages but was " + maxMessages);
            }
            this.retentionPerPartition = maxMessages;
            return this;
        }

        /**
         * Bytes of keys, values and headers kept per partition (default 128 MiB); when a partition
         * holds more, its oldest messages are dropped, in steps of at most an eighth of the bound.
         * The newest message is always kept, however large.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder retentionBytesPerPartition(long maxBytes) {
            if (maxBytes < 1) {
                throw new IllegalArgumentException("retentionBytesPerPartition: expected at least 1 byte but was " + maxBytes);
            }
            this.retentionBytesPerPartition = maxBytes;
            return this;
        }

        /**
         * Creates the broker and registers it under its name, so clients that pick that name
         * (all in-memory clients, for the default name) use it from now on.
         *
         * @throws IllegalStateException if an open broker is already registered under the name;
         *     close it first ({@link InMemoryBroker#resetDefault()} for the default)
         */
        public InMemoryBroker build() {
            InMemoryBroker broker = REGISTRY.compute(name, (k, existing) -> {
                if (existing != null && !existing.closed) {
                    throw new IllegalStateException("An in-memory broker named '" + k + "' is already running; close it"
                            + (k.equals(DEFAULT_NAME) ? " or call InMemoryBroker.resetDefault()" : "")
                            + " before building another");
                }
                return new InMemoryBroker(k, defaultPartitions, retentionPerPartition, retentionBytesPerPartition);
            });
            broker.logCreated();
            return broker;
        }
    }
}
