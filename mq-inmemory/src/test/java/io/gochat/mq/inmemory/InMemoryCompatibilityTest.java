package io.gochat.mq.inmemory;

import io.gochat.mq.Consumer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.Capability;
import io.gochat.mq.testkit.TransportCompatibilityKit;
import io.gochat.mq.testkit.TransportFixture;

import java.util.Set;

/** The contract suite against the in-memory transport, on the default broker. */
class InMemoryCompatibilityTest extends TransportCompatibilityKit {
    @Override
    protected TransportFixture createFixture() {
        return new TransportFixture() {
            @Override
            public String transport() {
                return InMemoryTransportProvider.NAME;
            }

            @Override
            public MqConfig config() {
                return MqConfig.defaults();
            }

            @Override
            public Set<Capability> capabilities() {
                return Set.of(Capability.CRASH);
            }

            @Override
            public void crash(Consumer consumer) {
                ((InMemoryConsumer) consumer).broker().crash(consumer);
            }

            @Override
            public void close() {
                InMemoryBroker.resetDefault();
            }
        };
    }
}
