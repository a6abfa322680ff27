package io.gochat.mq.examples;

import io.gochat.mq.examples.CommandLine.UsageException;

import java.nio.file.Path;
import java.util.Map;

/**
 * The command line of {@link ChatPipelineDemo}, parsed and checked. Immutable.
 *
 * <p>Where the messages go, first that applies:
 * <ol>
 *   <li>{@code --transport inmemory}: the in-process transport, no broker at all;</li>
 *   <li>{@code --config FILE}, or the environment of the coord config centre
 *       ({@code MQ_CONFIG_FILE}, {@code CONSUL_HTTP_ADDR}): a real cluster, configured by
 *       {@code mq-coord} exactly as a service would be;</li>
 *   <li>otherwise a single-node Kafka broker started inside this JVM.</li>
 * </ol>
 */
final class DemoOptions {
    static final String DEFAULT_TOPIC = "gochat.messages.upstream";
    /** The default on a real cluster, whose {@link #DEFAULT_TOPIC} may carry production traffic. */
    static final String EXTERNAL_DEFAULT_TOPIC = "gochat.demo.upstream";
    /** {@code consumer.retry.maxAttempts} of the im-logic members under {@code --fail-rate}. */
    static final int MAX_ATTEMPTS = 4;

    static final String USAGE = String.join("\n",
            "Usage: bin/demo [options]",
            "",
            "Runs the gochat chat pipeline: an im-gateway producer sends chat messages keyed by user id",
            "(with a trace_id header) and an im-logic consumer group of two members processes them.",
            "Ends with a summary; the exit code is 0 only when nothing was lost and no user's",
            "messages arrived out of order.",
            "",
            "Options:",
            "  --messages N        chat messages to send (default 100000)",
            "  --users N           distinct users, i.e. message keys (default 1000)",
            "  --partitions N      partitions of the topic when it is created (default 6)",
            "  --concurrency N     callbacks each member runs at once, same user still in order",
            "                      (consumer.concurrency, 1-1024; default 1; on a real cluster set it in kafka.yaml)",
            "  --fail-rate P       share of callback attempts that throw a transient error (0-0.9, default 0):",
            "                      failed messages are retried (consumer.retry, " + MAX_ATTEMPTS + " attempts) and, after the",
            "                      last, dead-lettered to <topic>.dlt; the summary counts both, and lost stays 0",
            "  --topic NAME        topic (default " + DEFAULT_TOPIC + "; on a real cluster "
                    + EXTERNAL_DEFAULT_TOPIC + ")",
            "  --transport NAME    kafka (default) or inmemory (no broker at all)",
            "  --config FILE       kafka.yaml of a real cluster, read by mq-coord (implies kafka)",
            "  -h, --help          this text",
            "",
            "Without --config and --transport inmemory, a single-node Kafka broker is started inside",
            "the demo's JVM. With CONSUL_HTTP_ADDR (or MQ_CONFIG_FILE) set, kafka.yaml comes from the",
            "coord config centre, as for any gochat service (APP_ENV, CONSUL_HTTP_TOKEN apply;",
            "-Dmq.consul.addr and -Dmq.config.file in JAVA_OPTS work too).",
            "On a real cluster the consumer group is im-logic-demo-<run id> and the topic, unless --topic",
            "names one, " + EXTERNAL_DEFAULT_TOPIC + ", to keep demo traffic away from production.",
            "");

    /** Where the demo gets its broker from. */
    enum Mode {
        /** A KRaft broker inside this JVM. */
        EMBEDDED_KAFKA,
        /** The in-memory transport. */
        IN_MEMORY,
        /** A real cluster, configuration loaded by mq-coord. */
        EXTERNAL
    }

    final int messages;
    final int users;
    final int partitions;
    /** {@code consumer.concurrency} of the im-logic members. */
    final int concurrency;
    /** {@code --fail-rate}: the share of callback attempts that throw a transient error; 0 for none. */
    final double failRate;
    final String topic;
    final Mode mode;
    /** The transport to ask {@code Mq} for. */
    final String transport;
    /** {@code --config}, or null. */
    final Path configFile;
    /** Says where an external configuration comes from, for the summary; null unless external. */
    final String configOrigin;
    final boolean help;

    private DemoOptions(int messages, int users, int partitions, int concurrency, double failRate, String topic,
                        Mode mode, String transport, Path configFile, String configOrigin, boolean help) {
        this.messages = messages;
        this.users = users;
        this.partitions = partitions;
        this.concurrency = concurrency;
        this.failRate = failRate;
        this.topic = topic;
        this.mode = mode;
        this.transport = transport;
        this.configFile = configFile;
        this.configOrigin = configOrigin;
        this.help = help;
    }

    /**
     * Parses {@code args}; {@code env} is the process environment (a parameter so tests can pass their own).
     *
     * @throws CommandLine.UsageException naming the bad option and what it accepts
     */
    static DemoOptions parse(String[] args, Map<String, String> env) {
        int messages = 100_000;
        int users = 1000;
        int partitions = 6;
        int concurrency = 1;
        double failRate = 0;
        String topic = null;
        String transport = null;
        Path config = null;
        CommandLine line = new CommandLine(args);
        while (line.next()) {
            String name = line.name();
            switch (name) {
                case "-h":
                case "--help":
                    return new DemoOptions(messages, users, partitions, concurrency, failRate, DEFAULT_TOPIC,
                            Mode.EMBEDDED_KAFKA, "kafka", null, null, true);
                case "--messages":
                    messages = line.positive(100_000_000);
                    break;
                case "--users":
                    users = line.positive(1_000_000);
                    break;
                case "--partitions":
                    partitions = line.positive(10_000);
                    break;
                case "--concurrency":
                    concurrency = line.positive(io.gochat.mq.config.ConsumerConfig.MAX_CONCURRENCY);
                    break;
                case "--fail-rate":
                    failRate = failRate(line.value());
                    break;
                case "--topic":
                    topic = line.topic();
                    break;
                case "--transport":
                    transport = line.value().trim().toLowerCase(java.util.Locale.ROOT);
                    if (!transport.equals("kafka") && !transport.equals("inmemory")) {
                        throw new UsageException("--transport: expected kafka or inmemory but was [" + transport + "]");
                    }
                    break;
                case "--config":
                    config = line.readableFile();
                    break;
                default:
                    throw line.unknown();
            }
        }
        if (users > messages) {
            users = messages;
        }
        if ("inmemory".equals(transport)) {
            if (config != null) {
                throw new UsageException("--config names a Kafka cluster; it cannot be combined with --transport inmemory");
            }
            return new DemoOptions(messages, users, partitions, concurrency, failRate, topic != null ? topic : DEFAULT_TOPIC,
                    Mode.IN_MEMORY, "inmemory", null, null, false);
        }
        String origin = CoordConfigOrigin.describe(config, env);
        if (origin != null) {
            if (concurrency != 1) {
                throw new UsageException("--concurrency: a real cluster's consumers are configured by kafka.yaml;"
                        + " set consumer.concurrency there (configuration from " + origin + ")");
            }
            if (failRate != 0) {
                throw new UsageException("--fail-rate: a real cluster's retry and dead-letter topic are configured by"
                        + " kafka.yaml (consumer.retry, consumer.deadLetter); not with configuration from " + origin);
            }
            return new DemoOptions(messages, users, partitions, concurrency, failRate,
                    topic != null ? topic : EXTERNAL_DEFAULT_TOPIC, Mode.EXTERNAL, "kafka", config, origin, false);
        }
        return new DemoOptions(messages, users, partitions, concurrency, failRate, topic != null ? topic : DEFAULT_TOPIC,
                Mode.EMBEDDED_KAFKA, "kafka", null, null, false);
    }

    private static double failRate(String text) {
        double rate;
        try {
            rate = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            rate = Double.NaN;
        }
        if (!(rate >= 0 && rate <= 0.9)) {
            throw new UsageException("--fail-rate: expected a share of callback attempts from 0 to 0.9, such as 0.1,"
                    + " but was [" + text + "]");
        }
        return rate;
    }
}
