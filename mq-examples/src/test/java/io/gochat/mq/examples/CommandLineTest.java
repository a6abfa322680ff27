package io.gochat.mq.examples;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandLineTest {

    @Test
    @DisplayName("--name value, --name=value and flags are read in order; a value after = may itself contain =")
    void shapes() {
        CommandLine line = new CommandLine(new String[] {"--a", "1", "--b=x=y", "--flag", "--n=1_000"});
        List<String> seen = new ArrayList<>();
        while (line.next()) {
            switch (line.name()) {
                case "--a":
                case "--b":
                    seen.add(line.name() + ":" + line.value());
                    break;
                case "--n":
                    seen.add(line.name() + ":" + line.positive(5000));
                    break;
                default:
                    seen.add(line.name());
            }
        }
        assertThat(seen).containsExactly("--a:1", "--b:x=y", "--flag", "--n:1000");
    }

    @Test
    @DisplayName("a missing value, a number out of range and an unknown argument are named in the error")
    void errors() {
        CommandLine missing = new CommandLine(new String[] {"--a", "--b"});
        missing.next();
        assertThatThrownBy(missing::value).isInstanceOf(CommandLine.UsageException.class).hasMessage("--a needs a value");

        CommandLine range = new CommandLine(new String[] {"--pairs", "0"});
        range.next();
        assertThatThrownBy(() -> range.positive(10)).hasMessage("--pairs: expected a whole number from 1 to 10 but was [0]");

        CommandLine unknown = new CommandLine(new String[] {"--fast", "extra"});
        unknown.next();
        assertThat(unknown.unknown()).hasMessage("unknown option [--fast]");
        unknown.next();
        assertThat(unknown.unknown()).hasMessage("unexpected argument [extra]; options start with --");
    }
}
