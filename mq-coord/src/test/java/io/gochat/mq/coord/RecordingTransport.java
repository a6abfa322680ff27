package io.gochat.mq.coord;

import io.gochat.mq.AdminClient;
import io.gochat.mq.ConsumeCallback;
import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.Producer;
import io.gochat.mq.SendCallback;
import io.gochat.mq.spi.ClientSpec;
import io.gochat.mq.spi.TransportProvider;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A transport for tests of configuration loading: it records the {@link ClientSpec} of every client
 * {@code Mq} creates, so a test can see the configuration a transport would get. Its clients do nothing.
 */
public final class RecordingTransport implements TransportProvider {
    static final String NAME = "recording";
    static final List<ClientSpec> SPECS = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Producer createProducer(ClientSpec spec) {
        SPECS.add(spec);
        return new Producer() {
            @Override
            public void send(Message message, SendCallback callback) {
                callback.onComplete(null);
            }

            @Override
            public void sendSync(Message message) {
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public Consumer createConsumer(ClientSpec spec) {
        SPECS.add(spec);
        return new Consumer() {
            @Override
            public void subscribe(List<String> topics, ConsumeCallback callback) {
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public AdminClient createAdminClient(ClientSpec spec) {
        SPECS.add(spec);
        return new AdminClient() {
            @Override
            public void createTopic(String topic, int partitions, int replicationFactor) {
            }

            @Override
            public void close() {
            }
        };
    }
}
