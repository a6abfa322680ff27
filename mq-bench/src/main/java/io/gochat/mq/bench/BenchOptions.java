package io.gochat.mq.bench;

import io.gochat.mq.examples.CommandLine;
import io.gochat.mq.examples.CommandLine.UsageException;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The command line of {@link MqBench}, parsed and checked. Immutable. */
final class BenchOptions {
    static final String USAGE = String.join("\n",
            "Usage: bin/bench [options]",
            "",
            "Measures gochat MQ side by side with the raw clients (docs/benchmarks.md), in one JVM",
            "against one broker: library vs raw KafkaProducer, library vs raw poll loop, the in-memory",
            "transport vs an ArrayBlockingQueue hand-off, end-to-end latency at a fixed rate, and a",
            "1 ms handler at consumer.concurrency 1 and 64 vs one raw consumer per partition and vs",
            "Confluent's Parallel Consumer (with a no-op handler: concurrency 64 vs 1).",
            "Prints a table, then one name=value line per figure.",
            "",
            "Options:",
            "  --bootstrap HOST:PORT  a real Kafka cluster (PLAINTEXT) instead of the in-process broker",
            "  --only LIST            some of: producer,consumer,inmemory,latency,slow,noop,observability (default: all)",
            "  --pairs N              measured A/B pairs per figure (default 7)",
            "  --warmups N            warm-up rounds per side before the pairs (default 4)",
            "  --rate N               messages per second for the latency figure (default 2000)",
            "  --quick                tiny sizes: checks that everything runs, numbers mean nothing",
            "  -h, --help             this text",
            "");

    /** The figures the benchmark can measure. */
    enum Part { PRODUCER, CONSUMER, INMEMORY, LATENCY, SLOW, NOOP, OBSERVABILITY }

    final String bootstrap;
    final Set<Part> parts;
    final boolean quick;
    final boolean help;
    final int pairs;
    final int warmups;
    final int rate;
    final int producerSmall;
    final int producerLarge;
    final int consumerSmall;
    final int consumerLarge;
    final int inMemoryMessages;
    final int latencyWarmupMs;
    final int latencyMeasureMs;
    /** Messages of the slow-handler topic; every contender but the library at concurrency 1 reads them all. */
    final int slowMessages;
    /** How many of them the library at concurrency 1 reads: at 1 ms each, all would take minutes. */
    final int slowC1Messages;
    final int noopMessages;

    private BenchOptions(String bootstrap, Set<Part> parts, boolean quick, boolean help, Integer pairs, Integer warmups,
                         Integer rate) {
        this.bootstrap = bootstrap;
        this.parts = parts;
        this.quick = quick;
        this.help = help;
        this.pairs = pairs != null ? pairs : quick ? 2 : 7;
        this.warmups = warmups != null ? warmups : quick ? 1 : 4;
        this.rate = rate != null ? rate : quick ? 500 : 2000;
        this.producerSmall = quick ? 2_000 : 1_000_000;
        this.producerLarge = quick ? 1_000 : 300_000;
        this.consumerSmall = quick ? 2_000 : 2_000_000;
        this.consumerLarge = quick ? 1_000 : 500_000;
        this.inMemoryMessages = quick ? 20_000 : 2_000_000;
        this.latencyWarmupMs = quick ? 300 : 1_000;
        this.latencyMeasureMs = quick ? 1_000 : 5_000;
        this.slowMessages = quick ? 600 : 30_000;
        this.slowC1Messages = quick ? 200 : 5_000;
        this.noopMessages = quick ? 2_000 : 1_000_000;
    }

    /**
     * Parses {@code args}.
     *
     * @throws CommandLine.UsageException naming the bad option and what it accepts
     */
    static BenchOptions parse(String[] args) {
        String bootstrap = null;
        Set<Part> parts = EnumSet.allOf(Part.class);
        boolean quick = false;
        Integer pairs = null;
        Integer warmups = null;
        Integer rate = null;
        CommandLine line = new CommandLine(args);
        while (line.next()) {
            switch (line.name()) {
                case "-h":
                case "--help":
                    return new BenchOptions(null, parts, false, true, null, null, null);
                case "--quick":
                    quick = true;
                    break;
                case "--bootstrap":
                    bootstrap = line.bootstrapServers();
                    break;
                case "--only":
                    parts = parts(line.value());
                    break;
                case "--pairs":
                    pairs = line.positive(1000);
                    break;
                case "--warmups":
                    warmups = line.positive(1000);
                    break;
                case "--rate":
                    rate = line.positive(1_000_000);
                    break;
                default:
                    throw line.unknown();
            }
        }
        return new BenchOptions(bootstrap, parts, quick, false, pairs, warmups, rate);
    }

    private static Set<Part> parts(String list) {
        Set<Part> parts = EnumSet.noneOf(Part.class);
        for (String item : list.split(",")) {
            try {
                parts.add(Part.valueOf(item.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--only: expected some of producer,consumer,inmemory,latency,slow,noop,observability but was ["
                        + item.trim() + "]", e);
            }
        }
        return parts;
    }
}
