package io.gochat.mq.testkit;

import io.gochat.mq.Consumer;
import io.gochat.mq.config.MqConfig;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** Runs the contract suite on the {@link ToyTransport}, optionally with faults. */
final class ToyFixture implements TransportFixture {
    private final MqConfig config;
    private final Duration timeout;

    ToyFixture(Set<Fault> faults, Duration timeout) {
        this.timeout = timeout;
        MqConfig.Builder builder = MqConfig.builder().source("toy fixture");
        if (!faults.isEmpty()) {
            String names = faults.stream().map(Fault::name).collect(Collectors.joining(","));
            builder.common(c -> c.property(Fault.PROPERTY, names));
        }
        this.config = builder.build();
    }

    @Override
    public String transport() {
        return ToyTransport.NAME;
    }

    @Override
    public MqConfig config() {
        return config;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.CRASH, Capability.BROKER_RESTART);
    }

    @Override
    public void crash(Consumer consumer) {
        ((ToyConsumer) consumer).crash();
    }

    @Override
    public void restartBroker() {
        ToyBroker.INSTANCE.restart();
    }

    @Override
    public Duration timeout() {
        return timeout;
    }
}
