package io.gochat.mq.bench;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.observe.MqObserver;
import io.gochat.mq.examples.EmbeddedKafka;
import io.gochat.mq.micrometer.MicrometerObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.AppInfoParser;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The side-by-side benchmarks of docs/benchmarks.md, in one JVM against one broker: producer and
 * consumer throughput against the raw Kafka clients with identical settings, the in-memory
 * transport against an {@code ArrayBlockingQueue} hand-off, end-to-end latency at a fixed
 * rate, and a 1 ms handler at {@code consumer.concurrency} 1 and 64 against one raw consumer per
 * partition and Confluent's Parallel Consumer. Warm-up first, then alternating A/B pairs (rotating
 * rounds for more contenders); medians are quoted. Prints a table and, last, one
 * {@code name=value} line per figure.
 *
 * <p>Run with {@code bin/bench} ({@code --help} lists the options); see {@code docs/benchmarks.md}.
 * Exit codes: 0 measured (whether or not a target was met), 2 bad command line, 3 could not run.
 */
public final class MqBench {
    static final int EXIT_OK = 0;
    static final int EXIT_USAGE = 2;
    static final int EXIT_ERROR = 3;

    static final double PRODUCER_TARGET = 0.95;
    static final double CONSUMER_TARGET = 0.95;
    static final double INMEMORY_RATE_TARGET = 1_000_000;
    static final double INMEMORY_RATIO_TARGET = 0.5;
    static final double LATENCY_TARGET = 1.2;
    /** Warm-up rounds per side of the latency figure: the heap sizes its young generation in the first ones. */
    static final int LATENCY_WARMUPS = 2;
    /** The slow-handler figure: concurrency 64 against 1, against one raw consumer per partition, against Parallel Consumer. */
    static final double SLOW_SPEEDUP_TARGET = 30;
    static final double SLOW_PER_PARTITION_TARGET = 5;
    static final double SLOW_PARALLEL_CONSUMER_TARGET = 1;
    /** With a no-op handler, concurrency 64 (its window out of the way) against 1: what dispatching to workers costs. */
    static final double NOOP_RATIO_TARGET = 0.5;
    static final double OBSERVABILITY_TARGET = 0.95;
    static final int SLOW_CONCURRENCY = 64;
    static final long SLOW_WORK_NANOS = 1_000_000;
    /** Warm-up rounds per contender of the slow-handler figure: with 1 ms handlers the JIT hardly matters. */
    static final int SLOW_WARMUPS = 1;
    private static final int PARTITIONS = 6;

    private final BenchOptions options;
    private final PrintStream out;
    private final Progress progress;
    private final String run = Integer.toHexString(ThreadLocalRandom.current().nextInt() | 0x10000000);
    private final Figures figures = new Figures();

    private MqBench(BenchOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
        this.progress = new Progress(out);
    }

    /** Runs the benchmarks and exits the JVM with the exit code. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the benchmarks in this JVM; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        // the library's figures are of the library alone: observers on the class path (mq-micrometer,
        // mq-otel) are given explicitly to the observed side of the observability figure only
        System.setProperty(Mq.OBSERVERS_PROPERTY, "none");
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println();
            err.print(BenchOptions.USAGE);
            err.flush();
            return EXIT_USAGE;
        }
        if (options.help) {
            out.print(BenchOptions.USAGE);
            out.flush();
            return EXIT_OK;
        }
        try {
            new MqBench(options, out).execute();
            return EXIT_OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("error: interrupted");
            return EXIT_ERROR;
        } catch (Exception e) {
            err.println("error: " + e);
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                err.println("  caused by: " + c);
            }
            err.flush();
            return EXIT_ERROR;
        }
    }

    private void execute() throws Exception {
        String loadBefore = loadAverage();
        boolean needsKafka = options.parts.stream().anyMatch(part -> part != BenchOptions.Part.INMEMORY);
        EmbeddedKafka broker = null;
        String where = "none (in-memory only)";
        try {
            String bootstrap = options.bootstrap;
            if (needsKafka && bootstrap == null) {
                progress.note("starting a single-node Kafka broker inside this JVM ...");
                broker = EmbeddedKafka.start();
                bootstrap = broker.bootstrapServers();
                where = "embedded single-node KRaft broker in this JVM, " + bootstrap;
            } else if (needsKafka) {
                where = "external cluster " + bootstrap;
            }
            if (options.parts.contains(BenchOptions.Part.PRODUCER)) {
                producer(bootstrap);
            }
            if (options.parts.contains(BenchOptions.Part.CONSUMER)) {
                consumer(bootstrap);
            }
            if (options.parts.contains(BenchOptions.Part.INMEMORY)) {
                inMemory();
            }
            if (options.parts.contains(BenchOptions.Part.LATENCY)) {
                latency(bootstrap);
            }
            if (options.parts.contains(BenchOptions.Part.SLOW)) {
                slow(bootstrap);
            }
            if (options.parts.contains(BenchOptions.Part.NOOP)) {
                noop(bootstrap);
            }
            if (options.parts.contains(BenchOptions.Part.OBSERVABILITY)) {
                observability(bootstrap);
            }
        } finally {
            if (broker != null) {
                progress.note("stopping the embedded broker ...");
                broker.close();
            }
        }
        out.println();
        out.println("== gochat MQ benchmarks" + (options.quick ? " (--quick: sizes too small to mean anything)" : "") + " ==");
        out.println("broker:        " + where);
        out.println("kafka-clients: " + AppInfoParser.getVersion() + "; java " + System.getProperty("java.version")
                + " (" + System.getProperty("java.vm.name") + "); " + Runtime.getRuntime().availableProcessors()
                + " cores; max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
        out.println("load average:  " + loadBefore + " at start, " + loadAverage() + " at end (1, 5, 15 min)");
        out.println("method:        " + options.warmups + " warm-up round(s) per side (latency: " + LATENCY_WARMUPS + "), then " + options.pairs
                + " alternating A/B pairs; throughput: medians of the rounds, ratio = median of the per-pair ratios"
                + " library/baseline; latency: percentiles of all measured rounds pooled, ratio = library/raw;"
                + " slow handler: " + SLOW_WARMUPS + " warm-up round per contender, then " + options.pairs
                + " rounds of each in rotating order, concurrency 1 timed over the first " + options.slowC1Messages
                + " of " + options.slowMessages + " messages");
        out.println();
        figures.print(out);
        out.println();
        figures.values().forEach((name, value) -> out.println(name + "=" + value));
        out.flush();
    }

    private Option[] kafka(KafkaSettings settings) {
        return kafka(settings.config());
    }

    private Option[] kafka(MqConfig config) {
        return new Option[] {Option.withTransport("kafka"), Option.withConfig(config)};
    }

    /** Writes {@code messages} of {@code payloads} to {@code topic} with a raw producer and waits for every acknowledgement. */
    private void fill(KafkaSettings settings, String topic, Payloads payloads, int messages, String figure)
            throws InterruptedException {
        progress.note(figure + ": writing " + messages + " messages to " + topic);
        ProducerThroughput.Completion filled = new ProducerThroughput.Completion(messages);
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> filler = new KafkaProducer<>(settings.rawProducer("bench-filler"))) {
            for (int n = 0; n < messages; n++) {
                filler.send(new ProducerRecord<>(topic, payloads.key(n), payloads.value(n)),
                        (metadata, error) -> filled.completed(error));
            }
            filled.await(start);
        }
    }

    private void createTopic(Option[] mqOptions, String topic) {
        try (AdminClient admin = Mq.newAdminClient("bench-admin", mqOptions)) {
            admin.createTopic(topic, PARTITIONS, 1);
        }
    }

    private void producer(String bootstrap) throws Exception {
        KafkaSettings settings = new KafkaSettings(bootstrap, "earliest");
        Option[] mqOptions = kafka(settings);
        String topic = "bench.produce." + run;
        createTopic(mqOptions, topic);
        double[] allRatios = new double[0];
        try (Producer library = Mq.newProducer("bench-producer", mqOptions);
             KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(settings.rawProducer("bench-producer"))) {
            Thread libraryIo = ThreadCounters.named(settings.producerIoThread("bench-producer", false));
            Thread rawIo = ThreadCounters.named(settings.producerIoThread("bench-producer", true));
            for (int size : new int[] {100, 1024}) {
                Payloads payloads = new Payloads(size);
                int messages = size < 1024 ? options.producerSmall : options.producerLarge;
                ProducerThroughput bench = new ProducerThroughput(topic, payloads, messages);
                AbRounds.Result r = AbRounds.run("producer " + payloads.label() + " x" + messages, options.warmups,
                        options.pairs, round -> bench.library(library, libraryIo), round -> bench.raw(raw, rawIo), progress);
                double ratio = Samples.median(r.ratios());
                figures.row("producer " + payloads.label() + ", msg/s", Samples.median(r.a), Samples.median(r.b),
                        r.ratios(), ">= " + PRODUCER_TARGET, ratio >= PRODUCER_TARGET);
                figures.value("producer_" + payloads.tag() + "_library_msgs_per_sec", Samples.median(r.a));
                figures.value("producer_" + payloads.tag() + "_raw_msgs_per_sec", Samples.median(r.b));
                figures.value("producer_" + payloads.tag() + "_ratio", ratio);
                usage("producer_" + payloads.tag() + "_library_send", bench.librarySend);
                usage("producer_" + payloads.tag() + "_library_io", bench.libraryIo);
                usage("producer_" + payloads.tag() + "_raw_send", bench.rawSend);
                usage("producer_" + payloads.tag() + "_raw_io", bench.rawIo);
                allRatios = Samples.concat(allRatios, r.ratios());
            }
        }
        figures.value("producer_ratio", Samples.median(allRatios));
    }

    private void consumer(String bootstrap) throws Exception {
        KafkaSettings settings = new KafkaSettings(bootstrap, "earliest");
        Option[] mqOptions = kafka(settings);
        double[] allRatios = new double[0];
        for (int size : new int[] {100, 1024}) {
            Payloads payloads = new Payloads(size);
            int messages = size < 1024 ? options.consumerSmall : options.consumerLarge;
            String topic = "bench.consume." + payloads.tag() + "." + run;
            createTopic(mqOptions, topic);
            fill(settings, topic, payloads, messages, "consumer " + payloads.label());
            ConsumerThroughput bench = new ConsumerThroughput(topic, messages, settings.commitIntervalMs());
            AbRounds.Result r = AbRounds.run("consumer " + payloads.label() + " x" + messages, options.warmups,
                    options.pairs,
                    round -> bench.library(() -> Mq.newConsumer("bench-consumer", "bench-library-" + run + "-" + round,
                            mqOptions)),
                    round -> bench.raw(() -> new KafkaConsumer<>(settings.rawConsumer("bench-consumer",
                            "bench-raw-" + run + "-" + round))),
                    progress);
            double ratio = Samples.median(r.ratios());
            figures.row("consumer " + payloads.label() + ", msg/s", Samples.median(r.a), Samples.median(r.b),
                    r.ratios(), ">= " + CONSUMER_TARGET, ratio >= CONSUMER_TARGET);
            figures.value("consumer_" + payloads.tag() + "_library_msgs_per_sec", Samples.median(r.a));
            figures.value("consumer_" + payloads.tag() + "_raw_msgs_per_sec", Samples.median(r.b));
            figures.value("consumer_" + payloads.tag() + "_ratio", ratio);
            usage("consumer_" + payloads.tag() + "_library_poll", bench.libraryPoll);
            usage("consumer_" + payloads.tag() + "_raw_poll", bench.rawPoll);
            allRatios = Samples.concat(allRatios, r.ratios());
        }
        figures.value("consumer_ratio", Samples.median(allRatios));
    }

    /**
     * The cost of the observers on the class path (mq-micrometer, mq-otel: no registry but the
     * global one, no exporter): producer and consumer throughput of the library with them against
     * the library without them, 100 B messages, in one run. The bench turns class-path discovery
     * off ({@link Mq#OBSERVERS_PROPERTY}) and gives the observed side the same observers with
     * {@code Option.withObserver}, so that both sides run in this JVM. Then the same with
     * mq-micrometer recording into a {@link SimpleMeterRegistry} (every send and callback timed):
     * what metrics cost once a registry is there, reported without a target.
     */
    private void observability(String bootstrap) throws Exception {
        List<MqObserver> observers = new ArrayList<>();
        ServiceLoader.load(MqObserver.class).forEach(observers::add);
        if (observers.stream().noneMatch(o -> o instanceof MicrometerObserver)) {
            throw new IllegalStateException("observability: mq-micrometer's MqObserver is not on the class path");
        }
        progress.note("observability: observers " + observers.stream().map(o -> o.getClass().getSimpleName()).toList());
        KafkaSettings settings = new KafkaSettings(bootstrap, "earliest");
        Option[] bare = kafka(settings);
        Payloads payloads = new Payloads(100);
        String produceTopic = "bench.observed.produce." + run;
        createTopic(bare, produceTopic);
        String consumeTopic = "bench.observed.consume." + run;
        createTopic(bare, consumeTopic);
        fill(settings, consumeTopic, payloads, options.consumerSmall, "observed consumer");

        List<MqObserver> recording = new ArrayList<>();
        for (MqObserver o : observers) {
            recording.add(o instanceof MicrometerObserver ? new MicrometerObserver(new SimpleMeterRegistry()) : o);
        }
        observed(settings, bare, observers, "", "", produceTopic, consumeTopic, payloads, OBSERVABILITY_TARGET);
        observed(settings, bare, recording, " (recording)", "_recording", produceTopic, consumeTopic, payloads, null);
    }

    /**
     * Producer and consumer throughput with {@code observers} against {@code bare}: rows and the lines
     * {@code observability_producer<suffix>_ratio} and {@code observability_consumer<suffix>_ratio};
     * {@code target} null for a figure reported without one.
     */
    private void observed(KafkaSettings settings, Option[] bare, List<MqObserver> observers, String label,
                          String suffix, String produceTopic, String consumeTopic, Payloads payloads, Double target)
            throws Exception {
        Option[] observed = Arrays.copyOf(bare, bare.length + observers.size());
        for (int i = 0; i < observers.size(); i++) {
            observed[bare.length + i] = Option.withObserver(observers.get(i));
        }
        String client = "bench-observed" + suffix.replace('_', '-');
        String bareClient = "bench-bare" + suffix.replace('_', '-');
        ProducerThroughput send = new ProducerThroughput(produceTopic, payloads, options.producerSmall);
        AbRounds.Result p;
        try (Producer withObservers = Mq.newProducer(client, observed);
             Producer without = Mq.newProducer(bareClient, bare)) {
            Thread observedIo = ThreadCounters.named(settings.producerIoThread(client, false));
            Thread bareIo = ThreadCounters.named(settings.producerIoThread(bareClient, false));
            p = AbRounds.run("observed" + label + " producer " + payloads.label() + " x" + options.producerSmall,
                    options.warmups, options.pairs, round -> send.library(withObservers, observedIo),
                    round -> send.library(without, bareIo), progress);
        }
        double producerRatio = Samples.median(p.ratios());
        figures.row("producer 100 B with observers" + label + " vs without, msg/s", Samples.median(p.a),
                Samples.median(p.b), p.ratios(), target == null ? "—" : ">= " + target,
                target == null ? null : producerRatio >= target);

        ConsumerThroughput consume = new ConsumerThroughput(consumeTopic, options.consumerSmall, settings.commitIntervalMs());
        AbRounds.Result c = AbRounds.run("observed" + label + " consumer " + payloads.label() + " x" + options.consumerSmall,
                options.warmups, options.pairs,
                round -> consume.library(() -> Mq.newConsumer(client, client + "-" + run + "-" + round, observed)),
                round -> consume.library(() -> Mq.newConsumer(bareClient, bareClient + "-" + run + "-" + round, bare)),
                progress);
        double consumerRatio = Samples.median(c.ratios());
        figures.row("consumer 100 B with observers" + label + " vs without, msg/s", Samples.median(c.a),
                Samples.median(c.b), c.ratios(), target == null ? "—" : ">= " + target,
                target == null ? null : consumerRatio >= target);
        figures.value("observability_producer" + suffix + "_ratio", producerRatio);
        figures.value("observability_consumer" + suffix + "_ratio", consumerRatio);
    }

    /**
     * {@code <prefix>_alloc_bytes_per_msg} and {@code <prefix>_cpu_ns_per_msg}: the medians of the
     * measured rounds' {@code usages} (the last {@code --pairs} ones; warm-ups come first).
     */
    private void usage(String prefix, List<ThreadCounters.Usage> usages) {
        ThreadCounters.Usage median = ThreadCounters.median(usages, options.pairs);
        figures.value(prefix + "_alloc_bytes_per_msg", median.allocBytes);
        figures.value(prefix + "_cpu_ns_per_msg", median.cpuNanos);
    }

    private void inMemory() throws Exception {
        MqConfig config = MqConfig.builder().source("mq-bench").consumer(c -> c.autoOffsetReset("earliest")).build();
        Option[] mqOptions = {Option.withTransport("inmemory"), Option.withConfig(config)};
        String topic = "bench.inmemory." + run;
        createTopic(mqOptions, topic);
        Payloads payloads = new Payloads(100);
        AbRounds.Result r;
        try (InMemoryHandOff bench = new InMemoryHandOff(topic, payloads, options.inMemoryMessages,
                Mq.newProducer("bench-inmemory", mqOptions), Mq.newConsumer("bench-inmemory", "bench-inmemory", mqOptions))) {
            r = AbRounds.run("in-memory " + payloads.label() + " x" + options.inMemoryMessages, options.warmups,
                    options.pairs, round -> bench.library(), round -> bench.queue(), progress);
        }
        double rate = Samples.median(r.a);
        double ratio = Samples.median(r.ratios());
        figures.row("in-memory e2e vs ArrayBlockingQueue, msg/s", rate, Samples.median(r.b), r.ratios(),
                String.format(Locale.ROOT, ">= %,.0f msg/s and >= %.1f", INMEMORY_RATE_TARGET, INMEMORY_RATIO_TARGET),
                rate >= INMEMORY_RATE_TARGET && ratio >= INMEMORY_RATIO_TARGET);
        figures.value("inmemory_msgs_per_sec", rate);
        figures.value("inmemory_queue_msgs_per_sec", Samples.median(r.b));
        figures.value("inmemory_ratio", ratio);
    }

    private void latency(String bootstrap) throws Exception {
        KafkaSettings settings = new KafkaSettings(bootstrap, "latest");
        Option[] mqOptions = kafka(settings);
        String topic = "bench.latency." + run;
        createTopic(mqOptions, topic);
        Payloads payloads = new Payloads(100);
        EndToEndLatency bench = new EndToEndLatency(topic, payloads, options.rate, options.latencyWarmupMs,
                options.latencyMeasureMs, settings.commitIntervalMs());
        AbRounds.Result r;
        try (Producer library = Mq.newProducer("bench-latency", mqOptions);
             KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(settings.rawProducer("bench-latency"))) {
            r = AbRounds.run("latency " + payloads.label() + " @" + options.rate + "/s x" + bench.measuredPerRound(),
                    LATENCY_WARMUPS, options.pairs,
                    round -> bench.library(library, () -> Mq.newConsumer("bench-latency",
                            "bench-latency-library-" + run + "-" + round, mqOptions)),
                    round -> bench.raw(raw, () -> new KafkaConsumer<>(settings.rawConsumer("bench-latency",
                            "bench-latency-raw-" + run + "-" + round))),
                    progress);
        }
        long[] library = bench.pooled(true, LATENCY_WARMUPS);
        long[] raw = bench.pooled(false, LATENCY_WARMUPS);
        double libP50 = Samples.quantile(library, 0.50) / 1e6;
        double rawP50 = Samples.quantile(raw, 0.50) / 1e6;
        double libP99 = Samples.quantile(library, 0.99) / 1e6;
        double rawP99 = Samples.quantile(raw, 0.99) / 1e6;
        double p99Ratio = libP99 / rawP99;
        figures.row(String.format(Locale.ROOT, "latency p50 @ %d msg/s, ms (pooled)", options.rate), libP50, rawP50,
                libP50 / rawP50, new double[0], "", null);
        figures.row(String.format(Locale.ROOT, "latency p99 @ %d msg/s, ms (pooled)", options.rate), libP99, rawP99,
                p99Ratio, r.ratios(), "<= " + LATENCY_TARGET, p99Ratio <= LATENCY_TARGET);
        figures.value("latency_rate_msgs_per_sec", options.rate);
        figures.value("latency_library_p50_ms", libP50);
        figures.value("latency_raw_p50_ms", rawP50);
        figures.value("latency_library_p99_ms", libP99);
        figures.value("latency_raw_p99_ms", rawP99);
        figures.value("latency_p99_ratio", p99Ratio);
    }

    private void slow(String bootstrap) throws Exception {
        KafkaSettings settings = new KafkaSettings(bootstrap, "earliest");
        Option[] c1 = kafka(settings.config(1));
        Option[] c64 = kafka(settings.config(SLOW_CONCURRENCY));
        Payloads payloads = new Payloads(100);
        String topic = "bench.slow." + run;
        createTopic(c1, topic);
        fill(settings, topic, payloads, options.slowMessages, "slow handler");
        SlowHandler slow = new SlowHandler(topic, PARTITIONS, options.slowMessages, SLOW_WORK_NANOS,
                settings.commitIntervalMs());
        String group = "bench-slow-" + run + "-";
        double[][] r = AbRounds.rotate(String.format(Locale.ROOT, "slow handler 1 ms x%d (c1: first %d)",
                        options.slowMessages, options.slowC1Messages), SLOW_WARMUPS, options.pairs,
                new String[] {"c64", "c1", "per-partition", "parallel-consumer"}, new AbRounds.Round[] {
                    round -> slow.library(() -> Mq.newConsumer("bench-slow", group + round, c64), options.slowMessages),
                    round -> slow.library(() -> Mq.newConsumer("bench-slow", group + round, c1), options.slowC1Messages),
                    round -> slow.perPartition(p -> new KafkaConsumer<>(settings.rawConsumer("bench-slow-" + p,
                            group + round))),
                    round -> slow.parallelConsumer(() -> new KafkaConsumer<>(settings.rawConsumer("bench-slow",
                            group + round)))},
                progress);
        double[] speedup = Samples.ratios(r[0], r[1]);
        double[] perPartition = Samples.ratios(r[0], r[2]);
        double[] parallelConsumer = Samples.ratios(r[0], r[3]);
        figures.row("1 ms handler: concurrency 64 vs 1, msg/s", Samples.median(r[0]), Samples.median(r[1]), speedup,
                String.format(Locale.ROOT, ">= %.0f", SLOW_SPEEDUP_TARGET), Samples.median(speedup) >= SLOW_SPEEDUP_TARGET);
        figures.row("1 ms handler: c64 vs a raw consumer per partition, msg/s", Samples.median(r[0]),
                Samples.median(r[2]), perPartition, String.format(Locale.ROOT, ">= %.0f", SLOW_PER_PARTITION_TARGET),
                Samples.median(perPartition) >= SLOW_PER_PARTITION_TARGET);
        figures.row("1 ms handler: c64 vs Parallel Consumer (key, 64), msg/s", Samples.median(r[0]),
                Samples.median(r[3]), parallelConsumer, String.format(Locale.ROOT, "> %.0f", SLOW_PARALLEL_CONSUMER_TARGET),
                Samples.median(parallelConsumer) > SLOW_PARALLEL_CONSUMER_TARGET);

        figures.value("slow_c1_msgs_per_sec", Samples.median(r[1]));
        figures.value("slow_c64_msgs_per_sec", Samples.median(r[0]));
        figures.value("slow_per_partition_msgs_per_sec", Samples.median(r[2]));
        figures.value("slow_parallel_consumer_msgs_per_sec", Samples.median(r[3]));
        figures.value("slow_c64_speedup", Samples.median(speedup));
        figures.value("slow_vs_per_partition", Samples.median(perPartition));
        figures.value("slow_vs_parallel_consumer", Samples.median(parallelConsumer));
    }

    /**
     * The dispatch cost: a no-op handler at concurrency 64 against concurrency 1. Concurrency 64
     * runs with a window ({@code maxPendingPerPartition}) as large as the topic, so that it never
     * waits for a commit, as concurrency 1 (which has no window) never does: what is measured is
     * the hand-off to the workers and back. Beside it, concurrency 64 with the default window of
     * 1,000, which at no-op speed the commit round trips hold back instead: a partition cannot get
     * more than the window ahead of its last acknowledged commit (no target; docs/benchmarks.md).
     */
    private void noop(String bootstrap) throws Exception {
        KafkaSettings settings = new KafkaSettings(bootstrap, "earliest");
        Option[] c1 = kafka(settings.config(1));
        Option[] c64 = kafka(settings.config(SLOW_CONCURRENCY).toBuilder()
                .consumer(c -> c.maxPendingPerPartition(Math.max(1, options.noopMessages))).build());
        Option[] c64DefaultWindow = kafka(settings.config(SLOW_CONCURRENCY));
        Payloads payloads = new Payloads(100);
        String noopTopic = "bench.noop." + run;
        createTopic(c1, noopTopic);
        fill(settings, noopTopic, payloads, options.noopMessages, "no-op handler");
        SlowHandler noop = new SlowHandler(noopTopic, PARTITIONS, options.noopMessages, 0, settings.commitIntervalMs());
        String noopGroup = "bench-noop-" + run + "-";
        double[][] n = AbRounds.rotate("no-op handler x" + options.noopMessages, options.warmups, options.pairs,
                new String[] {"c64", "c1", "c64-default-window"}, new AbRounds.Round[] {
                    round -> noop.library(() -> Mq.newConsumer("bench-noop", noopGroup + round, c64), options.noopMessages),
                    round -> noop.library(() -> Mq.newConsumer("bench-noop", noopGroup + round, c1), options.noopMessages),
                    round -> noop.library(() -> Mq.newConsumer("bench-noop", noopGroup + "w" + round, c64DefaultWindow),
                            options.noopMessages)},
                progress);
        double[] noopRatios = Samples.ratios(n[0], n[1]);
        double noopRatio = Samples.median(noopRatios);
        figures.row("no-op handler: concurrency 64 vs 1, msg/s", Samples.median(n[0]), Samples.median(n[1]),
                noopRatios, ">= " + NOOP_RATIO_TARGET, noopRatio >= NOOP_RATIO_TARGET);
        double[] windowRatios = Samples.ratios(n[2], n[1]);
        figures.row("no-op handler: c64, default window, vs 1, msg/s", Samples.median(n[2]), Samples.median(n[1]),
                windowRatios, "—", null);

        figures.value("noop_c1_msgs_per_sec", Samples.median(n[1]));
        figures.value("noop_c64_msgs_per_sec", Samples.median(n[0]));
        figures.value("noop_c64_ratio", noopRatio);
        figures.value("noop_c64_default_window_msgs_per_sec", Samples.median(n[2]));
        figures.value("noop_c64_default_window_ratio", Samples.median(windowRatios));
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
