package io.gochat.mq.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one rule for what is never shown in a log line, an exception or a {@code toString()}:
 * {@link MqConfig#toString()} masks pass-through properties with it, and so does every transport
 * that logs the properties of its clients.
 *
 * <p>A property is secret when its name is named like a secret: it contains {@code password},
 * {@code passwd}, {@code passphrase}, {@code secret}, {@code token}, {@code credential},
 * {@code jaas}, {@code certificate}, {@code private} or {@code userinfo} / {@code user.info}, or it
 * ends in {@code key} (private key material such as {@code ssl.keystore.key}, API keys); case does
 * not matter. Whatever its name, a value holding {@code PRIVATE KEY} (PEM) is masked too. The rule
 * errs on the side of hiding: a masked value that was not secret costs a look at the
 * configuration, a shown secret costs a rotation. Stateless.
 */
public final class Secrets {
    /** What a masked value is shown as. */
    public static final String MASK = "******";

    private static final List<String> WORDS = List.of("password", "passwd", "passphrase", "secret", "token",
            "credential", "jaas", "certificate", "private", "userinfo", "user.info");

    private Secrets() {
    }

    /** Whether the value of the property {@code name} must never be shown. */
    public static boolean isSecret(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith("key")) {
            return true;
        }
        for (String word : WORDS) {
            if (n.contains(word)) {
                return true;
            }
        }
        return false;
    }

    /** {@code value} as it may be shown: {@link #MASK} for a secret name or private key material. */
    public static Object shown(String name, Object value) {
        if (isSecret(name) || value instanceof String && ((String) value).contains("PRIVATE KEY")) {
            return MASK;
        }
        return value;
    }

    /** A copy of {@code properties}, in order, with every value as {@link #shown} would show it. */
    public static <V> Map<String, Object> masked(Map<String, V> properties) {
        Map<String, Object> masked = new LinkedHashMap<>();
        properties.forEach((name, value) -> masked.put(name, shown(name, value)));
        return masked;
    }
}
