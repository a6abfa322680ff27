package io.gochat.mq.coord;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers which configurations were already warned about, so that a warning is logged once per
 * configuration and not once per client: each client loads {@code kafka.yaml} again, and a
 * service that creates three clients would otherwise see every unknown key three times. A
 * configuration is identified by a fingerprint of its source and content (or, for a last-known-good
 * copy, of the copy and why it is used); a changed configuration has a new fingerprint and is
 * warned about again, once.
 *
 * <p>Holds the last {@value #CAPACITY} fingerprints. Thread-safe: the fingerprints are guarded by their map's lock.
 */
final class WarnedLoads {
    static final int CAPACITY = 256;

    private final Map<String, Boolean> seen = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > CAPACITY;
        }
    };

    /**
     * True the first time these parts are offered (since they were last forgotten), false after.
     * Only a SHA-256 of the parts is kept: the content may hold a password, and may be large.
     */
    boolean first(Object... parts) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        for (Object part : parts) {
            sha.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
        }
        String fingerprint = HexFormat.of().formatHex(sha.digest());
        synchronized (seen) {
            return seen.put(fingerprint, Boolean.TRUE) == null;
        }
    }
}
