package io.gochat.mq.coord;

import io.gochat.mq.MqConfigException;
import io.gochat.mq.config.MqConfig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Binds a parsed {@code kafka.yaml} tree to {@link MqConfig}: checks that every value has the
 * right type ({@code batchSize: abc} is an error naming the key), collects unknown keys with the
 * nearest known one, and leaves every value rule (ranges, allowed values, cross-field rules) to
 * {@link MqConfig.Builder#build()}, so the rules live in one place.
 *
 * <p>The schema is the seed's {@code kafka.yaml} plus {@code producer.deliveryTimeoutMs},
 * {@code producer.closeTimeoutMs}, {@code {common,producer,consumer}.properties}, {@code transport}
 * and {@code services.<name>.{common,producer,consumer}}. Stateless and thread-safe.
 */
final class KafkaYamlBinder {
    private static final Pattern INTEGER = Pattern.compile("^[+-]?[0-9]+$");
    private static final Pattern DECIMAL = Pattern.compile("^[+-]?[0-9]+(\\.[0-9]+)?$");
    private static final int SHOWN_CHARS = 80;

    private enum Type { TEXT, INT, DECIMAL, BOOL, BROKERS, PROPERTIES }

    private interface Node {
    }

    private static final class Section implements Node {
        final Map<String, Node> children = new LinkedHashMap<>();

        Section with(String name, Node child) {
            children.put(name, child);
            return this;
        }
    }

    private static final class Leaf implements Node {
        final Type type;
        final BiConsumer<MqConfig.Builder, Object> setter;

        Leaf(Type type, BiConsumer<MqConfig.Builder, Object> setter) {
            this.type = type;
            this.setter = setter;
        }
    }

    /** An unknown key, with the known key it was probably meant to be. */
    static final class UnknownKey {
        private final String key;
        private final String source;
        private final String suggestion;

        UnknownKey(String key, String source, String suggestion) {
            this.key = key;
            this.source = source;
            this.suggestion = suggestion;
        }

        /** The full dotted path, e.g. {@code producer.lingerMS}. */
        String key() {
            return key;
        }

        String source() {
            return source;
        }

        /** The nearest known key, or {@code null}. */
        String suggestion() {
            return suggestion;
        }

        /** {@code unknown key producer.lingerMS (file /x.yaml); did you mean lingerMs?} */
        String message() {
            return "unknown key " + key + " (" + source + ")"
                    + (suggestion == null ? "; it is ignored" : "; did you mean " + suggestion + "?");
        }

        @Override
        public String toString() {
            return message();
        }
    }

    private static final Section SERVICE = new Section()
            .with("common", new Section()
                    .with("brokers", leaf(Type.BROKERS, (b, v) -> b.common(c -> c.brokers(strings(v)))))
                    .with("clientIDPrefix", leaf(Type.TEXT, (b, v) -> b.common(c -> c.clientIdPrefix((String) v))))
                    .with("security", new Section()
                            .with("sasl", new Section()
                                    .with("mechanism", leaf(Type.TEXT, (b, v) -> b.common(c -> c.sasl(s -> s.mechanism((String) v)))))
                                    .with("username", leaf(Type.TEXT, (b, v) -> b.common(c -> c.sasl(s -> s.username((String) v)))))
                                    .with("password", leaf(Type.TEXT, (b, v) -> b.common(c -> c.sasl(s -> s.password((String) v))))))
                            .with("ssl", new Section()
                                    .with("ca_cert_file", leaf(Type.TEXT, (b, v) -> b.common(c -> c.ssl(s -> s.caCertFile((String) v)))))
                                    .with("client_cert_file", leaf(Type.TEXT, (b, v) -> b.common(c -> c.ssl(s -> s.clientCertFile((String) v)))))
                                    .with("client_key_file", leaf(Type.TEXT, (b, v) -> b.common(c -> c.ssl(s -> s.clientKeyFile((String) v)))))
                                    .with("insecure_skip_verify", leaf(Type.BOOL, (b, v) -> b.common(c -> c.ssl(s -> s.insecureSkipVerify((Boolean) v)))))))
                    .with("properties", leaf(Type.PROPERTIES, (b, v) -> b.common(c -> c.properties(properties(v))))))
            .with("producer", new Section()
                    .with("requiredAcks", leaf(Type.INT, (b, v) -> b.producer(p -> p.requiredAcks((Integer) v))))
                    .with("enableIdempotence", leaf(Type.BOOL, (b, v) -> b.producer(p -> p.enableIdempotence((Boolean) v))))
                    .with("compression", leaf(Type.TEXT, (b, v) -> b.producer(p -> p.compression((String) v))))
                    .with("batchSize", leaf(Type.INT, (b, v) -> b.producer(p -> p.batchSize((Integer) v))))
                    .with("lingerMs", leaf(Type.INT, (b, v) -> b.producer(p -> p.lingerMs((Integer) v))))
                    .with("deliveryTimeoutMs", leaf(Type.INT, (b, v) -> b.producer(p -> p.deliveryTimeoutMs((Integer) v))))
                    .with("closeTimeoutMs", leaf(Type.INT, (b, v) -> b.producer(p -> p.closeTimeoutMs((Integer) v))))
                    .with("properties", leaf(Type.PROPERTIES, (b, v) -> b.producer(p -> p.properties(properties(v))))))
            .with("consumer", new Section()
                    .with("autoCommitIntervalMs", leaf(Type.INT, (b, v) -> b.consumer(c -> c.autoCommitIntervalMs((Integer) v))))
                    .with("autoOffsetReset", leaf(Type.TEXT, (b, v) -> b.consumer(c -> c.autoOffsetReset((String) v))))
                    .with("sessionTimeoutMs", leaf(Type.INT, (b, v) -> b.consumer(c -> c.sessionTimeoutMs((Integer) v))))
                    .with("heartbeatIntervalMs", leaf(Type.INT, (b, v) -> b.consumer(c -> c.heartbeatIntervalMs((Integer) v))))
                    .with("concurrency", leaf(Type.INT, (b, v) -> b.consumer(c -> c.concurrency((Integer) v))))
                    .with("maxPendingPerPartition", leaf(Type.INT, (b, v) -> b.consumer(c -> c.maxPendingPerPartition((Integer) v))))
                    .with("stallThresholdMs", leaf(Type.INT, (b, v) -> b.consumer(c -> c.stallThresholdMs((Integer) v))))
                    .with("retry", new Section()
                            .with("maxAttempts", leaf(Type.INT, (b, v) -> b.consumer(c -> c.retryMaxAttempts((Integer) v))))
                            .with("backoffMs", leaf(Type.INT, (b, v) -> b.consumer(c -> c.retryBackoffMs((Integer) v))))
                            .with("maxBackoffMs", leaf(Type.INT, (b, v) -> b.consumer(c -> c.retryMaxBackoffMs((Integer) v))))
                            .with("multiplier", leaf(Type.DECIMAL, (b, v) -> b.consumer(c -> c.retryMultiplier((Double) v)))))
                    .with("deadLetter", new Section()
                            .with("topic", leaf(Type.TEXT, (b, v) -> b.consumer(c -> c.deadLetterTopic((String) v)))))
                    .with("properties", leaf(Type.PROPERTIES, (b, v) -> b.consumer(c -> c.properties(properties(v))))));

    private static final String SERVICES = "services";
    private static final Section ROOT = new Section();
    /** Last path segment in lower case -> full dotted paths, to point at a key put in the wrong section. */
    private static final Map<String, List<String>> PATHS_BY_NAME = new TreeMap<>();

    static {
        ROOT.children.putAll(SERVICE.children);
        ROOT.with("transport", leaf(Type.TEXT, (b, v) -> b.transport((String) v)));
        ROOT.with(SERVICES, new Section());
        index(ROOT, "");
    }

    private KafkaYamlBinder() {
    }

    private static Leaf leaf(Type type, BiConsumer<MqConfig.Builder, Object> setter) {
        return new Leaf(type, setter);
    }

    private static void index(Section section, String prefix) {
        section.children.forEach((name, node) -> {
            PATHS_BY_NAME.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(prefix + name);
            if (node instanceof Section) {
                index((Section) node, prefix + name + ".");
            }
        });
    }

    /** Every known key as a dotted path ({@code services} stands for its own subtree), for documentation and tests. */
    static List<String> knownKeys() {
        List<String> keys = new ArrayList<>();
        collect(ROOT, "", keys);
        return keys;
    }

    private static void collect(Section section, String prefix, List<String> out) {
        section.children.forEach((name, node) -> {
            if (node instanceof Section && !((Section) node).children.isEmpty()) {
                collect((Section) node, prefix + name + ".", out);
            } else {
                out.add(prefix + name);
            }
        });
    }

    /**
     * Binds and validates.
     *
     * @param unknownKeys receives the unknown keys found, in file order
     * @throws MqConfigException naming the key, the bad value, what is allowed and {@code source}
     */
    static MqConfig bind(Map<String, Object> tree, String source, List<UnknownKey> unknownKeys) {
        List<Consumer<MqConfig.Builder>> ops = new ArrayList<>();
        walk(tree, ROOT, "", source, ops, unknownKeys);
        MqConfig.Builder builder = MqConfig.builder().source(source);
        ops.forEach(op -> op.accept(builder));
        return builder.build();
    }

    private static void walk(Map<?, ?> map, Section schema, String path, String source,
                             List<Consumer<MqConfig.Builder>> ops, List<UnknownKey> unknownKeys) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getKey() instanceof String)) {
                throw invalid(source, path.isEmpty() ? "(top level)" : path.substring(0, path.length() - 1),
                        "text keys", "a key that is " + kind(entry.getKey()));
            }
            String name = (String) entry.getKey();
            String key = path + name;
            Object value = entry.getValue();
            Node node = schema.children.get(name);
            if (node == null) {
                unknownKeys.add(new UnknownKey(key, source, suggest(name, schema)));
            } else if (path.isEmpty() && name.equals(SERVICES)) {
                services(value, source, ops, unknownKeys);
            } else if (node instanceof Section) {
                if (value != null) {
                    walk(mapping(value, key, source), (Section) node, key + ".", source, ops, unknownKeys);
                }
            } else {
                Leaf leaf = (Leaf) node;
                Object typed = convert(leaf.type, value, key, source);
                ops.add(b -> leaf.setter.accept(b, typed));
            }
        }
    }

    private static void services(Object value, String source, List<Consumer<MqConfig.Builder>> ops,
                                 List<UnknownKey> unknownKeys) {
        if (value == null) {
            return;
        }
        for (Map.Entry<?, ?> e : mapping(value, SERVICES, source).entrySet()) {
            Object name = e.getKey();
            if (!(name instanceof String) || ((String) name).isBlank()) {
                throw invalid(source, SERVICES, "service names as keys", name == null ? "null" : kind(name));
            }
            String service = (String) name;
            if (e.getValue() == null) {
                continue;
            }
            List<Consumer<MqConfig.Builder>> serviceOps = new ArrayList<>();
            String key = SERVICES + "." + service;
            walk(mapping(e.getValue(), key, source), SERVICE, key + ".", source, serviceOps, unknownKeys);
            ops.add(b -> b.service(service, sb -> serviceOps.forEach(op -> op.accept(sb))));
        }
    }

    private static String suggest(String unknown, Section siblings) {
        Optional<String> near = KeySuggester.nearest(unknown, siblings.children.keySet());
        if (near.isPresent()) {
            return near.get();
        }
        List<String> elsewhere = PATHS_BY_NAME.get(unknown.toLowerCase(Locale.ROOT));
        return elsewhere == null ? null : elsewhere.get(0);
    }

    private static Map<?, ?> mapping(Object value, String key, String source) {
        if (!(value instanceof Map)) {
            throw invalid(source, key, "a mapping", describe(value));
        }
        return (Map<?, ?>) value;
    }

    private static Object convert(Type type, Object value, String key, String source) {
        switch (type) {
            case TEXT:
                return value == null ? "" : scalar(value, key, source, "text");
            case INT:
                return integer(value, key, source);
            case DECIMAL:
                return decimal(value, key, source);
            case BOOL:
                return bool(value, key, source);
            case BROKERS:
                return brokers(value, key, source);
            case PROPERTIES:
                return passThrough(value, key, source);
            default:
                throw new AssertionError(type);
        }
    }

    private static String scalar(Object value, String key, String source, String expected) {
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        throw invalid(source, key, expected, describe(value));
    }

    private static Integer integer(Object value, String key, String source) {
        String text = value == null ? null : scalar(value, key, source, "an integer").trim();
        if (text == null || !INTEGER.matcher(text).matches()) {
            throw invalid(source, key, "an integer", describe(value));
        }
        try {
            long n = Long.parseLong(text.startsWith("+") ? text.substring(1) : text);
            if (n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) {
                return (int) n;
            }
        } catch (NumberFormatException e) {
            // too long for a long: out of range, reported below
        }
        throw invalid(source, key, "an integer between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE, text);
    }

    private static Double decimal(Object value, String key, String source) {
        String text = value == null ? null : scalar(value, key, source, "a number").trim();
        if (text == null || !DECIMAL.matcher(text).matches()) {
            throw invalid(source, key, "a number such as 2 or 1.5", describe(value));
        }
        return Double.valueOf(text);
    }

    private static Boolean bool(Object value, String key, String source) {
        if (value instanceof Boolean) {
            return (Boolean) value;
        }
        if ("true".equals(value)) {
            return Boolean.TRUE;
        }
        if ("false".equals(value)) {
            return Boolean.FALSE;
        }
        throw invalid(source, key, "true or false", describe(value));
    }

    private static List<String> brokers(Object value, String key, String source) {
        List<String> brokers = new ArrayList<>();
        if (value == null) {
            return brokers;
        }
        if (value instanceof List) {
            List<?> list = (List<?>) value;
            for (int i = 0; i < list.size(); i++) {
                Object item = list.get(i);
                brokers.add(item == null ? "" : scalar(item, key + "[" + i + "]", source, "a host:port string"));
            }
            return brokers;
        }
        for (String part : scalar(value, key, source, "a list of host:port (or one comma-separated string)").split(",")) {
            if (!part.isBlank()) {
                brokers.add(part.trim());
            }
        }
        return brokers;
    }

    private static Map<String, String> passThrough(Object value, String key, String source) {
        Map<String, String> properties = new LinkedHashMap<>();
        if (value == null) {
            return properties;
        }
        for (Map.Entry<?, ?> e : mapping(value, key, source).entrySet()) {
            if (!(e.getKey() instanceof String)) {
                throw invalid(source, key, "property names as text keys", "a key that is " + kind(e.getKey()));
            }
            String name = (String) e.getKey();
            Object v = e.getValue();
            if (v instanceof Map || v instanceof List || v instanceof Set || v instanceof byte[]) {
                throw new MqConfigException(key + "." + name + ": expected a single value (write dotted names such as"
                        + " sasl.mechanism: PLAIN) but was [" + kind(v) + "] (" + source + ")");
            }
            properties.put(name, v == null ? null : String.valueOf(v));
        }
        return properties;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object value) {
        return (List<String>) value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> properties(Object value) {
        return Collections.unmodifiableMap((Map<String, String>) value);
    }

    private static MqConfigException invalid(String source, String key, String expected, String actual) {
        return new MqConfigException(key + ": expected " + expected + " but was [" + actual + "] (" + source + ")");
    }

    /** A value for a message: text as it is (shortened), anything else by its kind, never its contents. */
    static String describe(Object value) {
        if (value instanceof String) {
            String s = (String) value;
            return s.length() > SHOWN_CHARS ? s.substring(0, SHOWN_CHARS) + "…" : s;
        }
        return kind(value);
    }

    /** What a value is, without its contents: {@code a mapping}, {@code a list}, {@code text}, … */
    static String kind(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Map) {
            return "a mapping";
        }
        if (value instanceof List) {
            return "a list";
        }
        if (value instanceof Set) {
            return "a set";
        }
        if (value instanceof byte[]) {
            return "binary data";
        }
        if (value instanceof String) {
            return "text";
        }
        return value.getClass().getSimpleName();
    }
}
