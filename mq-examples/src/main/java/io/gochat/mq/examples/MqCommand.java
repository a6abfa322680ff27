package io.gochat.mq.examples;

import java.io.PrintStream;
import java.util.Map;

/**
 * {@code bin/mq}: operator commands run from the repository. Today one group,
 * {@code dead-letters list|replay} ({@link DeadLetterCommand}); {@code bin/mq --help} lists the options.
 *
 * <p>Exit codes: 0 done; 1 done, but some messages were not dead letters (skipped and reported);
 * 2 bad command line; 3 could not run, or a replayed message was not acknowledged (cluster,
 * configuration, missing topic).
 */
public final class MqCommand {
    static final int EXIT_OK = CommandMain.EXIT_OK;
    static final int EXIT_SKIPPED = 1;
    static final int EXIT_USAGE = CommandMain.EXIT_USAGE;
    static final int EXIT_ERROR = CommandMain.EXIT_ERROR;

    private MqCommand() {
    }

    /** Runs the command and exits the JVM with its exit code. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.getenv()));
    }

    /**
     * Runs the command in this JVM.
     *
     * @param env the environment to read {@code CONSUL_HTTP_ADDR} and {@code MQ_CONFIG_FILE} from
     * @return the exit code (see the class documentation)
     */
    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        return CommandMain.run(DeadLetterOptions.USAGE, () -> DeadLetterOptions.parse(args, env), o -> o.help,
                o -> new DeadLetterCommand(o, out).run(), out, err);
    }
}
