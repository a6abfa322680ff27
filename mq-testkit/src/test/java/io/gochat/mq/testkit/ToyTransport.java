package io.gochat.mq.testkit;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.Producer;
import io.gochat.mq.spi.ClientSpec;
import io.gochat.mq.spi.TransportProvider;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * A tiny in-process transport, only for the kit's self-test: correct without faults, and broken
 * on purpose by the {@link Fault}s named in {@code common.properties."toy.faults"}.
 */
public final class ToyTransport implements TransportProvider {
    static final String NAME = "toy";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean requiresConfiguration() {
        return false;
    }

    @Override
    public Producer createProducer(ClientSpec spec) {
        return new ToyProducer(spec, faults(spec));
    }

    @Override
    public Consumer createConsumer(ClientSpec spec) {
        return new ToyConsumer(spec, faults(spec));
    }

    @Override
    public AdminClient createAdminClient(ClientSpec spec) {
        return new ToyAdmin();
    }

    private static Set<Fault> faults(ClientSpec spec) {
        String names = spec.config().common().properties().get(Fault.PROPERTY);
        Set<Fault> faults = EnumSet.noneOf(Fault.class);
        if (names != null && !names.isBlank()) {
            Arrays.stream(names.split(",")).map(String::trim).map(Fault::valueOf).forEach(faults::add);
        }
        return faults;
    }
}
