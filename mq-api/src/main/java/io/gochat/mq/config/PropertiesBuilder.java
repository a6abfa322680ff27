package io.gochat.mq.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The pass-through {@code properties} of a section's builder ({@code common}, {@code producer},
 * {@code consumer}): raw transport properties, checked by {@link ConfigValues#properties} when the
 * section is built. Not thread-safe.
 *
 * @param <B> the section's builder, returned by the setters
 */
abstract class PropertiesBuilder<B extends PropertiesBuilder<B>> {
    Map<String, String> properties = new LinkedHashMap<>();

    PropertiesBuilder() {
    }

    /** Adds or replaces one pass-through property. */
    public B property(String name, String value) {
        properties.put(name, value);
        return self();
    }

    /** Adds or replaces pass-through properties. */
    public B properties(Map<String, String> properties) {
        this.properties.putAll(properties);
        return self();
    }

    /** Starts from the properties of a built section. */
    final B copyProperties(Map<String, String> built) {
        this.properties = new LinkedHashMap<>(built);
        return self();
    }

    /** The properties, checked and frozen, reported under {@code <prefix>properties}. */
    final Map<String, String> validatedProperties(String source, String prefix) {
        return ConfigValues.properties(source, prefix + "properties", properties);
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }
}
