package io.gochat.mq.examples;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The README's Quick start, followed as a newcomer follows it: every code block marked
 * {@code <!-- readme-test: path -->} becomes that file of an empty project, and
 * {@code mvn -B -q verify} runs there.
 *
 * <p>A newcomer first runs {@code mvn install} in this repository. Here the reactor's artifacts are
 * not in the local repository (this runs inside {@code mvn verify}, and must not write to
 * {@code ~/.m2}), so the test lays out the modules' packaged jars and poms in a scratch local
 * repository, and lets that build read everything else from this build's local repository through a
 * {@code file:} mirror of every remote repository: no network, nothing written outside
 * {@code target/}. It is an integration test (Failsafe) because it needs the jars of
 * {@link #MODULES}, packaged before this module in the reactor.
 */
class ReadmeQuickStartIT {
    /** The modules the README's pom resolves: directory = artifactId, packaged as jar. */
    static final List<String> MODULES = List.of("mq-api", "mq-inmemory", "mq-testkit", "mq-kafka", "mq-coord");
    static final Pattern MARKED_BLOCK = Pattern.compile(
            "<!-- readme-test: (\\S+) -->\\s*\\n```[a-z]*\\n(.*?)\\n```", Pattern.DOTALL);
    static final long BUILD_TIMEOUT_SECONDS = 300;

    @Test
    @DisplayName("the README's pom and Java files build and their tests pass with mvn verify, as written")
    void readmeQuickStartBuildsAndItsTestsPass() throws Exception {
        Path root = LaunchScriptTest.ROOT;
        String version = requiredProperty("readme.version");
        Path work = root.resolve("mq-examples/target/readme-quick-start");
        deleteRecursively(work);
        Path project = Files.createDirectories(work.resolve("project"));
        Path repository = Files.createDirectories(work.resolve("repository"));

        Map<String, String> files = markedBlocks(Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8));
        assertThat(files).as("README.md's blocks marked <!-- readme-test: path -->")
                .containsKey("pom.xml")
                .hasKeySatisfying(new org.assertj.core.api.Condition<>(
                        path -> path.startsWith("src/test/java/"), "a test under src/test/java"));
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path target = project.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue() + "\n", StandardCharsets.UTF_8);
        }

        install(repository, "mq-parent", version, root.resolve("pom.xml"), null);
        install(repository, "mq-bom", version, root.resolve("bom/pom.xml"), null);
        for (String module : MODULES) {
            Path jar = root.resolve(module + "/target/" + module + "-" + version + ".jar");
            if (!Files.isRegularFile(jar)) {
                fail(jar + " does not exist: the README's project needs " + module
                        + " packaged first; run this test through the reactor's verify (mvn -B verify)");
            }
            install(repository, module, version, root.resolve(module + "/pom.xml"), jar);
        }
        Path settings = work.resolve("settings.xml");
        Files.writeString(settings, mirrorSettings(Path.of(requiredProperty("readme.localRepository"))), StandardCharsets.UTF_8);

        Path log = work.resolve("mvn.log");
        List<String> command = List.of(maven(), "-B", "-q", "verify",
                "-s", settings.toString(), "-Dmaven.repo.local=" + repository);
        Process process = new ProcessBuilder(command).directory(project.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(BUILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            fail("the README's project did not finish `mvn -B -q verify` within " + BUILD_TIMEOUT_SECONDS
                    + " s in " + project + "; its output:\n" + tail(log));
        }
        assertThat(process.exitValue())
                .as("exit code of `%s` in %s; its output:%n%s", String.join(" ", command), project, tail(log))
                .isZero();

        for (String testClass : testClasses(files)) {
            Path report = project.resolve("target/surefire-reports/TEST-" + testClass + ".xml");
            assertThat(report).as("Surefire's report for the README's %s", testClass).isRegularFile();
            String suite = Files.readString(report, StandardCharsets.UTF_8);
            assertThat(attribute(suite, "tests")).as("tests run in %s", report).isPositive();
            assertThat(attribute(suite, "failures") + attribute(suite, "errors") + attribute(suite, "skipped"))
                    .as("failed, erroneous or skipped tests in %s", report).isZero();
        }
    }

    /** Path → content of every block marked {@code <!-- readme-test: path -->}, in README order. */
    static Map<String, String> markedBlocks(String readme) {
        Map<String, String> files = new LinkedHashMap<>();
        Matcher block = MARKED_BLOCK.matcher(readme);
        while (block.find()) {
            if (files.put(block.group(1), block.group(2)) != null) {
                throw new IllegalStateException("README.md marks two blocks as " + block.group(1));
            }
        }
        return files;
    }

    /** What {@code mvn install} puts in a local repository for {@code io.gochat:artifactId:version}. */
    static void install(Path repository, String artifactId, String version, Path pom, Path jar) throws IOException {
        Path dir = Files.createDirectories(repository.resolve("io/gochat/" + artifactId + "/" + version));
        Files.copy(pom, dir.resolve(artifactId + "-" + version + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        if (jar != null) {
            Files.copy(jar, dir.resolve(artifactId + "-" + version + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Settings that send every remote repository to this build's local repository, read as a file: repository. */
    static String mirrorSettings(Path buildRepository) {
        return """
                <settings>
                  <mirrors>
                    <mirror>
                      <id>this-build-local-repository</id>
                      <mirrorOf>*</mirrorOf>
                      <url>%s</url>
                    </mirror>
                  </mirrors>
                </settings>
                """.formatted(buildRepository.toAbsolutePath().toUri());
    }

    static List<String> testClasses(Map<String, String> files) {
        List<String> classes = new ArrayList<>();
        for (String path : files.keySet()) {
            if (path.startsWith("src/test/java/") && path.endsWith("Test.java")) {
                classes.add(path.substring("src/test/java/".length(), path.length() - ".java".length()).replace('/', '.'));
            }
        }
        return classes;
    }

    static int attribute(String testSuiteXml, String name) {
        Matcher value = Pattern.compile("<testsuite [^>]*\\b" + name + "=\"(\\d+)\"").matcher(testSuiteXml);
        if (!value.find()) {
            throw new IllegalStateException("no " + name + "=\"…\" on <testsuite> in a Surefire report");
        }
        return Integer.parseInt(value.group(1));
    }

    /** This build's Maven, so the README's project is built as this repository is. */
    static String maven() {
        Path home = Path.of(requiredProperty("readme.mavenHome"));
        boolean windows = System.getProperty("os.name").toLowerCase().startsWith("windows");
        return home.resolve(windows ? "bin/mvn.cmd" : "bin/mvn").toString();
    }

    static String requiredProperty(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            throw new IllegalStateException("system property " + name + " is not set: mq-examples' pom passes it to Failsafe");
        }
        return value;
    }

    static String tail(Path log) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(path);
            }
        }
    }
}
