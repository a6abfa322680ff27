package io.gochat.mq.coord;

import io.gochat.mq.MqConfigException;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the text of one {@code kafka.yaml} into a tree of maps, lists, strings and nulls, with
 * SnakeYAML's safe constructor and bounded input: no arbitrary types, at most
 * {@value #MAX_ALIASES} aliases to collections, {@value #MAX_DEPTH} levels of nesting and
 * {@value #MAX_CHARS} characters; duplicate keys are errors.
 *
 * <p>Every scalar stays a string ({@code null} for {@code ~}, {@code null} and empty values):
 * the binder decides what a value must be, so {@code yes} never silently becomes {@code true} and
 * {@code 010} never becomes {@code 8}. Explicit standard tags ({@code !!int}, {@code !!bool}, …)
 * are read as strings too; any other tag is an error.
 *
 * <p>Stateless and thread-safe.
 */
final class KafkaYamlParser {
    static final int MAX_ALIASES = 20;
    static final int MAX_DEPTH = 32;
    static final int MAX_CHARS = 1024 * 1024;
    /** The largest input in bytes that can hold {@link #MAX_CHARS} characters of UTF-8. */
    static final int MAX_BYTES = 4 * MAX_CHARS;

    private KafkaYamlParser() {
    }

    /**
     * Parses one document.
     *
     * @param source where the text came from, for messages ({@code file /etc/gochat/kafka.yaml})
     * @return the top-level mapping, in file order
     * @throws MqConfigException when the text is empty, malformed (with line and column), too large
     *     or not a mapping; the message never quotes the text
     */
    static Map<String, Object> parse(String text, String source) {
        if (text.length() > MAX_CHARS) {
            throw tooLarge(source);
        }
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        Object root;
        try {
            root = newYaml().load(body);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            throw new MqConfigException("kafka.yaml is malformed" + where + ": " + problem + " (" + source + ")");
        } catch (YAMLException e) {
            // the limits (size, aliases, nesting) land here; their messages quote no content
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new MqConfigException("kafka.yaml is rejected: " + reason + " (" + source + ")");
        } catch (RuntimeException e) {
            throw new MqConfigException("kafka.yaml is malformed: " + e.getClass().getSimpleName() + " (" + source + ")");
        }
        if (root == null) {
            throw new MqConfigException("kafka.yaml is empty: expected a mapping with common, producer and consumer ("
                    + source + ")");
        }
        if (!(root instanceof Map)) {
            throw new MqConfigException("kafka.yaml: expected a mapping with common, producer and consumer at the top"
                    + " but was [" + KafkaYamlBinder.kind(root) + "] (" + source + ")");
        }
        @SuppressWarnings("unchecked")
        Map<Object, Object> map = (Map<Object, Object>) root;
        Map<String, Object> result = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : map.entrySet()) {
            if (!(e.getKey() instanceof String)) {
                throw new MqConfigException("kafka.yaml: expected text keys at the top but found ["
                        + KafkaYamlBinder.kind(e.getKey()) + "] (" + source + ")");
            }
            result.put((String) e.getKey(), e.getValue());
        }
        return result;
    }

    /**
     * Decodes UTF-8 strictly.
     *
     * @throws MqConfigException when the bytes are too many or not UTF-8
     */
    static String decode(byte[] bytes, String source) {
        if (bytes.length > MAX_BYTES) {
            throw tooLarge(source);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new MqConfigException("kafka.yaml is not valid UTF-8 (" + source + ")");
        }
    }

    /** Writes a tree back as YAML that {@link #parse} reads to the same tree. */
    static String dump(Map<String, Object> tree) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setWidth(120);
        options.setSplitLines(false);
        return new Yaml(options).dump(tree);
    }

    private static MqConfigException tooLarge(String source) {
        return new MqConfigException("kafka.yaml is too large: expected at most " + MAX_CHARS + " characters ("
                + source + ")");
    }

    private static Yaml newYaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(MAX_CHARS);
        options.setProcessComments(false);
        DumperOptions dumper = new DumperOptions();
        return new Yaml(new StringScalars(options), new Representer(dumper), dumper, options, new NullsOnly());
    }

    /** The safe constructor, with every standard scalar tag read as a string. */
    private static final class StringScalars extends SafeConstructor {
        StringScalars(LoaderOptions options) {
            super(options);
            for (Tag tag : List.of(Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.TIMESTAMP, Tag.BINARY)) {
                yamlConstructors.put(tag, new ConstructYamlStr());
            }
        }
    }

    /** Resolves only nulls and merge keys implicitly; every other plain scalar is a string. */
    private static final class NullsOnly extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.MERGE, MERGE, "<");
            addImplicitResolver(Tag.NULL, NULL, "~nN\0");
            addImplicitResolver(Tag.NULL, EMPTY, null);
        }
    }
}
