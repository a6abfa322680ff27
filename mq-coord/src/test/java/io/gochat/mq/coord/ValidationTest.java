package io.gochat.mq.coord;

import io.gochat.mq.MqConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * One case per validation rule and per malformed input: each asserts that the message names the
 * key (or the file), the bad value and what is allowed, and ends with the source.
 */
class ValidationTest {
    static final String SOURCE = "consul config/dev/global/kafka.yaml";
    static final String BROKERS = "common:\n  brokers: [\"kafka-1:9092\"]\n";

    static MqConfigException rejected(String yaml) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> KafkaYaml.parse(yaml, SOURCE));
        assertThat(t).as("kafka.yaml must be rejected:\n" + yaml).isInstanceOf(MqConfigException.class);
        return (MqConfigException) t;
    }

    private static Arguments rule(String name, String yaml, String expectedMessage) {
        return arguments(named(name, yaml), expectedMessage);
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                rule("a broker must be host:port", "common:\n  brokers: [\"kafka-1:9092\", \"kafka-2\"]\n",
                        "common.brokers[1]: expected host:port with a port in 1..65535 but was [kafka-2] (" + SOURCE + ")"),
                rule("a broker's port must be in 1..65535", "common:\n  brokers: kafka-1:99999\n",
                        "common.brokers[0]: expected host:port with a port in 1..65535 but was [kafka-1:99999] (" + SOURCE + ")"),
                rule("clientIDPrefix must not be blank", "common:\n  clientIDPrefix: \"\"\n",
                        "common.clientIDPrefix: expected a non-blank string but was [] (" + SOURCE + ")"),
                rule("requiredAcks is -1, 0 or 1", "producer:\n  requiredAcks: 2\n",
                        "producer.requiredAcks: expected one of [-1, 0, 1] but was [2] (" + SOURCE + ")"),
                rule("compression is one of none, gzip, snappy, lz4, zstd", "producer:\n  compression: lz5\n",
                        "producer.compression: expected one of [none, gzip, snappy, lz4, zstd] but was [lz5] (" + SOURCE + ")"),
                rule("autoOffsetReset is earliest or latest", "consumer:\n  autoOffsetReset: newest\n",
                        "consumer.autoOffsetReset: expected one of [earliest, latest] but was [newest] (" + SOURCE + ")"),
                rule("concurrency is from 1 to 1024", "consumer:\n  concurrency: 0\n",
                        "consumer.concurrency: expected an integer from 1 to 1024 but was [0] (" + SOURCE + ")"),
                rule("maxPendingPerPartition is positive", "services:\n  im-logic:\n    consumer:\n      maxPendingPerPartition: 0\n",
                        "services.im-logic.consumer.maxPendingPerPartition: expected a positive number but was [0] (" + SOURCE + ")"),
                rule("retry.maxAttempts is positive", "consumer:\n  retry: {maxAttempts: 0}\n",
                        "consumer.retry.maxAttempts: expected a positive number but was [0] (" + SOURCE + ")"),
                rule("retry.backoffMs is not negative", "consumer:\n  retry: {backoffMs: -1}\n",
                        "consumer.retry.backoffMs: expected zero or a positive number but was [-1] (" + SOURCE + ")"),
                rule("retry.maxBackoffMs is at least backoffMs", "consumer:\n  retry: {backoffMs: 5000, maxBackoffMs: 1000}\n",
                        "consumer.retry.maxBackoffMs: expected at least consumer.retry.backoffMs (5000) but was [1000] (" + SOURCE + ")"),
                rule("retry.multiplier is from 1.0 to 100.0", "consumer:\n  retry: {multiplier: 0.5}\n",
                        "consumer.retry.multiplier: expected a number from 1.0 to 100.0 but was [0.5] (" + SOURCE + ")"),
                rule("retry.multiplier is a number", "consumer:\n  retry: {multiplier: twice}\n",
                        "consumer.retry.multiplier: expected a number such as 2 or 1.5 but was [twice] (" + SOURCE + ")"),
                rule("deadLetter.topic is a topic name where {topic} may stand for the message's topic",
                        "services:\n  im-task:\n    consumer:\n      deadLetter: {topic: 'dead letters'}\n",
                        "services.im-task.consumer.deadLetter.topic: expected empty (no dead-letter topic) or a topic name of letters,"
                                + " digits, '.', '_' and '-', where {topic} stands for the message's topic but was [dead letters] ("
                                + SOURCE + ")"),
                rule("heartbeatIntervalMs is at most a third of sessionTimeoutMs",
                        "consumer:\n  sessionTimeoutMs: 30000\n  heartbeatIntervalMs: 10001\n",
                        "consumer.heartbeatIntervalMs: expected at most a third of consumer.sessionTimeoutMs (10000) but was [10001] ("
                                + SOURCE + ")"),
                rule("idempotence needs requiredAcks -1", "producer:\n  requiredAcks: 1\n  enableIdempotence: true\n",
                        "producer.requiredAcks: expected -1 while producer.enableIdempotence is true (or set enableIdempotence: false) but was [1] ("
                                + SOURCE + ")"),
                rule("the SASL mechanism is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
                        "common:\n  security:\n    sasl: {mechanism: GSSAPI, username: u, password: p}\n",
                        "common.security.sasl.mechanism: expected one of [PLAIN, SCRAM-SHA-256, SCRAM-SHA-512] but was [GSSAPI] ("
                                + SOURCE + ")"),
                rule("SASL needs a username", "common:\n  security:\n    sasl: {mechanism: PLAIN, password: p}\n",
                        "common.security.sasl.username: expected a non-blank string but was [] (" + SOURCE + ")"),
                rule("SASL needs a password", "common:\n  security:\n    sasl: {mechanism: PLAIN, username: u}\n",
                        "common.security.sasl.password: expected a non-empty password when common.security.sasl.mechanism is PLAIN ("
                                + SOURCE + ")"),
                rule("an SSL file must be readable", "common:\n  security:\n    ssl: {ca_cert_file: /nonexistent/ca.pem}\n",
                        "common.security.ssl.ca_cert_file: expected a readable PEM file but was [/nonexistent/ca.pem] (" + SOURCE + ")"),
                rule("a service override obeys the same rules", "services:\n  im-gateway:\n    producer: {compression: brotli}\n",
                        "services.im-gateway.producer.compression: expected one of [none, gzip, snappy, lz4, zstd] but was [brotli] ("
                                + SOURCE + ")"),
                rule("a pass-through property needs a value", "consumer:\n  properties:\n    max.poll.records:\n",
                        "consumer.properties.max.poll.records: expected a value but was [null] (" + SOURCE + ")"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    @DisplayName("a broken rule names the key, the value, what is allowed and the source")
    void rule(String yaml, String expectedMessage) {
        assertThat(rejected(yaml)).hasMessage(expectedMessage);
    }

    static Stream<Arguments> wrongTypes() {
        return Stream.of(
                rule("batchSize: abc is not an integer", "producer:\n  batchSize: abc\n",
                        "producer.batchSize: expected an integer but was [abc] (" + SOURCE + ")"),
                rule("lingerMs: 1.5 is not an integer", "producer:\n  lingerMs: 1.5\n",
                        "producer.lingerMs: expected an integer but was [1.5] (" + SOURCE + ")"),
                rule("requiredAcks: all is not an integer", "producer:\n  requiredAcks: all\n",
                        "producer.requiredAcks: expected an integer but was [all] (" + SOURCE + ")"),
                rule("an integer beyond the int range", "consumer:\n  sessionTimeoutMs: 99999999999\n",
                        "consumer.sessionTimeoutMs: expected an integer between -2147483648 and 2147483647 but was [99999999999] ("
                                + SOURCE + ")"),
                rule("a key with no value where an integer is expected", "producer:\n  batchSize:\n",
                        "producer.batchSize: expected an integer but was [null] (" + SOURCE + ")"),
                rule("booleans are strictly true or false: yes is not", "producer:\n  enableIdempotence: yes\n",
                        "producer.enableIdempotence: expected true or false but was [yes] (" + SOURCE + ")"),
                rule("booleans are strictly true or false: 1 is not", "common:\n  security:\n    ssl: {insecure_skip_verify: 1}\n",
                        "common.security.ssl.insecure_skip_verify: expected true or false but was [1] (" + SOURCE + ")"),
                rule("a section must be a mapping", "producer: 5\n",
                        "producer: expected a mapping but was [5] (" + SOURCE + ")"),
                rule("a text value must not be a list", "producer:\n  compression: [lz4, zstd]\n",
                        "producer.compression: expected text but was [a list] (" + SOURCE + ")"),
                rule("brokers must be a list or a string", "common:\n  brokers: {kafka-1: 9092}\n",
                        "common.brokers: expected a list of host:port (or one comma-separated string) but was [a mapping] ("
                                + SOURCE + ")"),
                rule("each broker must be a string", "common:\n  brokers:\n    - kafka-1:9092\n    - [kafka-2, 9092]\n",
                        "common.brokers[1]: expected a host:port string but was [a list] (" + SOURCE + ")"),
                rule("properties must be a mapping", "producer:\n  properties: [acks=all]\n",
                        "producer.properties: expected a mapping but was [a list] (" + SOURCE + ")"),
                rule("a property value must be a single value", "common:\n  properties:\n    sasl:\n      mechanism: PLAIN\n",
                        "common.properties.sasl: expected a single value (write dotted names such as sasl.mechanism: PLAIN) but was [a mapping] ("
                                + SOURCE + ")"),
                rule("services must be a mapping of service names", "services: [im-gateway]\n",
                        "services: expected a mapping but was [a list] (" + SOURCE + ")"),
                rule("a service's override must be a mapping", "services:\n  im-gateway: zstd\n",
                        "services.im-gateway: expected a mapping but was [zstd] (" + SOURCE + ")"),
                rule("transport must be text", "transport: {name: kafka}\n",
                        "transport: expected text but was [a mapping] (" + SOURCE + ")"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongTypes")
    @DisplayName("a value of the wrong type names the key, the value, the type expected and the source")
    void wrongType(String yaml, String expectedMessage) {
        assertThat(rejected(yaml)).hasMessage(expectedMessage);
    }

    static Stream<Arguments> notPositive() {
        return Stream.of(
                rule("batchSize: 0", "producer:\n  batchSize: 0\n", "producer.batchSize: expected a positive number but was [0]"),
                rule("batchSize: -1", "producer:\n  batchSize: -1\n", "producer.batchSize: expected a positive number but was [-1]"),
                rule("lingerMs: -1", "producer:\n  lingerMs: -1\n", "producer.lingerMs: expected zero or a positive number but was [-1]"),
                rule("deliveryTimeoutMs: 0", "producer:\n  deliveryTimeoutMs: 0\n",
                        "producer.deliveryTimeoutMs: expected a positive number but was [0]"),
                rule("closeTimeoutMs: -5", "producer:\n  closeTimeoutMs: -5\n",
                        "producer.closeTimeoutMs: expected a positive number but was [-5]"),
                rule("autoCommitIntervalMs: 0", "consumer:\n  autoCommitIntervalMs: 0\n",
                        "consumer.autoCommitIntervalMs: expected a positive number but was [0]"),
                rule("sessionTimeoutMs: -30000", "consumer:\n  sessionTimeoutMs: -30000\n",
                        "consumer.sessionTimeoutMs: expected a positive number but was [-30000]"),
                rule("heartbeatIntervalMs: 0", "consumer:\n  heartbeatIntervalMs: 0\n",
                        "consumer.heartbeatIntervalMs: expected a positive number but was [0]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notPositive")
    @DisplayName("sizes and times must be positive (lingerMs may be zero)")
    void notPositive(String yaml, String expectedMessage) {
        assertThat(rejected(yaml)).hasMessage(expectedMessage + " (" + SOURCE + ")");
    }

    @Nested
    @DisplayName("malformed input")
    class Malformed {
        @Test
        @DisplayName("malformed YAML names the line and column of the problem and the source")
        void lineAndColumn() {
            String yaml = "common:\n  brokers: [\"kafka-1:9092\"]\nproducer:\n  lingerMs: 5\n   batchSize: 10\n";
            assertThat(rejected(yaml)).hasMessage(
                    "kafka.yaml is malformed at line 5, column 13: mapping values are not allowed here (" + SOURCE + ")");
        }

        @Test
        @DisplayName("an unclosed flow sequence is malformed YAML, with line and column")
        void unclosed() {
            assertThat(rejected("common:\n  brokers: [\"kafka-1:9092\"\nproducer:\n  lingerMs: 5\n"))
                    .hasMessage("kafka.yaml is malformed at line 3, column 1: expected ',' or ']', but got <scalar> ("
                            + SOURCE + ")");
        }

        @Test
        @DisplayName("a tab as indentation is malformed YAML, with line and column")
        void tab() {
            assertThat(rejected("producer:\n\tlingerMs: 5\n"))
                    .hasMessageStartingWith("kafka.yaml is malformed at line 2, column 1: ")
                    .hasMessageEndingWith("(" + SOURCE + ")");
        }

        @Test
        @DisplayName("a duplicate key is an error naming the key and its line")
        void duplicateKey() {
            assertThat(rejected("producer:\n  lingerMs: 5\n  lingerMs: 10\n"))
                    .hasMessage("kafka.yaml is malformed at line 3, column 3: found duplicate key lingerMs (" + SOURCE + ")");
        }

        @Test
        @DisplayName("an empty file is an error naming the source")
        void empty() {
            assertThat(rejected("")).hasMessage(
                    "kafka.yaml is empty: expected a mapping with common, producer and consumer (" + SOURCE + ")");
        }

        @Test
        @DisplayName("a file of only comments and blank lines is empty too")
        void onlyComments() {
            assertThat(rejected("# nothing yet\n\n   \n# still nothing\n")).hasMessageStartingWith("kafka.yaml is empty")
                    .hasMessageEndingWith("(" + SOURCE + ")");
        }

        @Test
        @DisplayName("a document that is not a mapping is an error naming what it is")
        void notAMapping() {
            assertThat(rejected("- kafka-1:9092\n- kafka-2:9092\n")).hasMessage(
                    "kafka.yaml: expected a mapping with common, producer and consumer at the top but was [a list] (" + SOURCE + ")");
            assertThat(rejected("just some text\n")).hasMessage(
                    "kafka.yaml: expected a mapping with common, producer and consumer at the top but was [text] (" + SOURCE + ")");
        }

        @Test
        @DisplayName("two documents in one file are malformed")
        void twoDocuments() {
            assertThat(rejected("producer: {lingerMs: 5}\n---\nproducer: {lingerMs: 6}\n"))
                    .hasMessageStartingWith("kafka.yaml is malformed at line 2, column 1: ")
                    .hasMessageEndingWith("(" + SOURCE + ")");
        }

        @Test
        @DisplayName("a Java type tag is refused and nothing is instantiated")
        void arbitraryType() {
            assertThat(rejected("producer: !!java.io.File [\"/tmp/owned\"]\n"))
                    .hasMessageStartingWith("kafka.yaml is malformed at line 1, column 11: ")
                    .hasMessageEndingWith("(" + SOURCE + ")");
            assertThat(rejected("x: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://127.0.0.1:1/\"]]]]\n"))
                    .hasMessageStartingWith("kafka.yaml is malformed at line 1")
                    .hasMessageEndingWith("(" + SOURCE + ")");
        }

        @Test
        @DisplayName("a local tag is refused")
        void localTag() {
            assertThat(rejected("producer: !custom {lingerMs: 5}\n"))
                    .hasMessageStartingWith("kafka.yaml is malformed at line 1, column 11: ")
                    .hasMessageEndingWith("(" + SOURCE + ")");
        }

        @Test
        @DisplayName("explicit standard tags are read as text, then typed by the schema")
        void standardTags() {
            assertThat(rejected("producer:\n  batchSize: !!int abc\n")).hasMessage(
                    "producer.batchSize: expected an integer but was [abc] (" + SOURCE + ")");
            assertThat(KafkaYaml.parse("producer:\n  batchSize: !!int 1024\n  compression: !!str gzip\n", SOURCE)
                    .producer().batchSize()).isEqualTo(1024);
        }

        @Test
        @DisplayName("an alias bomb is stopped at the alias limit")
        void billionLaughs() {
            StringBuilder yaml = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
            char prev = 'a';
            for (char c = 'b'; c <= 'j'; c++) {
                yaml.append(c).append(": &").append(c).append(" [");
                for (int i = 0; i < 9; i++) {
                    yaml.append(i == 0 ? "" : ",").append('*').append(prev);
                }
                yaml.append("]\n");
                prev = c;
            }
            assertThat(rejected(yaml.toString()))
                    .hasMessage("kafka.yaml is rejected: Number of aliases for non-scalar nodes exceeds the specified max="
                            + KafkaYamlParser.MAX_ALIASES + " (" + SOURCE + ")");
        }

        @Test
        @DisplayName("nesting deeper than the limit is refused")
        void tooDeep() {
            String yaml = "producer:\n  properties:\n    x: " + "[".repeat(100) + "]".repeat(100) + "\n";
            assertThat(rejected(yaml)).hasMessageStartingWith("kafka.yaml is rejected: Nesting Depth exceeded max "
                    + KafkaYamlParser.MAX_DEPTH).hasMessageEndingWith("(" + SOURCE + ")");
        }

        @Test
        @DisplayName("a document over 1 MiB is refused before it is parsed")
        void tooLarge() {
            String yaml = "producer:\n  compression: lz4\n#" + "x".repeat(KafkaYamlParser.MAX_CHARS) + "\n";
            assertThat(rejected(yaml)).hasMessage(
                    "kafka.yaml is too large: expected at most " + KafkaYamlParser.MAX_CHARS + " characters (" + SOURCE + ")");
        }

        @Test
        @DisplayName("bytes that are not UTF-8 are refused, naming the source")
        void notUtf8() {
            byte[] bytes = "producer:\n  compression: lz4\n".getBytes(StandardCharsets.UTF_8);
            bytes[bytes.length - 2] = (byte) 0xC3;
            assertThatThrownBy(() -> KafkaYamlParser.decode(bytes, SOURCE)).isInstanceOf(MqConfigException.class)
                    .hasMessage("kafka.yaml is not valid UTF-8 (" + SOURCE + ")");
        }

        @Test
        @DisplayName("a byte-order mark at the start is accepted")
        void byteOrderMark() {
            assertThat(KafkaYaml.parse("\uFEFFproducer:\n  lingerMs: 7\n", SOURCE).producer().lingerMs()).isEqualTo(7);
        }
    }

    @Nested
    @DisplayName("secrets in messages")
    class Secrets {
        @Test
        @DisplayName("no message quotes the SASL password, whatever is wrong around it")
        void passwordNeverQuoted() {
            String password = "pa55-Secret-word";
            String[] broken = {
                    "common:\n  security:\n    sasl: {mechanism: PLAIN, username: u, password: " + password + "}\n  brokers: [bad]\n",
                    "common:\n  security:\n    sasl: {mechanism: KERBEROS, username: u, password: " + password + "}\n",
                    "common:\n  security:\n    sasl: {mechanism: PLAIN, username: \"\", password: " + password + "}\n",
                    "common:\n  security:\n    sasl: {mechanism: PLAIN, username: u, password: [" + password + "]}\n",
                    "common:\n  security:\n    sasl: {mechanism: PLAIN, username: u, password: " + password + "\n",
                    "common:\n  security:\n    sasl: {mechanism: PLAIN, username: u, password: " + password + ", password: x}\n",
                    "common:\n  properties:\n    sasl.jaas.config: {x: " + password + "}\n",
                    password + "\n",
            };
            for (String yaml : broken) {
                MqConfigException e = rejected(yaml);
                assertThat(e.getMessage()).as(yaml).doesNotContain(password).endsWith("(" + SOURCE + ")");
            }
        }

        @Test
        @DisplayName("toString of a loaded configuration masks the password and secret properties")
        void toStringMasks() {
            String yaml = BROKERS.replace("common:\n", "common:\n  security:\n    sasl: {mechanism: PLAIN, username: u, password: pa55word}\n"
                    + "  properties: {sasl.jaas.config: \"org.apache.kafka.common.security.plain.PlainLoginModule required password=pa55word;\"}\n");
            assertThat(KafkaYaml.parse(yaml, SOURCE).toString()).doesNotContain("pa55word").contains("******");
        }
    }

    @Test
    @DisplayName("SSL files that exist are accepted, and a certificate needs its key")
    void sslFiles(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        Path cert = Files.writeString(dir.resolve("client.pem"), "-----BEGIN CERTIFICATE-----\n");
        assertThat(KafkaYaml.parse("common:\n  security:\n    ssl: {ca_cert_file: " + ca + "}\n", SOURCE)
                .common().ssl().enabled()).isTrue();
        assertThat(rejected("common:\n  security:\n    ssl: {client_cert_file: " + cert + "}\n")).hasMessage(
                "common.security.ssl.client_cert_file/client_key_file: expected both or neither (a client certificate needs its key)"
                        + " but was [certificate only] (" + SOURCE + ")");
    }
}
