package io.gochat.mq.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Renders pass-through properties for logs, hiding every value whose name suggests a secret. */
final class MaskedProperties {
    private MaskedProperties() {
    }

    static boolean isSecret(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("password") || n.contains("passphrase") || n.contains("secret") || n.contains("jaas") || n.contains("token")
                || n.contains("credential") || n.endsWith(".key") || n.contains("keystore.key");
    }

    static Map<String, String> of(Map<String, String> properties) {
        Map<String, String> masked = new LinkedHashMap<>();
        properties.forEach((k, v) -> masked.put(k, isSecret(k) ? "******" : v));
        return masked;
    }
}
