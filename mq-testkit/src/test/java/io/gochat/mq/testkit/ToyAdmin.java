package io.gochat.mq.testkit;

import io.gochat.mq.AdminClient;
import io.gochat.mq.spi.ApiPreconditions;

import java.util.Set;

/** The toy transport's admin client. Thread-safe. */
final class ToyAdmin implements AdminClient {
    private final ToyBroker broker;
    private final Set<Fault> faults;

    ToyAdmin(ToyBroker broker, Set<Fault> faults) {
        this.broker = broker;
        this.faults = faults;
    }

    @Override
    public void createTopic(String topic, int partitions, int replicationFactor) {
        ToyTransport.check(faults, () -> ApiPreconditions.checkCreateTopic(topic, partitions, replicationFactor));
        broker.createTopic(topic, partitions, faults);
    }

    @Override
    public void close() {
    }
}
