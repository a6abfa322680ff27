package io.gochat.mq.inmemory;

import io.gochat.mq.AdminClient;
import io.gochat.mq.MqClosedException;
import io.gochat.mq.spi.ApiPreconditions;
import io.gochat.mq.spi.ClientSpec;
import org.slf4j.Logger;

/** Creates topics on an {@link InMemoryBroker}. Thread-safe. */
final class InMemoryAdminClient implements AdminClient {
    private final InMemoryBroker broker;
    private final String clientId;
    private final Logger log;
    private volatile boolean closed;

    InMemoryAdminClient(InMemoryBroker broker, ClientSpec spec) {
        this.broker = broker;
        this.clientId = spec.clientId();
        this.log = spec.logger("admin");
    }

    /**
     * {@inheritDoc}
     *
     * <p>Any replication factor of at least 1 is accepted: the in-memory broker keeps one copy.
     *
     * @throws io.gochat.mq.MqClosedException if this client or the broker is closed
     */
    @Override
    public void createTopic(String topic, int partitions, int replicationFactor) {
        ApiPreconditions.checkCreateTopic(topic, partitions, replicationFactor);
        if (closed) {
            throw new MqClosedException("Admin client " + clientId + " is closed; topic " + topic + " was not created");
        }
        int existing = broker.createTopic(topic, partitions);
        if (existing != 0) {
            log.atInfo()
                    .setMessage("topic exists; left as it is")
                    .addKeyValue("topic", topic)
                    .addKeyValue("partitions", existing)
                    .addKeyValue("requestedPartitions", partitions)
                    .log();
        } else {
            log.atInfo()
                    .setMessage("topic created")
                    .addKeyValue("topic", topic)
                    .addKeyValue("partitions", partitions)
                    .addKeyValue("broker", broker.name())
                    .log();
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "InMemoryAdminClient{" + clientId + ", broker=" + broker.name() + '}';
    }
}
