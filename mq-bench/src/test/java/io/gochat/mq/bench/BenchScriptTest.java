package io.gochat.mq.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's benchmark command, run through its script (the build step is skipped with
 * {@code BIN_SKIP_BUILD=1}, since this test runs inside that build). The full benchmark takes
 * minutes; {@link MqBenchTest} runs its entry point with tiny sizes.
 */
class BenchScriptTest {
    static final Path ROOT = repositoryRoot();

    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("bin/bench"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no bin/bench above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    record Result(int exitCode, String out, String err) {
    }

    static Result script(Path tmp, String... command) throws Exception {
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("BIN_SKIP_BUILD", "1");
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within 120 s");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
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

    @Test
    @DisplayName("every bin/bench command in README.md and docs/benchmarks.md has options the benchmark accepts")
    void documentedBenchCommandsParse() throws IOException {
        List<String> commands = new ArrayList<>(commands("README.md", "bin/bench"));
        commands.addAll(commands("docs/benchmarks.md", "bin/bench"));

        assertThat(commands).isNotEmpty();
        for (String command : commands) {
            String[] words = command.split("\\s+");
            BenchOptions.parse(java.util.Arrays.copyOfRange(words, 1, words.length));
        }
    }

    @Test
    @DisplayName("the README gives bin/bench in a code block, and the script exists and is executable")
    void readmeNamesTheBenchScript() throws IOException {
        List<String> commands = commands("README.md", "bin/bench");

        assertThat(commands).as("README.md code blocks with bin/bench").isNotEmpty();
        for (String command : commands) {
            assertThat(ROOT.resolve(command.split("\\s+")[0])).as(command).isRegularFile().isExecutable();
        }
    }

    @Test
    @DisplayName("bin/bench --only inmemory --quick runs from any directory and prints its figures")
    void benchScriptRuns(@TempDir Path tmp) throws Exception {
        Result r = script(tmp, ROOT.resolve("bin/bench").toString(), "--only", "inmemory", "--quick", "--pairs", "1");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).containsPattern("(?m)^inmemory_msgs_per_sec=[0-9]+$")
                .containsPattern("(?m)^inmemory_ratio=[0-9.]+$");
    }

    @Test
    @DisplayName("bin/bench with a bad option prints the usage on stderr and exits 2 without a stack trace")
    void benchScriptRejectsBadOptions(@TempDir Path tmp) throws Exception {
        Result r = script(tmp, ROOT.resolve("bin/bench").toString(), "--rate", "fast");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--rate: expected a whole number", "Usage: bin/bench").doesNotContain("\tat ");
    }
}
