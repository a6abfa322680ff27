package io.gochat.mq;

import io.gochat.mq.config.MqConfig;
import io.gochat.mq.spi.TransportProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The transport providers of one class loader, found once, and the choice among them. A provider
 * that cannot be loaded is skipped, logged, and named again in every error about the choice: the
 * transport a user asked for may be the broken one. Immutable, thread-safe.
 */
final class Transports {
    private static final Logger LOG = LoggerFactory.getLogger("io.gochat.mq.Mq");

    private final List<TransportProvider> found;
    private final List<String> skipped;

    private Transports(List<TransportProvider> found, List<String> skipped) {
        this.found = List.copyOf(found);
        this.skipped = List.copyOf(skipped);
    }

    /** The providers registered on {@code loader}'s class path. */
    static Transports load(ClassLoader loader) {
        List<String> skipped = new ArrayList<>();
        List<TransportProvider> found = load(TransportProvider.class, loader, skipped);
        return new Transports(found, skipped);
    }

    /**
     * ServiceLoader on {@code loader}; a provider that cannot be loaded or instantiated is logged,
     * described in {@code skipped} and left out.
     */
    static <S> List<S> load(Class<S> type, ClassLoader loader, List<String> skipped) {
        List<S> found = new ArrayList<>();
        Iterator<S> it = ServiceLoader.load(type, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                skipped.add(describe(type, e));
                LOG.atWarn().setMessage("a service provider could not be loaded; skipped")
                        .addKeyValue("service", type.getName()).setCause(e).log();
            }
        }
        return found;
    }

    /** "Provider x.Y not found" or "Provider x.Y could not be instantiated (cause)". */
    private static String describe(Class<?> type, ServiceConfigurationError e) {
        String message = String.valueOf(e.getMessage());
        String prefix = type.getName() + ": ";
        String what = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
        return e.getCause() == null ? what : what + " (" + e.getCause() + ")";
    }

    List<TransportProvider> found() {
        return found;
    }

    /** The provider named {@code name} (any case), or {@code null}. */
    TransportProvider find(String name) {
        for (TransportProvider provider : found) {
            if (provider.name().equalsIgnoreCase(name)) {
                return provider;
            }
        }
        return null;
    }

    /** The provider a user names, or the only one when none is named; otherwise an error that says how to choose. */
    TransportProvider choose(String name, MqConfig config) {
        if (name != null) {
            TransportProvider provider = find(name);
            if (provider == null) {
                throw new MqConfigException("Transport '" + name + "' is not on the class path; found "
                        + names(found, TransportProvider::name) + skippedText() + ". Add its module (io.gochat:mq-" + name
                        + ") or choose one of those with Option.withTransport, -D" + Mq.TRANSPORT_PROPERTY + ", "
                        + Mq.TRANSPORT_ENV + " or the transport key (" + config.source() + ").");
            }
            return provider;
        }
        if (found.size() == 1) {
            return found.get(0);
        }
        throw new MqConfigException(found.isEmpty()
                ? "No transport is on the class path" + skippedText()
                        + "; add io.gochat:mq-kafka (or mq-inmemory for tests)."
                : "Several transports are on the class path: " + names(found, TransportProvider::name) + skippedText()
                        + "; choose one with Option.withTransport(name), -D" + Mq.TRANSPORT_PROPERTY + "=name, "
                        + Mq.TRANSPORT_ENV + "=name or 'transport: name' in kafka.yaml.");
    }

    private String skippedText() {
        return skipped.isEmpty() ? "" : " (skipped, could not be loaded: " + String.join("; ", skipped) + ")";
    }

    static <T> String names(List<T> items, Function<T, String> name) {
        return items.stream().map(name).collect(Collectors.joining(", ", "[", "]"));
    }
}
