package io.gochat.mq.config;

import io.gochat.mq.MqConfigException;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Checks one configuration value and reports a violation in the house format. */
final class ConfigValues {
    private ConfigValues() {
    }

    static MqConfigException invalid(String source, String key, String expected, Object actual) {
        return new MqConfigException(key + ": expected " + expected + " but was [" + actual + "] (" + source + ")");
    }

    static int positive(String source, String key, int value) {
        if (value <= 0) {
            throw invalid(source, key, "a positive number", value);
        }
        return value;
    }

    static int notNegative(String source, String key, int value) {
        if (value < 0) {
            throw invalid(source, key, "zero or a positive number", value);
        }
        return value;
    }

    static <T> T oneOf(String source, String key, T value, Collection<T> allowed) {
        if (!allowed.contains(value)) {
            throw invalid(source, key, "one of " + allowed, value);
        }
        return value;
    }

    static String notBlank(String source, String key, String value) {
        if (value == null || value.isBlank()) {
            throw invalid(source, key, "a non-blank string", value);
        }
        return value;
    }

    static Map<String, String> properties(String source, String key, Map<String, String> properties) {
        Objects.requireNonNull(properties, key);
        Map<String, String> copy = new LinkedHashMap<>();
        properties.forEach((name, value) -> {
            if (name == null || name.isBlank()) {
                throw invalid(source, key, "property names that are not blank", name);
            }
            if (value == null) {
                throw invalid(source, key + "." + name, "a value", null);
            }
            copy.put(name, value);
        });
        return Collections.unmodifiableMap(copy);
    }
}
