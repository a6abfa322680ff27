package io.gochat.mq.examples;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's demo command, run as a newcomer runs it: the script and its Java launch (the build
 * step is skipped with {@code BIN_SKIP_BUILD=1}, since this test runs inside that build).
 */
class LaunchScriptTest {
    static final Path ROOT = repositoryRoot();

    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("bin/demo"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no bin/demo above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** The lines of {@code file}'s fenced code blocks that start with {@code prefix}, without a trailing comment. */
    static List<String> commands(String file, String prefix) throws IOException {
        List<String> commands = new ArrayList<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(ROOT.resolve(file), StandardCharsets.UTF_8)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
            } else if (fenced && line.strip().startsWith(prefix)) {
                String command = line.strip();
                int comment = command.indexOf(" #");
                commands.add((comment < 0 ? command : command.substring(0, comment)).strip());
            }
        }
        return commands;
    }

    record Result(int exitCode, String out, String err) {
    }

    static Result script(Path tmp, String... command) throws Exception {
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("BIN_SKIP_BUILD", "1");
        pb.environment().remove("CONSUL_HTTP_ADDR");
        pb.environment().remove("MQ_CONFIG_FILE");
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within 120 s");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    @DisplayName("the README gives bin/demo in a code block, and the script exists and is executable")
    void readmeNamesTheDemoScript() throws IOException {
        List<String> commands = commands("README.md", "bin/demo");

        assertThat(commands).as("README.md code blocks with bin/demo").isNotEmpty();
        for (String command : commands) {
            Path script = ROOT.resolve(command.split("\\s+")[0]);
            assertThat(script).as(command).isRegularFile().isExecutable();
        }
    }

    @Test
    @DisplayName("every bin/demo command in README.md and docs/demo.md has options the demo accepts")
    void documentedDemoCommandsParse() throws IOException {
        assertDocumentedCommandsParse("bin/demo", args -> DemoOptions.parse(args, Map.of()), "README.md", "docs/demo.md");
    }

    /**
     * Every command starting with {@code prefix} in the code blocks of {@code files} names an
     * executable script and has arguments {@code parse} accepts. A documented kafka.yaml is the
     * reader's own; everything else must parse.
     */
    static void assertDocumentedCommandsParse(String prefix, java.util.function.Consumer<String[]> parse, String... files)
            throws IOException {
        List<String> commands = new ArrayList<>();
        for (String file : files) {
            commands.addAll(commands(file, prefix));
        }

        assertThat(commands).as(prefix + " in " + String.join(", ", files)).isNotEmpty();
        for (String command : commands) {
            String[] words = command.split("\\s+");
            assertThat(ROOT.resolve(words[0])).as(command).isRegularFile().isExecutable();
            try {
                parse.accept(java.util.Arrays.copyOfRange(words, 1, words.length));
            } catch (CommandLine.UsageException e) {
                assertThat(e.getMessage()).as(command).startsWith("--config: cannot read the file");
            }
        }
    }

    @Test
    @DisplayName("bin/demo --transport inmemory runs from any directory to a clean summary")
    void demoScriptRuns(@TempDir Path tmp) throws Exception {
        Result r = script(tmp, ROOT.resolve("bin/demo").toString(), "--transport", "inmemory", "--messages", "2000");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("demo_result=ok sent=2000 received=2000 lost=0 ").contains("order_violations=0");
    }

    @Test
    @DisplayName("bin/demo with a bad option prints the usage on stderr and exits 2 without a stack trace")
    void demoScriptRejectsBadOptions(@TempDir Path tmp) throws Exception {
        Result r = script(tmp, ROOT.resolve("bin/demo").toString(), "--transport", "carrier-pigeon");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--transport: expected kafka or inmemory but was [carrier-pigeon]", "Usage: bin/demo")
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    @DisplayName("bin/demo --help prints the usage and exits 0")
    void demoScriptHelp(@TempDir Path tmp) throws Exception {
        Result r = script(tmp, ROOT.resolve("bin/demo").toString(), "--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("Usage: bin/demo [options]");
    }

    @Test
    @DisplayName("every bin/mq command in README.md and docs/configuration.md has options bin/mq accepts")
    void documentedMqCommandsParse() throws IOException {
        assertDocumentedCommandsParse("bin/mq", args -> DeadLetterOptions.parse(args, Map.of()), "README.md",
                "docs/configuration.md");
    }

    @Test
    @DisplayName("bin/mq --help prints the usage and exits 0; a bad command exits 2 naming it")
    void mqScriptHelpAndUsage(@TempDir Path tmp) throws Exception {
        Result help = script(tmp, ROOT.resolve("bin/mq").toString(), "--help");
        Result bad = script(tmp, ROOT.resolve("bin/mq").toString(), "dead-letters", "purge");

        assertThat(help.exitCode()).as(help.err()).isZero();
        assertThat(help.out()).startsWith("Usage: bin/mq dead-letters list");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).startsWith("error: dead-letters: expected list or replay but was [purge]")
                .doesNotContain("\tat ");
    }
}
