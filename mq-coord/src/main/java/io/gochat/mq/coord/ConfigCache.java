package io.gochat.mq.coord;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * The last-known-good copy of each service's configuration from Consul, on local disk, for a
 * start-up when Consul cannot be reached. One file per service:
 * {@code <dir>/<root>/<env>/<service>/kafka.yaml}, holding the merged YAML behind a comment line
 * that names where it came from.
 *
 * <p>A copy may hold credentials: directories are created {@code 0700}, files are written
 * {@code 0600} (on file systems with POSIX permissions) to a temporary file that is then moved over
 * the old copy atomically, so a reader sees the old copy or the new one, never half of one.
 *
 * <p>Thread-safe: writers never share a temporary file, and the move is atomic.
 */
final class ConfigCache {
    private static final String SOURCE_LINE = "# source: ";
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

    /** A copy read back. */
    static final class Entry {
        final Path file;
        final String yaml;
        final String origin;
        final Instant savedAt;

        Entry(Path file, String yaml, String origin, Instant savedAt) {
            this.file = file;
            this.yaml = yaml;
            this.origin = origin;
            this.savedAt = savedAt;
        }

        /** How old the copy is at {@code now}. */
        Duration age(Instant now) {
            Duration age = Duration.between(savedAt, now);
            return age.isNegative() ? Duration.ZERO : age;
        }
    }

    private final Path dir;

    ConfigCache(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** The file of one service; {@code root}, {@code env} and {@code service} are already checked segments. */
    Path file(String root, String env, String service) {
        Path p = dir;
        for (String segment : root.split("/")) {
            p = p.resolve(segment);
        }
        return p.resolve(env).resolve(service).resolve("kafka.yaml");
    }

    /**
     * Replaces the copy in {@code file} atomically.
     *
     * @param origin where the YAML came from, e.g. {@code consul config/dev/global/kafka.yaml}
     */
    void write(Path file, String origin, String yaml) throws IOException {
        Path parent = file.getParent();
        boolean posix = createDirectories(parent);
        String content = SOURCE_LINE + origin.replace('\n', ' ') + "\n"
                + "# last-known-good copy written by gochat mq-coord at " + Instant.now()
                + "; it may hold credentials: keep it private\n" + yaml;
        FileAttribute<?>[] attrs = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_MODE)}
                : new FileAttribute<?>[0];
        Path tmp = Files.createTempFile(parent, ".kafka.yaml.", ".tmp", attrs);
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
                channel.force(true);
            }
            if (posix) {
                Files.setPosixFilePermissions(tmp, FILE_MODE);   // the umask may have narrowed it; never widen
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads the copy in {@code file}.
     *
     * @return the copy, or empty when there is none
     * @throws IOException when it exists but cannot be read
     */
    Optional<Entry> read(Path file) throws IOException {
        byte[] bytes;
        Instant saved;
        try {
            saved = Files.getLastModifiedTime(file).toInstant();
            if (Files.size(file) > KafkaYamlParser.MAX_BYTES) {
                throw new IOException("the cached copy is larger than " + KafkaYamlParser.MAX_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        String origin = "";
        if (text.startsWith(SOURCE_LINE)) {
            int end = text.indexOf('\n');
            origin = text.substring(SOURCE_LINE.length(), end < 0 ? text.length() : end).trim();
        }
        return Optional.of(new Entry(file, text, origin, saved));
    }

    /** Creates missing directories {@code 0700}; returns whether the file system has POSIX permissions. */
    private static boolean createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
        }
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (posix) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
        } else {
            Files.createDirectories(dir);
        }
        return posix;
    }

    /** {@code 3d 4h}, {@code 2h 5m}, {@code 4m 10s}, {@code 42s}. */
    static String human(Duration d) {
        long s = d.getSeconds();
        if (s >= 86_400) {
            return s / 86_400 + "d " + (s % 86_400) / 3600 + "h";
        }
        if (s >= 3600) {
            return s / 3600 + "h " + (s % 3600) / 60 + "m";
        }
        if (s >= 60) {
            return s / 60 + "m " + s % 60 + "s";
        }
        return s + "s";
    }

    @Override
    public String toString() {
        return "ConfigCache{" + dir + '}';
    }
}
