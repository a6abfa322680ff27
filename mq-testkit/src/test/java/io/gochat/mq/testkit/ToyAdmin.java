package io.gochat.mq.testkit;

import io.gochat.mq.AdminClient;
import io.gochat.mq.spi.ApiPreconditions;

/** The toy transport's admin client. Thread-safe. */
final class ToyAdmin implements AdminClient {
    @Override
    public void createTopic(String topic, int partitions, int replicationFactor) {
        ApiPreconditions.checkCreateTopic(topic, partitions, replicationFactor);
        ToyBroker.INSTANCE.createTopic(topic, partitions);
    }

    @Override
    public void close() {
    }
}
