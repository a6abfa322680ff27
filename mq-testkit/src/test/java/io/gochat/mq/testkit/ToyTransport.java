package io.gochat.mq.testkit;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.Producer;
import io.gochat.mq.observe.ClientInfo;
import io.gochat.mq.observe.ClientObserver;
import io.gochat.mq.spi.ClientSpec;
import io.gochat.mq.spi.TransportProvider;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A tiny in-process transport, only for the kit's self-test: correct without faults, and broken
 * on purpose by the {@link Fault}s named in {@code common.properties."toy.faults"}. Its broker is
 * the {@link ToyBroker} named in {@code common.properties."toy.broker"}.
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
        return new ToyProducer(broker(spec), spec, faults(spec));
    }

    @Override
    public Consumer createConsumer(ClientSpec spec) {
        return new ToyConsumer(broker(spec), spec, faults(spec));
    }

    @Override
    public AdminClient createAdminClient(ClientSpec spec) {
        return new ToyAdmin(broker(spec), faults(spec));
    }

    /**
     * The observer of a toy client, and its faults: none at all ({@link Fault#OBSERVER_IGNORED}), or
     * the first observer called directly, its exceptions unguarded ({@link Fault#OBSERVER_UNGUARDED}).
     */
    static ClientObserver observer(ClientSpec spec, Set<Fault> faults, ClientInfo.Kind kind, String component) {
        if (faults.contains(Fault.OBSERVER_IGNORED)) {
            return ClientObserver.NONE;
        }
        if (faults.contains(Fault.OBSERVER_UNGUARDED) && !spec.observers().isEmpty()) {
            return spec.observers().get(0).client(new ClientInfo(kind, spec.serviceName(), spec.clientId(), spec.groupId(),
                    "toy", null));
        }
        return spec.observer(kind, component, null);
    }

    /** Runs an argument check; with {@link Fault#UNNAMED_ARGUMENT_ERRORS} its failure names no argument. */
    static void check(Set<Fault> faults, Runnable check) {
        check(faults, () -> {
            check.run();
            return null;
        });
    }

    /** Runs an argument check that returns a value; see {@link #check(Set, Runnable)}. */
    static <T> T check(Set<Fault> faults, Supplier<T> check) {
        try {
            return check.get();
        } catch (RuntimeException e) {
            if (faults.contains(Fault.UNNAMED_ARGUMENT_ERRORS)) {
                throw new IllegalArgumentException("invalid argument");
            }
            throw e;
        }
    }

    private static ToyBroker broker(ClientSpec spec) {
        return ToyBroker.named(spec.config().common().properties().getOrDefault(ToyBroker.PROPERTY, "default"));
    }

    private static Set<Fault> faults(ClientSpec spec) {
        Map<String, String> properties = spec.config().common().properties();
        String names = properties.get(Fault.PROPERTY);
        Set<Fault> faults = EnumSet.noneOf(Fault.class);
        if (names != null && !names.isBlank()) {
            Arrays.stream(names.split(",")).map(String::trim).map(Fault::valueOf).forEach(faults::add);
        }
        return faults;
    }
}
