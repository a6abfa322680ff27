package io.gochat.mq.bench;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The keys and values every contender sends: 1,000 user keys in turn, and values of one size made
 * of random letters (compressible about as much as chat text), from a fixed seed so both sides of
 * a comparison send the same bytes. Immutable after construction; the arrays must not be changed.
 */
final class Payloads {
    static final int KEYS = 1000;
    private static final int VALUES = 1024;
    private static final byte[] ALPHABET =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.!?".getBytes(StandardCharsets.US_ASCII);

    private final byte[][] keys = new byte[KEYS][];
    private final byte[][] values = new byte[VALUES][];
    final int valueSize;

    Payloads(int valueSize) {
        this.valueSize = valueSize;
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < KEYS; i++) {
            keys[i] = ("user-" + i).getBytes(StandardCharsets.UTF_8);
        }
        for (int i = 0; i < VALUES; i++) {
            byte[] v = new byte[valueSize];
            for (int j = 0; j < valueSize; j++) {
                v[j] = ALPHABET[random.nextInt(ALPHABET.length)];
            }
            values[i] = v;
        }
    }

    /** The key of message {@code n}. */
    byte[] key(int n) {
        return keys[n % KEYS];
    }

    /** The value of message {@code n}. */
    byte[] value(int n) {
        return values[n % VALUES];
    }

    /** {@code "100 B"}, {@code "1 KiB"}. */
    String label() {
        return valueSize % 1024 == 0 ? valueSize / 1024 + " KiB" : valueSize + " B";
    }

    /** {@code "100b"}, {@code "1k"}: for machine-readable names. */
    String tag() {
        return valueSize % 1024 == 0 ? valueSize / 1024 + "k" : valueSize + "b";
    }
}
