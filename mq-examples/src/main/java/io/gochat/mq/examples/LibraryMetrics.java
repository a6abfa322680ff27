package io.gochat.mq.examples;

import io.gochat.mq.Option;
import io.gochat.mq.micrometer.MicrometerObserver;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.PrintStream;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The library's own metrics for a demo run, as a service would read them: {@code mq-micrometer}
 * recording into a {@link SimpleMeterRegistry}, with p50 and p99 published for {@code mq.consume}.
 * The demo's clients get {@link #observer()}; at the end it waits for the committed lag to reach 0
 * and prints what the registry says.
 */
final class LibraryMetrics {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /**
     * Every meter the clients registered: a client's meters leave the registry when it closes, and
     * the demo prints after its clients closed; a removed timer still holds its counts.
     */
    private final List<Meter> registered = new CopyOnWriteArrayList<>();
    private final MicrometerObserver observer;

    LibraryMetrics() {
        registry.config().onMeterAdded(registered::add);
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return "mq.consume".equals(id.getName())
                        ? DistributionStatisticConfig.builder().percentiles(0.5, 0.99).build().merge(config) : config;
            }
        });
        observer = new MicrometerObserver(registry);
    }

    /** What the demo's clients are created with. */
    Option observer() {
        return Option.withObserver(observer);
    }

    /**
     * Waits until the committed lag of {@code group} on {@code topic} ({@code mq.consumer.lag}, summed
     * over its consumers) is 0, at most {@code timeoutMs}; returns how long that took in
     * milliseconds, or -1 if it was not 0 in time.
     */
    long awaitLagZero(String group, String topic, long timeoutMs) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            double lag = lag(group, topic);
            if (lag == 0) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            }
            if (System.nanoTime() > deadline) {
                return -1;
            }
            Thread.sleep(50); // polling a gauge: nothing to wait on, the commit happens on the consumers' interval
        }
    }

    /** The summed lag gauges of {@code group} on {@code topic}; NaN while no commit has registered one. */
    double lag(String group, String topic) {
        Collection<Gauge> gauges = Search.in(registry).name("mq.consumer.lag").tags("group", group, "topic", topic).gauges();
        return gauges.isEmpty() ? Double.NaN : gauges.stream().mapToDouble(Gauge::value).sum();
    }

    /** Prints the registry's view of the run: sends, callback runs with p50/p99, and the committed lag. */
    void print(PrintStream out, String group, String topic, long lagZeroMs) {
        out.println();
        out.println("== The library's own metrics (mq-micrometer, read from a SimpleMeterRegistry) ==");
        row(out, "mq.send", "success " + count("mq.send", "success", topic) + "  failure " + count("mq.send", "failure", topic)
                + "  (chat messages and the group-readiness probes)");
        Timer consumed = timers("mq.consume", "success", topic).stream()
                .filter(t -> group.equals(t.getId().getTag("group"))).findFirst().orElse(null);
        row(out, "mq.consume", "success " + count("mq.consume", "success", topic) + "  failure "
                + count("mq.consume", "failure", topic) + "  cancelled " + count("mq.consume", "cancelled", topic));
        row(out, "mq.consume time", consumed == null ? "no callback timed" : String.format(Locale.ROOT,
                "p50 %s ms  p99 %s ms (the callback alone, successful runs)",
                millis(consumed, 0.5), millis(consumed, 0.99)));
        row(out, "mq.consumer.lag", lagZeroMs >= 0
                ? "0 (committed: every message of " + group + " processed and committed, "
                        + lagZeroMs + " ms after the last one arrived)"
                : "not 0 in time: " + lag(group, topic));
    }

    private long count(String name, String outcome, String topic) {
        return timers(name, outcome, topic).stream().mapToLong(Timer::count).sum();
    }

    /** The timers {@code name} of {@code topic} and {@code outcome} registered during the run, closed clients' too. */
    private List<Timer> timers(String name, String outcome, String topic) {
        return registered.stream()
                .filter(m -> m instanceof Timer && name.equals(m.getId().getName())
                        && topic.equals(m.getId().getTag("topic")) && outcome.equals(m.getId().getTag("outcome")))
                .map(Timer.class::cast).toList();
    }

    private static String millis(Timer timer, double percentile) {
        for (ValueAtPercentile value : timer.takeSnapshot().percentileValues()) {
            if (value.percentile() == percentile) {
                return String.format(Locale.ROOT, "%.3f", value.value(TimeUnit.MILLISECONDS));
            }
        }
        return "?";
    }

    private static void row(PrintStream out, String name, String value) {
        out.printf(Locale.ROOT, "%-18s %s%n", name, value);
    }
}
