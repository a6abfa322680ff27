package io.gochat.mq.coord;

import io.gochat.mq.config.MqConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads the text of a {@code kafka.yaml} into a validated {@link MqConfig}, the way the
 * configuration loader does, for code that has the YAML at hand (a test, a tool):
 *
 * <pre>{@code
 * MqConfig config = KafkaYaml.parse(Files.readString(path), "file " + path);
 * Producer producer = Mq.newProducer("im-gateway", Option.withConfig(config));
 * }</pre>
 *
 * <p>The YAML is read with SnakeYAML's safe loader and bounded input (no arbitrary types, at most
 * 20 aliases to collections, 32 levels of nesting, 1 MiB of text). Unknown keys are logged at WARN
 * to {@code io.gochat.mq.coord} with the nearest known key. Whether the configuration has what a
 * transport needs (Kafka: {@code common.brokers}) is checked by that transport when {@code Mq}
 * creates a client.
 *
 * <p>See {@code docs/configuration.md} for every key. Thread-safe.
 */
public final class KafkaYaml {
    private static final Logger LOG = LoggerFactory.getLogger("io.gochat.mq.coord");

    private KafkaYaml() {
    }

    /**
     * Parses and validates.
     *
     * @param yaml the text of one {@code kafka.yaml}
     * @param source where it came from; every error message ends with it, e.g. {@code file /etc/gochat/kafka.yaml}
     * @throws NullPointerException if an argument is null
     * @throws io.gochat.mq.MqConfigException when the text is empty, malformed (with line and column), too large, or a
     *     value has the wrong type or breaks a rule; the message names the key, the value, what is allowed and
     *     {@code source}, and never contains a password
     */
    public static MqConfig parse(String yaml, String source) {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(source, "source");
        return parse(yaml, source, LOG);
    }

    static MqConfig parse(String yaml, String source, Logger log) {
        List<KafkaYamlBinder.UnknownKey> unknown = new ArrayList<>();
        try {
            return KafkaYamlBinder.bind(KafkaYamlParser.parse(yaml, source), source, unknown);
        } finally {
            warn(unknown, log);   // also when a rule fails: a misspelt key often explains the failure
        }
    }

    static void warn(List<KafkaYamlBinder.UnknownKey> unknown, Logger log) {
        for (KafkaYamlBinder.UnknownKey u : unknown) {
            log.atWarn().setMessage(u.message())
                    .addKeyValue("key", u.key())
                    .addKeyValue("source", u.source())
                    .addKeyValue("suggestion", u.suggestion())
                    .log();
        }
    }
}
