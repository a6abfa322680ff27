package io.gochat.mq.testkit;

import io.gochat.mq.Consumer;
import io.gochat.mq.config.MqConfig;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** Runs the contract suite on the {@link ToyTransport} with a broker of its own, optionally with faults. */
final class ToyFixture implements TransportFixture {
    private final String brokerName = "toy-" + UUID.randomUUID();
    private final MqConfig config;
    private final Duration timeout;
    private final Set<Capability> capabilities;
    private final boolean runsWithoutMdc;

    ToyFixture(Set<Fault> faults, Duration timeout) {
        this(faults, timeout, EnumSet.allOf(Capability.class), false);
    }

    ToyFixture(Set<Fault> faults, Duration timeout, Set<Capability> capabilities, boolean runsWithoutMdc) {
        this.timeout = timeout;
        this.capabilities = capabilities;
        this.runsWithoutMdc = runsWithoutMdc;
        String names = faults.stream().map(Fault::name).collect(Collectors.joining(","));
        this.config = MqConfig.builder().source("toy fixture")
                .common(c -> c.property(ToyBroker.PROPERTY, brokerName).property(Fault.PROPERTY, names))
                .build();
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
        return capabilities;
    }

    @Override
    public void crash(Consumer consumer) {
        ((ToyConsumer) consumer).crash();
    }

    @Override
    public void restartBroker() {
        ToyBroker.named(brokerName).restart(timeout);
    }

    @Override
    public boolean runsWithoutMdc() {
        return runsWithoutMdc;
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    @Override
    public void close() {
        ToyBroker.remove(brokerName);
    }
}
