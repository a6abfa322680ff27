package io.gochat.mq.micrometer;

import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.inmemory.InMemoryTransportProvider;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.util.ArrayList;
import java.util.List;

/**
 * A fresh JVM for {@link ObserverDiscoveryTest}: {@code mq.observers} is read once per JVM. Adds a
 * {@link SimpleMeterRegistry} to the global registry, sends one message on the in-memory transport
 * (with its own {@link MicrometerObserver} on that registry when the first argument is
 * {@code given}), and prints {@code sends=<n>}: the sends {@code mq.send} counted.
 */
public final class ObserverDiscoveryMain {
    private ObserverDiscoveryMain() {
    }

    public static void main(String[] args) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Metrics.addRegistry(registry);
        List<Option> options = new ArrayList<>(List.of(Option.withTransport(InMemoryTransportProvider.NAME),
                Option.withConfig(MqConfig.defaults())));
        if (args.length > 0 && "given".equals(args[0])) {
            options.add(Option.withObserver(new MicrometerObserver(registry)));
        }
        try (Producer producer = Mq.newProducer("discovery", options.toArray(Option[]::new))) {
            producer.sendSync(Message.of("discovered", "k", "v"));
            long sends = registry.find("mq.send").timers().stream().mapToLong(Timer::count).sum();
            System.out.println("sends=" + sends);
        }
    }
}
