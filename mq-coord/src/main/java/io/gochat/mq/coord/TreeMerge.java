package io.gochat.mq.coord;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Deep-merges two parsed YAML trees: mappings merge key by key, recursively; anything else (a
 * scalar, a list, a null) in the override replaces what was there. Stateless and thread-safe.
 */
final class TreeMerge {
    private TreeMerge() {
    }

    /** A new tree: {@code base} with {@code override} merged over it; neither argument is changed. */
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> override) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        override.forEach((key, value) -> merged.put(key, mergeValues(merged.get(key), value)));
        return merged;
    }

    @SuppressWarnings("unchecked")
    private static Object mergeValues(Object base, Object override) {
        if (base instanceof Map && override instanceof Map) {
            Map<Object, Object> merged = new LinkedHashMap<>((Map<Object, Object>) base);
            ((Map<Object, Object>) override).forEach((key, value) -> merged.put(key, mergeValues(merged.get(key), value)));
            return merged;
        }
        return override;
    }
}
