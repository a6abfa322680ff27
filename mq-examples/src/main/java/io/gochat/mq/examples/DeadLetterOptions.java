package io.gochat.mq.examples;

import io.gochat.mq.examples.CommandLine.UsageException;

import java.nio.file.Path;
import java.util.Map;

/**
 * The command line of {@link MqCommand} ({@code bin/mq}), parsed and checked. Immutable.
 *
 * <p>The cluster, first that applies: {@code --bootstrap HOST:PORT} (PLAINTEXT); {@code --config FILE}
 * or the environment of the coord config centre ({@code MQ_CONFIG_FILE}, {@code CONSUL_HTTP_ADDR}),
 * read by {@code mq-coord} as for a service named {@value DeadLetterCommand#SERVICE}. Without either
 * the command refuses to guess.
 */
final class DeadLetterOptions {
    /** Progress is printed every this many messages unless {@code --progress-every} says otherwise. */
    static final int DEFAULT_PROGRESS_EVERY = 1000;

    static final String USAGE = String.join("\n",
            "Usage: bin/mq dead-letters list   --from TOPIC [--limit N] [cluster]",
            "       bin/mq dead-letters replay --from TOPIC [--to TOPIC] [--limit N] [--progress-every N] [cluster]",
            "",
            "Works on a dead-letter topic (consumer.deadLetter.topic; see docs/configuration.md,",
            "\"Retry and dead letters\").",
            "",
            "  list     prints each dead letter: its offset, key, original topic/partition/offset, attempts,",
            "           exception class and message, trace_id, and whether replay has passed it. Reads",
            "           from the beginning and commits nothing.",
            "  replay   publishes each dead letter again to its original topic (or --to), with the same key,",
            "           value and headers (trace_id kept) and without the mq_dlt-* headers. Waits for the",
            "           broker's acknowledgement before committing past a message, in its own consumer group",
            "           " + DeadLetterCommand.replayGroup("<from>") + ", so a second run goes on where the first",
            "           stopped and replays nothing twice (after a crash, at most the batch in flight comes",
            "           again). Stops at the end of the topic as it was when the run started.",
            "           A message without the mq_dlt-original-topic header is not a dead letter: it is",
            "           skipped, reported and left where it is.",
            "",
            "Options:",
            "  --from TOPIC          the dead-letter topic to read (required)",
            "  --to TOPIC            replay: publish every dead letter to this topic instead of its original one",
            "  --limit N             at most N messages, skipped ones included (default: up to the end)",
            "  --progress-every N    replay: a progress line after each batch that passes a multiple of N messages"
                    + " (default " + DEFAULT_PROGRESS_EVERY + ")",
            "  -h, --help            this text",
            "",
            "Cluster (one of):",
            "  --bootstrap HOST:PORT a Kafka cluster without authentication (PLAINTEXT), host:port[,host:port...]",
            "  --config FILE         kafka.yaml, read by mq-coord as for a service named " + DeadLetterCommand.SERVICE,
            "  (environment)         CONSUL_HTTP_ADDR or MQ_CONFIG_FILE, as for any gochat service (APP_ENV,",
            "                        CONSUL_HTTP_TOKEN apply; -Dmq.consul.addr and -Dmq.config.file in JAVA_OPTS too)",
            "With kafka.yaml, security goes in common.properties (security.protocol, sasl.*, ssl.*): dead",
            "letters are read with a plain Kafka consumer, which does not take common.security.",
            "",
            "Exit codes: 0 done; 1 done, but some messages were not dead letters (skipped, listed above);",
            "2 bad command line; 3 could not run or a replay was not acknowledged (cluster, configuration,",
            "topic missing; what was acknowledged before is committed).",
            "");

    /** What to do with the dead letters. */
    enum Action { LIST, REPLAY }

    final Action action;
    final String from;
    /** {@code --to}, or null: each dead letter's original topic. */
    final String to;
    /** {@code --limit}, or 0 for no limit. */
    final int limit;
    final int progressEvery;
    /** {@code --bootstrap}, or null. */
    final String bootstrap;
    /** {@code --config}, or null. */
    final Path configFile;
    /** Where the cluster comes from, for the output. */
    final String clusterOrigin;
    final boolean help;

    private DeadLetterOptions(Action action, String from, String to, int limit, int progressEvery, String bootstrap,
                              Path configFile, String clusterOrigin, boolean help) {
        this.action = action;
        this.from = from;
        this.to = to;
        this.limit = limit;
        this.progressEvery = progressEvery;
        this.bootstrap = bootstrap;
        this.configFile = configFile;
        this.clusterOrigin = clusterOrigin;
        this.help = help;
    }

    private static DeadLetterOptions helpOnly() {
        return new DeadLetterOptions(null, null, null, 0, DEFAULT_PROGRESS_EVERY, null, null, null, true);
    }

    /**
     * Parses {@code args}; {@code env} is the process environment (a parameter so tests can pass their own).
     *
     * @throws CommandLine.UsageException naming the bad command or option and what it accepts
     */
    static DeadLetterOptions parse(String[] args, Map<String, String> env) {
        if (args.length == 0) {
            throw new UsageException("expected a command: dead-letters list or dead-letters replay");
        }
        if (isHelp(args[0])) {
            return helpOnly();
        }
        if (!args[0].equals("dead-letters")) {
            throw new UsageException("unknown command [" + args[0] + "]; expected dead-letters");
        }
        if (args.length == 1) {
            throw new UsageException("dead-letters: expected list or replay");
        }
        if (isHelp(args[1])) {
            return helpOnly();
        }
        Action action;
        switch (args[1]) {
            case "list":
                action = Action.LIST;
                break;
            case "replay":
                action = Action.REPLAY;
                break;
            default:
                throw new UsageException("dead-letters: expected list or replay but was [" + args[1] + "]");
        }
        String from = null;
        String to = null;
        int limit = 0;
        int progressEvery = DEFAULT_PROGRESS_EVERY;
        String bootstrap = null;
        Path config = null;
        CommandLine line = new CommandLine(java.util.Arrays.copyOfRange(args, 2, args.length));
        while (line.next()) {
            switch (line.name()) {
                case "-h":
                case "--help":
                    return helpOnly();
                case "--from":
                    from = line.topic();
                    break;
                case "--to":
                    if (action != Action.REPLAY) {
                        throw new UsageException("--to: only replay publishes; list takes --from, --limit and a cluster");
                    }
                    to = line.topic();
                    break;
                case "--limit":
                    limit = line.positive(Integer.MAX_VALUE);
                    break;
                case "--progress-every":
                    progressEvery = line.positive(Integer.MAX_VALUE);
                    break;
                case "--bootstrap":
                    bootstrap = line.bootstrapServers();
                    break;
                case "--config":
                    config = line.readableFile();
                    break;
                default:
                    throw line.unknown();
            }
        }
        if (from == null) {
            throw new UsageException("--from: expected the dead-letter topic to read, e.g. --from orders.dlt");
        }
        if (from.equals(to)) {
            throw new UsageException("--to: expected a topic other than --from [" + from + "]");
        }
        String origin;
        if (bootstrap != null) {
            if (config != null) {
                throw new UsageException("--bootstrap and --config both name a cluster; give one");
            }
            origin = "--bootstrap " + bootstrap;
        } else {
            origin = CoordConfigOrigin.describe(config, env);
            if (origin == null) {
                throw new UsageException("no cluster: expected --bootstrap HOST:PORT, --config FILE, or CONSUL_HTTP_ADDR"
                        + " or MQ_CONFIG_FILE in the environment");
            }
        }
        return new DeadLetterOptions(action, from, to, limit, progressEvery, bootstrap, config, origin, false);
    }

    private static boolean isHelp(String arg) {
        return arg.equals("-h") || arg.equals("--help");
    }
}
