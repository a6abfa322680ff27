package io.gochat.mq.kafka;

import io.gochat.mq.Consumer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.Capability;
import io.gochat.mq.testkit.TransportFixture;
import io.gochat.mq.testkit.kafka.KafkaBroker;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * The contract suite's view of the Kafka transport on a real broker: short session timeouts so a
 * crashed member is noticed in seconds, crash injection through {@link KafkaMqConsumer#crash()},
 * broker restarts where the broker allows them.
 */
final class KafkaFixture implements TransportFixture {
    private final KafkaBroker broker;

    KafkaFixture(KafkaBroker broker) {
        this.broker = broker;
    }

    /** The broker's configuration with test-friendly group timings and quick producer batches. */
    static MqConfig testConfig(KafkaBroker broker) {
        return broker.config().toBuilder()
                .consumer(c -> c.sessionTimeoutMs(6000).heartbeatIntervalMs(1000))
                .producer(p -> p.lingerMs(1))
                .build();
    }

    @Override
    public String transport() {
        return KafkaTransportProvider.NAME;
    }

    @Override
    public MqConfig config() {
        return testConfig(broker);
    }

    @Override
    public Set<Capability> capabilities() {
        Set<Capability> capabilities = EnumSet.of(Capability.CRASH);
        if (broker.canRestart()) {
            capabilities.add(Capability.BROKER_RESTART);
        }
        return capabilities;
    }

    @Override
    public void crash(Consumer consumer) {
        if (!(consumer instanceof KafkaMqConsumer)) {
            throw new IllegalArgumentException("not a Kafka consumer: " + consumer.getClass().getName());
        }
        ((KafkaMqConsumer) consumer).crash();
    }

    @Override
    public void restartBroker() {
        broker.restart();
    }

    @Override
    public Duration timeout() {
        return Duration.ofSeconds(90);
    }
}
