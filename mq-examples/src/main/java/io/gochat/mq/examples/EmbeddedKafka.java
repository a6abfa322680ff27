package io.gochat.mq.examples;

import io.gochat.mq.testkit.kafka.InProcessKafkaBroker;
import io.gochat.mq.testkit.kafka.KafkaBrokerSpec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A single-node KRaft Kafka broker inside this JVM: the testkit's {@link InProcessKafkaBroker}
 * (Kafka's own {@code KafkaClusterTestKit}), no installation, no Docker. Its data lives in a
 * temporary directory deleted on {@link #close()}.
 *
 * <p>What this adds is silence: Kafka's storage formatter reports to {@code System.out} (it is the
 * command-line tool's code), which would mix with the demo's progress lines, so its output is kept
 * and shown only if the start fails. Start and close from one thread, before other threads of the
 * caller write to {@code System.out}.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final InProcessKafkaBroker broker;

    private EmbeddedKafka(InProcessKafkaBroker broker) {
        this.broker = broker;
    }

    /**
     * Starts a plaintext broker and waits until it serves (a few seconds).
     *
     * @throws IllegalStateException when the broker cannot start; the cause says why
     */
    public static EmbeddedKafka start() {
        PrintStream original = System.out;
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        System.setOut(new PrintStream(report, true, StandardCharsets.UTF_8));
        try {
            return new EmbeddedKafka(InProcessKafkaBroker.start(KafkaBrokerSpec.plaintext()));
        } catch (RuntimeException e) {
            original.print(report.toString(StandardCharsets.UTF_8));
            throw e;
        } finally {
            System.setOut(original);
        }
    }

    /** {@code host:port} of the broker's listener, for {@code common.brokers} or {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** Stops the broker and deletes its data. Idempotent. */
    @Override
    public void close() {
        broker.close();
    }
}
