package io.gochat.mq.examples;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the options of a command line one at a time: {@code --name value}, {@code --name=value} and
 * flags. The one parser of {@code bin/demo}, {@code bin/bench} and {@code bin/mq}, so all accept and refuse the same
 * shapes with the same messages. Not thread-safe.
 *
 * <pre>{@code
 * CommandLine line = new CommandLine(args);
 * while (line.next()) {
 *     switch (line.name()) {
 *         case "--messages": messages = line.positive(100_000_000); break;
 *         default: throw line.unknown();
 *     }
 * }
 * }</pre>
 */
public final class CommandLine {
    private final String[] args;
    private int index = -1;
    private String name;
    private String inlineValue;

    public CommandLine(String[] args) {
        this.args = args.clone();
    }

    /** Moves to the next argument; {@code false} when there is none. */
    public boolean next() {
        index++;
        if (index >= args.length) {
            return false;
        }
        String arg = args[index];
        int eq = arg.indexOf('=');
        boolean inline = arg.startsWith("--") && eq > 0;
        name = inline ? arg.substring(0, eq) : arg;
        inlineValue = inline ? arg.substring(eq + 1) : null;
        return true;
    }

    /** The current option's name, {@code --messages} for {@code --messages 5} and {@code --messages=5} alike. */
    public String name() {
        return name;
    }

    /**
     * The current option's value: what follows {@code =}, otherwise the next argument, which is then
     * consumed.
     *
     * @throws UsageException if there is none, or the next argument is an option
     */
    public String value() {
        if (inlineValue != null) {
            return inlineValue;
        }
        if (index + 1 >= args.length || args[index + 1].startsWith("--")) {
            throw new UsageException(name + " needs a value");
        }
        return args[++index];
    }

    /**
     * The current option's value as a whole number from 1 to {@code max}; {@code _} may group digits.
     *
     * @throws UsageException naming the option, the range and the value
     */
    public int positive(int max) {
        String value = value();
        try {
            int n = Integer.parseInt(value.trim().replace("_", ""));
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below, with the value
        }
        throw new UsageException(name + ": expected a whole number from 1 to " + max + " but was [" + value + "]");
    }

    /**
     * The current option's value as a Kafka topic name.
     *
     * @throws UsageException naming the option and the value when it is not one
     */
    public String topic() {
        String topic = value();
        if (!topic.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw new UsageException(name + ": expected a Kafka topic name (letters, digits, '.', '_', '-')"
                    + " but was [" + topic + "]");
        }
        return topic;
    }

    /**
     * The current option's value as Kafka bootstrap servers, {@code host:port[,host:port...]}.
     *
     * @throws UsageException naming the option and the value when it has another shape
     */
    public String bootstrapServers() {
        String bootstrap = value();
        if (!bootstrap.matches("[^\\s,]+:\\d{1,5}(,[^\\s,]+:\\d{1,5})*")) {
            throw new UsageException(name + ": expected host:port[,host:port...] but was [" + bootstrap + "]");
        }
        return bootstrap;
    }

    /**
     * The current option's value as the path of a readable file.
     *
     * @throws UsageException naming the option and the absolute path when it cannot be read
     */
    public Path readableFile() {
        Path file = Path.of(value());
        if (!Files.isReadable(file) || Files.isDirectory(file)) {
            throw new UsageException(name + ": cannot read the file [" + file.toAbsolutePath() + "]");
        }
        return file;
    }

    /** The error for an argument no option of the caller's matches. */
    public UsageException unknown() {
        String arg = args[index];
        return new UsageException(arg.startsWith("-") ? "unknown option [" + arg + "]"
                : "unexpected argument [" + arg + "]; options start with --");
    }

    /** A bad command line: the message says which option and what it accepts. */
    public static final class UsageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }

        public UsageException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
