package io.gochat.mq.kafka;

import io.gochat.mq.testkit.TransportCompatibilityKit;
import io.gochat.mq.testkit.TransportFixture;
import io.gochat.mq.testkit.kafka.KafkaBrokerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole contract suite against the shared real broker, crash and broker restart included. */
class KafkaCompatibilityTest extends TransportCompatibilityKit {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

    @Override
    protected TransportFixture createFixture() {
        return new KafkaFixture(KAFKA.broker());
    }
}
