package io.gochat.mq.micrometer;

import io.gochat.mq.Mq;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@value Mq#OBSERVERS_PROPERTY}{@code =none} turns off the observers found on the class path, not
 * the ones given with {@code Option.withObserver}. The property is read once per JVM, so each case
 * runs {@link ObserverDiscoveryMain} in a JVM of its own.
 */
class ObserverDiscoveryTest {

    @Test
    @DisplayName("mq-micrometer on the class path observes every client; -Dmq.observers=none leaves it out, and an"
            + " observer given with Option.withObserver still observes")
    void observersPropertyTurnsDiscoveryOff() throws Exception {
        assertThat(run(List.of(), "")).as("sends counted by the observer found on the class path").isEqualTo("sends=1");
        assertThat(run(List.of("-D" + Mq.OBSERVERS_PROPERTY + "=none"), ""))
                .as("sends counted with -Dmq.observers=none").isEqualTo("sends=0");
        assertThat(run(List.of("-D" + Mq.OBSERVERS_PROPERTY + "=none"), "given"))
                .as("sends counted with -Dmq.observers=none by the observer given with Option.withObserver")
                .isEqualTo("sends=1");
    }

    /** The {@code sends=} line {@link ObserverDiscoveryMain} prints in a JVM with {@code jvmOptions}. */
    private static String run(List<String> jvmOptions, String arg) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx128m");
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", testClassPath(), ObserverDiscoveryMain.class.getName(), arg));
        Path log = Files.createTempFile("observer-discovery", ".log");
        try {
            Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                throw new AssertionError("the child JVM did not end within 60 s; its output:\n" + Files.readString(log));
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(child.exitValue()).as("exit code of the child JVM; its output:%n%s", output).isZero();
            return output.lines().filter(line -> line.startsWith("sends=")).findFirst()
                    .orElse("no sends= line in:\n" + output);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
