package io.gochat.mq.examples;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gochat chat pipeline, end to end, on the library's public API only: an {@code im-gateway}
 * producer sends chat messages keyed by user id with a {@code trace_id} header to
 * {@code gochat.messages.upstream}, and an {@code im-logic} consumer group of two members processes
 * them. Ends with a summary: sent, received, lost, duplicates, per-user order violations,
 * throughput and end-to-end latency.
 *
 * <p>Run it with {@code bin/demo} (see {@code docs/demo.md}); {@code bin/demo --help} lists the
 * options. Exit codes: 0 all delivered in order, 1 messages lost, failed or out of order, 2 bad
 * command line, 3 the pipeline could not run (broker, configuration).
 */
public final class ChatPipelineDemo {
    static final int MEMBERS = 2;
    static final String GATEWAY = "im-gateway";
    static final String LOGIC = "im-logic";
    static final String OPS = "im-ops";

    static final int EXIT_OK = CommandMain.EXIT_OK;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = CommandMain.EXIT_USAGE;
    static final int EXIT_ERROR = CommandMain.EXIT_ERROR;

    private static final Logger LOG = LoggerFactory.getLogger(LOGIC);
    /** The im-logic consumers' logger under {@code --fail-rate}: ERROR only (logback.xml), not a WARN per retry. */
    private static final Logger RETRY_LOG = LoggerFactory.getLogger("io.gochat.mq.demo-retries");
    private static final int MAX_IN_FLIGHT = 20_000;
    private static final long READY_TIMEOUT_MS = 120_000;
    private static final long ROUND_WAIT_MS = 2_000;
    private static final long IDLE_TIMEOUT_MS = 30_000;
    /** How long the committed lag may take to reach 0 once every message arrived: a few commit intervals. */
    private static final long LAG_TIMEOUT_MS = 20_000;
    private static final String RUN = "demo_run";
    private static final String KIND = "demo_kind";
    private static final String ROUND = "demo_round";
    private static final String SEQ = "demo_seq";
    private static final String SENT_NANOS = "demo_sent_ns";
    private static final String PROBE = "probe";

    private final DemoOptions options;
    private final PrintStream out;
    private final String runId = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    private final PipelineTally tally;
    private final GroupReadiness readiness;
    private final LongAdder otherRuns = new LongAdder();
    /** The library's own meters for this run. */
    private final LibraryMetrics metrics = new LibraryMetrics();
    private final AtomicInteger sent = new AtomicInteger();
    /** Under {@code --fail-rate}: attempts that threw, the messages they were of, and those found in the dead-letter topic. */
    private final LongAdder failedAttempts = new LongAdder();
    private final Set<Integer> failedMessages = ConcurrentHashMap.newKeySet();
    private final Set<Integer> deadLettered = ConcurrentHashMap.newKeySet();
    private final int logEvery;

    private ChatPipelineDemo(DemoOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
        this.tally = new PipelineTally(options.messages, options.users, MEMBERS);
        this.readiness = new GroupReadiness(options.users, MEMBERS);
        this.logEvery = Math.max(1, options.messages / 5);
    }

    /** Runs the demo and exits the JVM with its exit code. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.getenv()));
    }

    /**
     * Runs the demo in this JVM.
     *
     * @param env the environment to read {@code CONSUL_HTTP_ADDR} and {@code MQ_CONFIG_FILE} from
     * @return the exit code (see the class documentation)
     */
    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        return CommandMain.run(DemoOptions.USAGE, () -> DemoOptions.parse(args, env), o -> o.help,
                o -> new ChatPipelineDemo(o, out).execute(), out, err);
    }

    private int execute() throws InterruptedException {
        EmbeddedKafka broker = null;
        try (CoordConfigOrigin.FileScope configFile = CoordConfigOrigin.useFile(options.configFile)) {
            Option[] mqOptions;
            String where;
            String group = "im-logic-group";
            switch (options.mode) {
                case EMBEDDED_KAFKA:
                    out.println("Starting a single-node Kafka broker inside this JVM ...");
                    out.flush();
                    long t0 = System.nanoTime();
                    broker = EmbeddedKafka.start();
                    where = "kafka, embedded broker at " + broker.bootstrapServers()
                            + String.format(Locale.ROOT, " (started in %.1f s)", (System.nanoTime() - t0) / 1e9);
                    String bootstrap = broker.bootstrapServers();
                    mqOptions = new Option[] {Option.withTransport("kafka"), Option.withConfig(freshClusterConfig(
                            MqConfig.builder().source("the demo's embedded broker").common(c -> c.brokers(bootstrap))))};
                    break;
                case IN_MEMORY:
                    where = "inmemory (in-process transport, no broker)";
                    mqOptions = new Option[] {Option.withTransport("inmemory"),
                            Option.withConfig(freshClusterConfig(MqConfig.builder().source("the demo (inmemory)")))};
                    break;
                case EXTERNAL:
                    where = "kafka, configuration from " + options.configOrigin;
                    // A real cluster: a group of this run only, so the demo never takes partitions
                    // from a real im-logic.
                    group = "im-logic-demo-" + runId;
                    mqOptions = new Option[] {Option.withTransport("kafka")};
                    break;
                default:
                    throw new IllegalStateException("unknown mode " + options.mode);
            }
            out.println("Transport:  " + where);
            out.println("Pipeline:   " + GATEWAY + " --(" + options.topic + ")--> " + LOGIC
                    + " group " + group + " (" + MEMBERS + " members"
                    + (options.concurrency > 1 ? ", " + options.concurrency + " callbacks each at once, each user in order" : "")
                    + ")");
            out.println("Messages:   " + fmt(options.messages) + " from " + fmt(options.users) + " users, run id " + runId);
            if (options.failRate > 0) {
                out.println(String.format(Locale.ROOT, "Failures:   %.0f%% of callback attempts throw; %d attempts each, then"
                        + " the dead-letter topic %s", options.failRate * 100, DemoOptions.MAX_ATTEMPTS, deadLetterTopic()));
            }
            out.flush();
            return pipeline(mqOptions, group, where, broker);
        } finally {
            if (broker != null) {
                out.println("Stopping the embedded broker ...");
                out.flush();
                broker.close();
            }
        }
    }

    /**
     * Configuration for a broker that only this run uses: a new group starts at the beginning,
     * and a 1 s heartbeat lets the second member's join rebalance the group within a second
     * (members learn of a rebalance from a heartbeat). {@code --concurrency}: callbacks per member
     * at once; {@code --fail-rate}: retries with a short backoff, then {@code <topic>.dlt}.
     */
    private MqConfig freshClusterConfig(MqConfig.Builder builder) {
        return builder.consumer(c -> {
            c.autoOffsetReset("earliest").autoCommitIntervalMs(1000).sessionTimeoutMs(10_000).heartbeatIntervalMs(1_000)
                    .concurrency(options.concurrency);
            if (options.failRate > 0) {
                c.retryMaxAttempts(DemoOptions.MAX_ATTEMPTS).retryBackoffMs(10).retryMaxBackoffMs(100)
                        .deadLetterTopic("{topic}.dlt");
            }
        }).build();
    }

    private String deadLetterTopic() {
        return options.topic + ".dlt";
    }

    private int pipeline(Option[] mqOptions, String group, String where, EmbeddedKafka broker)
            throws InterruptedException {
        try (AdminClient admin = Mq.newAdminClient(OPS, mqOptions)) {
            admin.createTopic(options.topic, options.partitions, 1);
            if (options.failRate > 0) {
                admin.createTopic(deadLetterTopic(), 1, 1);
            }
        }
        // under --fail-rate each failed attempt is a WARN of the library: its consumers log to a logger of their own
        Option[] logicOptions = with(options.failRate == 0 ? mqOptions : with(mqOptions, Option.withLogger(RETRY_LOG)),
                metrics.observer());

        List<Consumer> consumers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> consumerFailure = new AtomicReference<>();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "demo-progress");
            t.setDaemon(true);
            return t;
        });
        long chatStart = 0;
        long lagZeroMs = -1;
        long sendEnd = 0;
        try {
            if (options.failRate > 0) {
                Consumer reader = Mq.newConsumer(OPS, "im-ops-dead-letters-" + runId, mqOptions);
                consumers.add(reader);
                Thread thread = new Thread(() -> {
                    try {
                        reader.subscribe(List.of(deadLetterTopic()), this::deadLetter);
                    } catch (RuntimeException e) {
                        consumerFailure.compareAndSet(null, e);
                    }
                }, OPS + "-dead-letters");
                thread.start();
                threads.add(thread);
            }
            for (int m = 0; m < MEMBERS; m++) {
                int member = m;
                Consumer consumer = Mq.newConsumer(LOGIC, group, logicOptions);
                consumers.add(consumer);
                Thread thread = new Thread(() -> {
                    try {
                        consumer.subscribe(List.of(options.topic), msg -> handle(member, msg));
                    } catch (RuntimeException e) {
                        consumerFailure.compareAndSet(null, e);
                    }
                }, LOGIC + "-" + (m + 1));
                thread.start();
                threads.add(thread);
            }

            try (Producer producer = Mq.newProducer(GATEWAY, with(mqOptions, metrics.observer()))) {
                awaitGroup(producer, consumerFailure);
                out.println("Group ready; sending " + fmt(options.messages) + " chat messages ...");
                out.flush();
                long start = System.nanoTime();
                chatStart = start;
                ticker.scheduleAtFixedRate(() -> progress(start), 1, 1, TimeUnit.SECONDS);
                sendChat(producer);
            }
            sendEnd = System.nanoTime();
            awaitDelivery(consumerFailure);
            if (consumerFailure.get() == null) {
                lagZeroMs = metrics.awaitLagZero(group, options.topic, LAG_TIMEOUT_MS);
            }
        } finally {
            for (Consumer consumer : consumers) {
                consumer.close();
            }
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(60));
            }
            ticker.shutdownNow();
            ticker.awaitTermination(1, TimeUnit.SECONDS); // a progress line being printed ends before what follows
        }
        // the registry's view first: the summary ends with the machine-readable demo_result line
        metrics.print(out, group, options.topic, lagZeroMs);
        return summary(where, chatStart, sendEnd, consumerFailure.get());
    }

    private void awaitGroup(Producer producer, AtomicReference<Throwable> consumerFailure) throws InterruptedException {
        out.println("Waiting for the " + LOGIC + " group to take up the topic's partitions ...");
        out.flush();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        for (int round = 1; ; round++) {
            readiness.startRound(round);
            for (int u = 0; u < options.users; u++) {
                producer.send(Message.builder(options.topic).key(userKey(u))
                        .header(RUN, runId).header(KIND, PROBE).header(ROUND, Integer.toString(round))
                        .build(), error -> {
                            if (error != null) {
                                LOG.warn("probe not sent: {}", error.toString());
                            }
                        });
            }
            if (readiness.awaitComplete(ROUND_WAIT_MS)) {
                return;
            }
            throwIfFailed(consumerFailure);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the " + LOGIC + " group did not take up all partitions within "
                        + READY_TIMEOUT_MS / 1000 + " s (" + readiness.membersSeen() + " of " + MEMBERS
                        + " members answered); is the cluster reachable and the topic writable?");
            }
        }
    }

    private void sendChat(Producer producer) throws InterruptedException {
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        for (int n = 0; n < options.messages; n++) {
            int user = tally.userOf(n);
            int seq = tally.seqOf(n);
            String key = userKey(user);
            Message message = Message.builder(options.topic)
                    .key(key)
                    .value("{\"user\":\"" + key + "\",\"seq\":" + seq + ",\"text\":\"hello from " + key + " #" + seq + "\"}")
                    .header(Message.TRACE_ID_HEADER, traceId())
                    .header(RUN, runId)
                    .header(SEQ, Integer.toString(seq))
                    .header(SENT_NANOS, Long.toString(System.nanoTime()))
                    .build();
            inFlight.acquire();
            producer.send(message, error -> {
                inFlight.release();
                if (error == null) {
                    tally.recordAck();
                } else {
                    tally.recordFailure(error);
                }
            });
            sent.incrementAndGet();
        }
    }

    private void awaitDelivery(AtomicReference<Throwable> consumerFailure) throws InterruptedException {
        long lastUnique = -1;
        long lastChange = System.nanoTime();
        // The producer is closed: every send has been answered, so the target is known.
        while (tally.unique() + deadLetteredOnly() < options.messages - tally.failedCount()) {
            if (consumerFailure.get() != null) {
                return;
            }
            long unique = tally.unique();
            if (unique != lastUnique) {
                lastUnique = unique;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > TimeUnit.MILLISECONDS.toNanos(IDLE_TIMEOUT_MS)) {
                out.println("Nothing new arrived for " + IDLE_TIMEOUT_MS / 1000 + " s; giving up waiting.");
                return;
            }
            tally.awaitAll(200);
        }
    }

    private void handle(int member, Message message) {
        if (!runId.equals(message.headerAsString(RUN))) {
            otherRuns.increment();
            return;
        }
        int user = userIndex(message.keyAsString());
        if (PROBE.equals(message.headerAsString(KIND))) {
            readiness.seen(member, Integer.parseInt(message.headerAsString(ROUND)), user);
            return;
        }
        int seq = Integer.parseInt(message.headerAsString(SEQ));
        if (options.failRate > 0 && ThreadLocalRandom.current().nextDouble() < options.failRate) {
            failedAttempts.increment();
            failedMessages.add((seq - 1) * options.users + user);
            throw new IllegalStateException("transient failure (bin/demo --fail-rate " + options.failRate + ")");
        }
        long latency = System.nanoTime() - Long.parseLong(message.headerAsString(SENT_NANOS));
        tally.received(member, user, seq, latency);
        int n = (seq - 1) * options.users + user;
        // One message in each stretch of logEvery, at a different place in each, so the lines show several users.
        if (n % logEvery == (int) ((n / logEvery) * 7919L % logEvery)) {
            // The MDC holds this message's trace_id while the callback runs; the log pattern shows it.
            LOG.info("{} processed {} seq {} from partition {} offset {}", Thread.currentThread().getName(),
                    message.keyAsString(), seq, message.partition(), message.offset());
        }
    }

    /** A message of the dead-letter topic: a chat message of this run whose last attempt failed. */
    private void deadLetter(Message message) {
        if (runId.equals(message.headerAsString(RUN)) && message.headerAsString(SEQ) != null) {
            int seq = Integer.parseInt(message.headerAsString(SEQ));
            deadLettered.add((seq - 1) * options.users + userIndex(message.keyAsString()));
        }
    }

    /** Messages found in the dead-letter topic and never processed. */
    private long deadLetteredOnly() {
        return deadLettered.stream().filter(n -> !tally.wasReceived(n)).count();
    }

    private static Option[] with(Option[] options, Option extra) {
        Option[] all = java.util.Arrays.copyOf(options, options.length + 1);
        all[options.length] = extra;
        return all;
    }

    private void progress(long start) {
        double secs = (System.nanoTime() - start) / 1e9;
        long unique = tally.unique();
        out.printf(Locale.ROOT, "  %5.1fs  sent %s/%s  acked %s  processed %s (%s)  duplicates %s  order violations %s  %s msg/s%n",
                secs, fmt(sent.get()), fmt(options.messages), fmt(tally.acked()), fmt(unique), perMember(),
                fmt(tally.duplicates()), fmt(tally.violations()), fmt((long) (unique / Math.max(secs, 1e-9))));
        out.flush();
    }

    private int summary(String where, long chatStart, long sendEnd, Throwable consumerFailure) {
        long[] latencies = tally.sortedLatencies();
        long unique = tally.unique();
        long deadLetteredOnly = deadLetteredOnly();
        long retried = failedMessages.stream().filter(tally::wasReceived).count();
        long lost = options.messages - unique - deadLetteredOnly;
        long last = tally.lastReceiptNanos();
        double secs = unique == 0 ? 0 : (last - chatStart) / 1e9;
        double sendSecs = (sendEnd - chatStart) / 1e9;
        long throughput = secs > 0 ? (long) (unique / secs) : 0;
        boolean ok = lost == 0 && tally.violations() == 0 && tally.failedCount() == 0 && consumerFailure == null;

        out.println();
        out.println("== Summary ==");
        row("transport", where);
        row("topic", options.topic + " (" + options.partitions + " partitions requested)");
        row("sent", fmt(options.messages) + " (acked " + fmt(tally.acked()) + ", failed " + fmt(tally.failedCount())
                + String.format(Locale.ROOT, ", in %.2f s)", sendSecs));
        row("received", fmt(unique) + " unique (" + perMember() + ")");
        if (options.failRate > 0) {
            row("callback failures", fmt(failedAttempts.sum()) + " attempts threw (--fail-rate " + options.failRate + ")");
            row("retried", fmt(retried) + " messages succeeded on a later attempt");
            row("dead-lettered", fmt(deadLetteredOnly) + " messages failed " + DemoOptions.MAX_ATTEMPTS + " times, found in "
                    + deadLetterTopic());
        }
        row("lost", fmt(lost));
        row("duplicates", fmt(tally.duplicates()));
        row("order violations", fmt(tally.violations()));
        row("throughput", fmt(throughput) + String.format(Locale.ROOT, " msg/s (first send to last receipt, %.2f s)", secs));
        row("latency e2e", String.format(Locale.ROOT, "p50 %s ms  p99 %s ms  max %s ms",
                millis(PipelineTally.quantile(latencies, 0.50)), millis(PipelineTally.quantile(latencies, 0.99)),
                millis(latencies.length == 0 ? 0 : latencies[latencies.length - 1])));
        if (otherRuns.sum() > 0) {
            row("other runs", fmt(otherRuns.sum()) + " older messages on the topic skipped");
        }
        if (tally.firstFailure() != null) {
            row("first failure", tally.firstFailure());
        }
        if (consumerFailure != null) {
            row("consumer error", CommandMain.describe(consumerFailure));
        }
        row("result", ok ? (deadLetteredOnly > 0 ? "OK: every message arrived or is in the dead-letter topic, each user's"
                        + " messages in order" : "OK: every message arrived, each user's messages in order")
                : "FAILED: " + (lost > 0 ? fmt(lost) + " lost " : "") + (tally.violations() > 0 ? fmt(tally.violations())
                        + " out of order " : "") + (tally.failedCount() > 0 ? fmt(tally.failedCount()) + " sends failed " : "")
                        + (consumerFailure != null ? "consumer failed" : ""));
        out.printf(Locale.ROOT, "demo_result=%s sent=%d received=%d lost=%d duplicates=%d order_violations=%d"
                        + " throughput_msgs_per_sec=%d latency_p50_ms=%s latency_p99_ms=%s latency_max_ms=%s"
                        + " callback_failures=%d retried=%d dead_lettered=%d%n",
                ok ? "ok" : "failed", options.messages, unique, lost, tally.duplicates(), tally.violations(), throughput,
                millis(PipelineTally.quantile(latencies, 0.50)), millis(PipelineTally.quantile(latencies, 0.99)),
                millis(latencies.length == 0 ? 0 : latencies[latencies.length - 1]), failedAttempts.sum(), retried,
                deadLetteredOnly);
        out.flush();
        return ok ? EXIT_OK : EXIT_FAILED;
    }

    private void row(String name, String value) {
        out.printf(Locale.ROOT, "%-18s %s%n", name, value);
    }

    private String perMember() {
        StringBuilder sb = new StringBuilder();
        for (int m = 0; m < MEMBERS; m++) {
            if (m > 0) {
                sb.append(", ");
            }
            sb.append(LOGIC).append('-').append(m + 1).append(": ").append(fmt(tally.receivedBy(m)));
        }
        return sb.toString();
    }

    private static void throwIfFailed(AtomicReference<Throwable> failure) {
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException("an " + LOGIC + " member stopped: " + CommandMain.describe(t), t);
        }
    }

    static String userKey(int user) {
        return "user-" + user;
    }

    private static int userIndex(String key) {
        return Integer.parseInt(key.substring("user-".length()));
    }

    /** A W3C-style trace id: 32 lower-case hex digits. */
    private static String traceId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        byte[] hex = new byte[32];
        long a = r.nextLong();
        long b = r.nextLong();
        for (int i = 0; i < 16; i++) {
            hex[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xf];
            hex[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xf];
        }
        return new String(hex, StandardCharsets.US_ASCII);
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static String fmt(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }
}
