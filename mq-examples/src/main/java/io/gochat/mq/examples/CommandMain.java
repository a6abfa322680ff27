package io.gochat.mq.examples;

import java.io.PrintStream;

/**
 * What {@code bin/demo} and {@code bin/mq} do around their own work, so both answer a bad command
 * line, {@code --help} and a failure the same way: a usage error prints {@code error: ...} and the
 * usage on stderr (exit 2); {@code --help} prints the usage on stdout (exit 0); a failure prints
 * {@code error: ...} with its causes and no stack trace (exit 3). Stateless.
 */
final class CommandMain {
    static final int EXIT_OK = 0;
    static final int EXIT_USAGE = 2;
    static final int EXIT_ERROR = 3;

    private CommandMain() {
    }

    /** Parses the command line; throws {@link CommandLine.UsageException} for a bad one. */
    @FunctionalInterface
    interface Parser<O> {
        O parse();
    }

    /** The command's own work; returns its exit code. */
    @FunctionalInterface
    interface Work<O> {
        int run(O options) throws InterruptedException;
    }

    /** Parses, prints the usage if asked or if the command line is bad, else runs {@code work}; returns the exit code. */
    static <O> int run(String usage, Parser<O> parser, java.util.function.Predicate<O> isHelp, Work<O> work,
                       PrintStream out, PrintStream err) {
        O options;
        try {
            options = parser.parse();
        } catch (CommandLine.UsageException e) {
            err.println("error: " + e.getMessage());
            err.println();
            err.print(usage);
            err.flush();
            return EXIT_USAGE;
        }
        if (isHelp.test(options)) {
            out.print(usage);
            out.flush();
            return EXIT_OK;
        }
        try {
            return work.run(options);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("error: interrupted");
            return EXIT_ERROR;
        } catch (RuntimeException e) {
            err.println("error: " + describe(e));
            err.flush();
            return EXIT_ERROR;
        }
    }

    /** The message of {@code t} and of its causes, without a stack trace. */
    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(String.valueOf(t.getMessage() != null ? t.getMessage() : t.toString()));
        Throwable cause = t.getCause();
        int depth = 0;
        while (cause != null && depth++ < 5) {
            String msg = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
            if (!sb.toString().contains(msg)) {
                sb.append(" (caused by ").append(cause.getClass().getSimpleName()).append(": ").append(msg).append(')');
            }
            cause = cause.getCause();
        }
        return sb.toString();
    }
}
