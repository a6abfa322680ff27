package io.gochat.mq.testkit;

import java.time.Duration;
import java.util.EnumSet;

/** The contract suite passes on the correct toy transport: the kit asks nothing a transport cannot do. */
class ToyCompatibilityTest extends TransportCompatibilityKit {
    @Override
    protected TransportFixture createFixture() {
        return new ToyFixture(EnumSet.noneOf(Fault.class), Duration.ofSeconds(60));
    }
}
