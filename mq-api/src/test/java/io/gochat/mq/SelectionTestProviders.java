package io.gochat.mq;

import io.gochat.mq.config.MqConfig;
import io.gochat.mq.spi.ClientSpec;
import io.gochat.mq.spi.ConfigLoader;
import io.gochat.mq.spi.TransportProvider;

import java.util.List;
import java.util.Optional;

/** Transports and a config loader that only record what {@link Mq} handed them, to test selection. */
final class SelectionTestProviders {
    private SelectionTestProviders() {
    }

    /** What a recording transport was asked to create. */
    static final class Created implements Producer, Consumer, AdminClient {
        final String transport;
        final TransportProvider by;
        final ClientSpec spec;

        Created(TransportProvider by, ClientSpec spec) {
            this.transport = by.name();
            this.by = by;
            this.spec = spec;
        }

        @Override
        public void send(Message message, SendCallback callback) {
            throw new IllegalStateException("selection test double: not for sending");
        }

        @Override
        public void sendSync(Message message) {
            throw new IllegalStateException("selection test double: not for sending");
        }

        @Override
        public void subscribe(List<String> topics, ConsumeCallback callback) {
            throw new IllegalStateException("selection test double: not for consuming");
        }

        @Override
        public void createTopic(String topic, int partitions, int replicationFactor) {
            throw new IllegalStateException("selection test double: not for admin");
        }

        @Override
        public void close() {
        }
    }

    abstract static class Recording implements TransportProvider {
        @Override
        public Producer createProducer(ClientSpec spec) {
            return new Created(this, spec);
        }

        @Override
        public Consumer createConsumer(ClientSpec spec) {
            return new Created(this, spec);
        }

        @Override
        public AdminClient createAdminClient(ClientSpec spec) {
            return new Created(this, spec);
        }
    }

    /** Needs no configuration, like the in-memory transport. */
    public static final class Alpha extends Recording {
        @Override
        public String name() {
            return "alpha";
        }

        @Override
        public boolean requiresConfiguration() {
            return false;
        }
    }

    /** Needs configuration and brokers, like Kafka. */
    public static final class Beta extends Recording {
        @Override
        public String name() {
            return "beta";
        }

        @Override
        public void validate(MqConfig config, String serviceName) {
            if (config.common().brokers().isEmpty()) {
                throw new MqConfigException("common.brokers: beta needs brokers for " + serviceName + " but was [] ("
                        + config.source() + ")");
            }
        }
    }

    /** Registered only on the class path of a test that looks for providers that cannot be loaded. */
    public static final class Broken extends Recording {
        public Broken() {
            throw new IllegalStateException("broken on purpose");
        }

        @Override
        public String name() {
            return "broken";
        }
    }

    /** Answers with whatever a test put in {@link #next}. */
    public static final class Loader implements ConfigLoader {
        static volatile MqConfig next;

        @Override
        public Optional<MqConfig> load(String serviceName) {
            return Optional.ofNullable(next);
        }

        @Override
        public List<String> placesTried(String serviceName) {
            return List.of("test place for " + serviceName);
        }
    }
}
