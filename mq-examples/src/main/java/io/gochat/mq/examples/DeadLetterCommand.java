package io.gochat.mq.examples;

import io.gochat.mq.DeadLetterHeaders;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.coord.CoordConfigLoader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * {@code bin/mq dead-letters list|replay}: reads a dead-letter topic from a start position up to its
 * end offsets as they were when the run started, and prints or re-publishes what it finds.
 *
 * <p>Why a plain Kafka consumer reads and the library's {@link Producer} writes: the library's
 * {@code Consumer} commits whatever its callback returned from and reads without end, while
 * {@code list} must commit nothing and both must stop at a known offset. The consumer is assigned
 * the partitions (it joins no group); {@code replay} commits to
 * {@link #replayGroup(String)} by hand, only past messages whose replay the broker acknowledged.
 * The producer is the library's, so a replay is sent as any service would send it.
 *
 * <p>Single-threaded: one instance, one run, on the caller's thread.
 */
final class DeadLetterCommand {
    /** The service name the command's clients and its kafka.yaml section go by. */
    static final String SERVICE = "mq-dead-letters";
    /** How long the end of a partition may be out of reach with nothing read before the run gives up. */
    private static final long IDLE_TIMEOUT_MS = 60_000;
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_BATCH = 500;
    /** The longest exception message {@code list} prints; the header holds up to 1,000 characters. */
    private static final int MAX_PRINTED_MESSAGE = 300;

    private final DeadLetterOptions options;
    private final PrintStream out;

    DeadLetterCommand(DeadLetterOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** The consumer group whose committed offsets say how far {@code replay} has gone in {@code from}. */
    static String replayGroup(String from) {
        return "mq-dead-letters-replay." + from;
    }

    /** Runs the action; returns the exit code of {@link MqCommand}. */
    int run() throws InterruptedException {
        MqConfig config = clusterConfig();
        out.println("Cluster:    " + options.clusterOrigin);
        out.flush();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(config))) {
            List<TopicPartition> partitions = partitionsOf(consumer);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, METADATA_TIMEOUT);
            Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions, METADATA_TIMEOUT);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions),
                    METADATA_TIMEOUT);
            Map<TopicPartition, Long> replayedUpTo = new HashMap<>();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = committed.get(tp);
                // a committed offset below the log start (retention deleted messages) reads from the start
                replayedUpTo.put(tp, c == null ? beginnings.get(tp) : Math.max(c.offset(), beginnings.get(tp)));
            }
            consumer.assign(partitions);
            return options.action == DeadLetterOptions.Action.LIST
                    ? list(consumer, partitions, beginnings, ends, replayedUpTo)
                    : replay(consumer, partitions, replayedUpTo, ends, config);
        }
    }

    // ---- list ---------------------------------------------------------------------------------

    private int list(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
                     Map<TopicPartition, Long> beginnings, Map<TopicPartition, Long> ends,
                     Map<TopicPartition, Long> replayedUpTo) throws InterruptedException {
        out.println("Listing:    " + options.from + ", " + partitions.size() + " partition(s), " + fmt(count(beginnings, ends))
                + " message(s); replay group " + replayGroup(options.from) + " has passed " + positions(replayedUpTo, beginnings));
        out.flush();
        long[] tally = new long[3]; // dead letters, not dead letters, already replayed
        read(consumer, beginnings, ends, batch -> {
            for (ConsumerRecord<byte[], byte[]> r : batch) {
                Message m = toMessage(r);
                boolean replayed = r.offset() < replayedUpTo.get(new TopicPartition(r.topic(), r.partition()));
                String where = where(r);
                if (m.headerAsString(DeadLetterHeaders.ORIGINAL_TOPIC) == null) {
                    tally[1]++;
                    out.println(where + "  key=" + text(m.keyAsString()) + "  NOT A DEAD LETTER: no "
                            + DeadLetterHeaders.ORIGINAL_TOPIC + " header; replay skips it");
                    continue;
                }
                tally[0]++;
                if (replayed) {
                    tally[2]++;
                }
                out.println(where + "  key=" + text(m.keyAsString())
                        + "  from=" + m.headerAsString(DeadLetterHeaders.ORIGINAL_TOPIC) + "/"
                        + text(m.headerAsString(DeadLetterHeaders.ORIGINAL_PARTITION)) + "@"
                        + text(m.headerAsString(DeadLetterHeaders.ORIGINAL_OFFSET))
                        + "  attempts=" + text(m.headerAsString(DeadLetterHeaders.ATTEMPTS))
                        + "  error=" + text(m.headerAsString(DeadLetterHeaders.EXCEPTION_CLASS)) + ": "
                        + oneLine(text(m.headerAsString(DeadLetterHeaders.EXCEPTION_MESSAGE)))
                        + "  trace_id=" + text(m.traceId())
                        + "  " + (replayed ? "replayed" : "pending"));
            }
            out.flush();
        });
        out.printf(Locale.ROOT, "dead_letters=%d not_dead_letters=%d already_replayed=%d%n", tally[0], tally[1], tally[2]);
        out.flush();
        return tally[1] > 0 ? MqCommand.EXIT_SKIPPED : MqCommand.EXIT_OK;
    }

    // ---- replay -------------------------------------------------------------------------------

    private int replay(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
                       Map<TopicPartition, Long> starts, Map<TopicPartition, Long> ends, MqConfig config)
            throws InterruptedException {
        long pending = count(starts, ends);
        String group = replayGroup(options.from);
        out.println("Replaying:  " + options.from + " -> " + (options.to != null ? options.to : "each dead letter's original topic")
                + ", " + fmt(pending) + " message(s) in " + partitions.size() + " partition(s) after group " + group
                + "'s position" + (options.limit > 0 ? ", at most " + fmt(options.limit) : ""));
        out.flush();
        long started = System.nanoTime();
        long[] tally = new long[2]; // replayed, skipped
        long[] nextProgress = {options.progressEvery};
        long deliveryBoundMs = config.producer().deliveryTimeoutMs() + 30_000L;
        try (Producer producer = Mq.newProducer(SERVICE, Option.withTransport("kafka"), Option.withConfig(config))) {
            read(consumer, starts, ends, batch -> {
                BatchOutcome outcome = replayBatch(producer, batch, tally, deliveryBoundMs);
                if (!outcome.commit.isEmpty()) {
                    consumer.commitSync(outcome.commit, METADATA_TIMEOUT);
                }
                if (outcome.failure != null) {
                    out.printf(Locale.ROOT, "replayed=%d skipped=%d (stopped at a failure)%n", tally[0], tally[1]);
                    out.flush();
                    throw new IllegalStateException("a replay was not acknowledged, so the run stopped there; what was"
                            + " acknowledged before is committed, run again to go on: " + outcome.failure);
                }
                long done = tally[0] + tally[1];
                if (done >= nextProgress[0]) {
                    out.printf(Locale.ROOT, "  %6.1fs  replayed %s  skipped %s  of %s%n", (System.nanoTime() - started) / 1e9,
                            fmt(tally[0]), fmt(tally[1]), fmt(options.limit > 0 ? Math.min(options.limit, pending) : pending));
                    out.flush();
                    nextProgress[0] = (done / options.progressEvery + 1) * options.progressEvery;
                }
            });
        }
        out.printf(Locale.ROOT, "Done in %.1f s; group %s has passed %s%n", (System.nanoTime() - started) / 1e9, group,
                positions(consumer.committed(new HashSet<>(partitions), METADATA_TIMEOUT), starts));
        out.printf(Locale.ROOT, "replayed=%d skipped=%d%n", tally[0], tally[1]);
        out.flush();
        return tally[1] > 0 ? MqCommand.EXIT_SKIPPED : MqCommand.EXIT_OK;
    }

    /** What one batch came to: the offsets that may be committed, and the first failure or null. */
    private static final class BatchOutcome {
        final Map<TopicPartition, OffsetAndMetadata> commit;
        final String failure;

        BatchOutcome(Map<TopicPartition, OffsetAndMetadata> commit, String failure) {
            this.commit = commit;
            this.failure = failure;
        }
    }

    /**
     * Sends the replay of each dead letter of {@code batch}, waits for every acknowledgement, and
     * returns per partition the offset after the longest run of handled messages from the batch's
     * start (replayed and acknowledged, or skipped): what may be committed. A partition stops at its
     * first failed or unanswered replay; the outcome names the first such message.
     */
    private BatchOutcome replayBatch(Producer producer, List<ConsumerRecord<byte[], byte[]>> batch, long[] tally,
                                     long deliveryBoundMs) throws InterruptedException {
        int n = batch.size();
        // per message: PENDING until its send is answered; SKIPPED needs no answer
        AtomicIntegerArray states = new AtomicIntegerArray(n);
        AtomicReferenceArray<Throwable> errors = new AtomicReferenceArray<>(n);
        CountDownLatch answers = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            ConsumerRecord<byte[], byte[]> r = batch.get(i);
            Message deadLetter = toMessage(r);
            Message replay;
            try {
                replay = DeadLetterHeaders.replayOf(deadLetter);
            } catch (IllegalArgumentException notADeadLetter) {
                out.println("skipped " + where(r) + "  key=" + text(deadLetter.keyAsString()) + ": no "
                        + DeadLetterHeaders.ORIGINAL_TOPIC + " header, not a dead letter; left where it is");
                states.set(i, SKIPPED);
                answers.countDown();
                continue;
            }
            if (options.to != null) {
                replay = DeadLetterHeaders.withoutProvenance(deadLetter, options.to).build();
            }
            int index = i;
            producer.send(replay, error -> {
                errors.set(index, error);
                states.set(index, error == null ? ACKED : FAILED);
                answers.countDown();
            });
        }
        answers.await(deliveryBoundMs, TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetAndMetadata> commit = new LinkedHashMap<>();
        Set<TopicPartition> stopped = new HashSet<>();
        String failure = null;
        for (int i = 0; i < n; i++) {
            ConsumerRecord<byte[], byte[]> r = batch.get(i);
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            if (stopped.contains(tp)) {
                continue;
            }
            int state = states.get(i);
            if (state == ACKED || state == SKIPPED) {
                tally[state == ACKED ? 0 : 1]++;
                commit.put(tp, new OffsetAndMetadata(r.offset() + 1));
                continue;
            }
            stopped.add(tp);
            if (failure == null) {
                failure = where(r) + ": " + (state == FAILED ? CommandMain.describe(errors.get(i))
                        : "no acknowledgement within " + deliveryBoundMs / 1000 + " s");
            }
        }
        return new BatchOutcome(commit, failure);
    }

    private static final int PENDING = 0;
    private static final int ACKED = 1;
    private static final int FAILED = 2;
    private static final int SKIPPED = 3;

    // ---- reading ------------------------------------------------------------------------------

    /** What {@link #read} hands each poll's messages to. */
    @FunctionalInterface
    private interface BatchHandler {
        void handle(List<ConsumerRecord<byte[], byte[]>> batch) throws InterruptedException;
    }

    /**
     * Reads every partition from {@code starts} up to (not including) {@code ends}, at most
     * {@code --limit} messages in all, handing them over one poll at a time in offset order per
     * partition. A partition is paused once it has reached its end, so nothing past it is fetched.
     *
     * @throws IllegalStateException when a partition below its end gives nothing for {@link #IDLE_TIMEOUT_MS}
     */
    private void read(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> starts,
                      Map<TopicPartition, Long> ends, BatchHandler handler) throws InterruptedException {
        Set<TopicPartition> open = new HashSet<>();
        for (Map.Entry<TopicPartition, Long> e : starts.entrySet()) {
            consumer.seek(e.getKey(), e.getValue());
            if (e.getValue() < ends.get(e.getKey())) {
                open.add(e.getKey());
            } else {
                consumer.pause(List.of(e.getKey()));
            }
        }
        long remaining = options.limit > 0 ? options.limit : Long.MAX_VALUE;
        long lastProgress = System.nanoTime();
        while (!open.isEmpty() && remaining > 0) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
            List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                if (r.offset() < ends.get(tp) && batch.size() < remaining) {
                    batch.add(r);
                }
            }
            if (!batch.isEmpty()) {
                lastProgress = System.nanoTime();
                handler.handle(batch);
                remaining -= batch.size();
            }
            // Records dropped above lie past their partition's end (which is closed below) or past the
            // limit (which ends the loop): no position needs to go back.
            for (TopicPartition tp : new ArrayList<>(open)) {
                if (consumer.position(tp) >= ends.get(tp)) {
                    open.remove(tp);
                    consumer.pause(List.of(tp));
                }
            }
            if (!open.isEmpty() && System.nanoTime() - lastProgress > TimeUnit.MILLISECONDS.toNanos(IDLE_TIMEOUT_MS)) {
                throw new IllegalStateException("nothing read from " + open + " for " + IDLE_TIMEOUT_MS / 1000
                        + " s although the end offsets taken at the start (" + ends + ") were not reached");
            }
        }
    }

    // ---- cluster ------------------------------------------------------------------------------

    /**
     * The configuration of the command's clients: brokers from {@code --bootstrap}, or kafka.yaml as
     * mq-coord finds it for {@link #SERVICE}.
     *
     * @throws IllegalStateException when kafka.yaml is not found or uses {@code common.security}
     */
    private MqConfig clusterConfig() {
        if (options.bootstrap != null) {
            return MqConfig.builder().source("bin/mq " + options.clusterOrigin)
                    .common(c -> c.brokers(options.bootstrap.split(","))).build();
        }
        MqConfig config;
        try (CoordConfigOrigin.FileScope file = CoordConfigOrigin.useFile(options.configFile)) {
            CoordConfigLoader loader = new CoordConfigLoader();
            config = loader.load(SERVICE).orElseThrow(() -> new IllegalStateException(
                    "no kafka.yaml found for " + SERVICE + "; tried " + String.join(", ", loader.placesTried(SERVICE))));
        }
        if (!config.common().sasl().mechanism().isEmpty() || config.common().ssl().enabled()) {
            throw new IllegalStateException("common.security: bin/mq reads dead letters with a plain Kafka consumer,"
                    + " which does not take common.security; expected the cluster's security in common.properties"
                    + " (security.protocol, sasl.mechanism, sasl.jaas.config, ssl.*) instead (" + config.source() + ")");
        }
        if (config.common().brokers().isEmpty()) {
            throw new IllegalStateException("common.brokers: expected at least one host:port of a Kafka broker but was []"
                    + " (" + config.source() + ")");
        }
        return config;
    }

    /**
     * The reading consumer's properties: brokers and {@code common.properties} of {@code config}, the
     * replay group (for its committed offsets; the consumer is assigned and joins no group), no
     * automatic commits, no topic creation.
     */
    private Map<String, Object> consumerProperties(MqConfig config) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", config.common().brokers()));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.common().clientIdPrefix() + "-" + SERVICE);
        props.putAll(config.common().properties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, replayGroup(options.from));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(
                options.limit > 0 ? Math.min(options.limit, MAX_BATCH) : MAX_BATCH));
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    private List<TopicPartition> partitionsOf(KafkaConsumer<byte[], byte[]> consumer) {
        List<PartitionInfo> infos = consumer.partitionsFor(options.from, METADATA_TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("--from: the topic [" + options.from + "] does not exist on "
                    + options.clusterOrigin + "; expected a dead-letter topic (consumer.deadLetter.topic)");
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : infos) {
            partitions.add(new TopicPartition(info.topic(), info.partition()));
        }
        partitions.sort(Comparator.comparingInt(TopicPartition::partition));
        return partitions;
    }

    // ---- formatting ---------------------------------------------------------------------------

    /** The record as a library message, headers included (the last of a repeated name wins). */
    private static Message toMessage(ConsumerRecord<byte[], byte[]> r) {
        Message.Builder b = Message.builder(r.topic()).key(r.key()).value(r.value());
        for (Header h : r.headers()) {
            b.header(h.key(), h.value());
        }
        return b.build();
    }

    private static String where(ConsumerRecord<?, ?> r) {
        return r.topic() + "/" + r.partition() + "@" + r.offset();
    }

    private static long count(Map<TopicPartition, Long> starts, Map<TopicPartition, Long> ends) {
        long n = 0;
        for (Map.Entry<TopicPartition, Long> e : starts.entrySet()) {
            n += Math.max(0, ends.get(e.getKey()) - e.getValue());
        }
        return n;
    }

    /** {@code 0@5 1@0 ...}: per partition, the offset a group has passed (its committed offset). */
    private static String positions(Map<TopicPartition, ?> offsets, Map<TopicPartition, Long> partitions) {
        Map<Integer, String> sorted = new TreeMap<>();
        for (TopicPartition tp : partitions.keySet()) {
            Object o = offsets.get(tp);
            long offset = o instanceof OffsetAndMetadata ? ((OffsetAndMetadata) o).offset()
                    : o instanceof Long ? (Long) o : partitions.get(tp);
            sorted.put(tp.partition(), tp.partition() + "@" + offset);
        }
        return "offsets " + String.join(" ", sorted.values());
    }

    private static String text(String s) {
        return s == null ? "-" : s;
    }

    private static String oneLine(String s) {
        String line = s.replace('\n', ' ').replace('\r', ' ');
        return line.length() <= MAX_PRINTED_MESSAGE ? line : line.substring(0, MAX_PRINTED_MESSAGE) + "...";
    }

    private static String fmt(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
