package io.gochat.mq.coord;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigCacheTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a copy lives at <dir>/<root>/<env>/<service>/kafka.yaml")
    void layout() {
        ConfigCache cache = new ConfigCache(dir);
        assertThat(cache.file("team/config", "prod", "im-gateway"))
                .isEqualTo(dir.resolve("team").resolve("config").resolve("prod").resolve("im-gateway").resolve("kafka.yaml"));
    }

    @Test
    @DisplayName("a written copy is mode 0600 in directories of mode 0700, and reads back with its origin")
    void writeAndRead() throws Exception {
        ConfigCache cache = new ConfigCache(dir.resolve("cache"));
        Path file = cache.file("config", "dev", "im-gateway");
        cache.write(file, "consul config/dev/global/kafka.yaml at http://127.0.0.1:8500", "producer:\n  lingerMs: '5'\n");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("cache")))).isEqualTo("rwx------");
        ConfigCache.Entry entry = cache.read(file).orElseThrow();
        assertThat(entry.origin).isEqualTo("consul config/dev/global/kafka.yaml at http://127.0.0.1:8500");
        assertThat(entry.yaml).endsWith("producer:\n  lingerMs: '5'\n");
        assertThat(KafkaYamlParser.parse(entry.yaml, "cache")).containsKey("producer");
    }

    @Test
    @DisplayName("rewriting replaces the copy whole, narrows a widened mode back to 0600 and leaves no temporary file")
    void rewrite() throws Exception {
        ConfigCache cache = new ConfigCache(dir);
        Path file = cache.file("config", "dev", "svc");
        cache.write(file, "consul a", "producer:\n  lingerMs: '1'\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        cache.write(file, "consul b", "producer:\n  lingerMs: '2'\n");

        assertThat(cache.read(file).orElseThrow().yaml).contains("lingerMs: '2'").doesNotContain("lingerMs: '1'");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    @DisplayName("a missing copy reads as empty")
    void missing() throws Exception {
        assertThat(new ConfigCache(dir).read(dir.resolve("none/kafka.yaml"))).isEmpty();
    }

    @Test
    @DisplayName("the age of a copy comes from its modification time and reads like 3h 0m")
    void age() throws Exception {
        ConfigCache cache = new ConfigCache(dir);
        Path file = cache.file("config", "dev", "svc");
        cache.write(file, "consul a", "x: '1'\n");
        Instant now = Instant.now();
        Files.setLastModifiedTime(file, FileTime.from(now.minus(Duration.ofHours(3))));
        assertThat(ConfigCache.human(cache.read(file).orElseThrow().age(now))).isEqualTo("3h 0m");
        assertThat(ConfigCache.human(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(ConfigCache.human(Duration.ofSeconds(250))).isEqualTo("4m 10s");
        assertThat(ConfigCache.human(Duration.ofHours(76))).isEqualTo("3d 4h");
    }
}
