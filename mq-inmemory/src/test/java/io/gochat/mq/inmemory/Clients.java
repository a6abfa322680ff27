package io.gochat.mq.inmemory;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.RecordingConsumer;

import java.time.Duration;
import java.util.List;

/** Creates in-memory clients through the public {@link Mq} factory, as applications do. */
final class Clients {
    /** Generous: the machine is shared; tests never wait this long when the transport behaves. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Long enough that only revocation and close commit within a test. */
    static final int NO_AUTO_COMMIT = 600_000;

    private Clients() {
    }

    static MqConfig config(String autoOffsetReset, int autoCommitIntervalMs) {
        return MqConfig.builder()
                .consumer(c -> c.autoOffsetReset(autoOffsetReset).autoCommitIntervalMs(autoCommitIntervalMs))
                .build();
    }

    static MqConfig earliest() {
        return config("earliest", NO_AUTO_COMMIT);
    }

    static Producer producer() {
        return Mq.newProducer("test-producer", Option.withTransport("inmemory"));
    }

    static Producer producer(MqConfig config) {
        return Mq.newProducer("test-producer", Option.withTransport("inmemory"), Option.withConfig(config));
    }

    static Consumer consumer(String group, MqConfig config) {
        return Mq.newConsumer("test-consumer", group, Option.withTransport("inmemory"), Option.withConfig(config));
    }

    static AdminClient admin() {
        return Mq.newAdminClient("test-admin", Option.withTransport("inmemory"));
    }

    static void createTopic(String topic, int partitions) {
        try (AdminClient admin = admin()) {
            admin.createTopic(topic, partitions, 1);
        }
    }

    static RecordingConsumer start(String group, MqConfig config, String... topics) {
        return RecordingConsumer.start(consumer(group, config), List.of(topics));
    }
}
