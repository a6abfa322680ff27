package io.gochat.mq.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.HashMap;
import java.util.Map;

/**
 * The timers and counters several clients share (those of a service and topic carry no client
 * tag), counted by holder: a meter leaves the registry when the last client holding it closes, so
 * a closed client's meters disappear while another client of the same service keeps counting.
 * Thread-safe (one lock, taken only when a client meets a topic for the first time and when it
 * closes).
 */
final class SharedMeters {
    private final MeterRegistry registry;
    /** Guarded by {@code this}: how many clients hold each meter. */
    private final Map<Meter.Id, Integer> holders = new HashMap<>();

    SharedMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The timer {@code name} with {@code tags}, registered if needed, held once more. */
    synchronized Timer timer(String name, String description, Tags tags) {
        return hold(Timer.builder(name).description(description).tags(tags).register(registry));
    }

    /** The counter {@code name} with {@code tags}, registered if needed, held once more. */
    synchronized Counter counter(String name, String description, String baseUnit, Tags tags) {
        return hold(Counter.builder(name).description(description).baseUnit(baseUnit).tags(tags).register(registry));
    }

    private <M extends Meter> M hold(M meter) {
        holders.merge(meter.getId(), 1, Integer::sum);
        return meter;
    }

    /** Gives {@code meter} back; the last holder removes it from the registry. */
    synchronized void release(Meter meter) {
        Integer left = holders.computeIfPresent(meter.getId(), (id, n) -> n == 1 ? null : n - 1);
        if (left == null) {
            registry.remove(meter);
        }
    }
}
