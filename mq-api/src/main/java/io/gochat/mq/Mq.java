package io.gochat.mq;

import io.gochat.mq.config.MqConfig;
import io.gochat.mq.observe.MqObserver;
import io.gochat.mq.spi.ClientSpec;
import io.gochat.mq.spi.ConfigLoader;
import io.gochat.mq.spi.TransportProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Creates producers, consumers and admin clients by service name. The entry point.
 *
 * <pre>{@code
 * Producer producer = Mq.newProducer("im-gateway");
 * Consumer consumer = Mq.newConsumer("im-logic", "im-logic-group");
 * }</pre>
 *
 * <p><b>Configuration</b>, first that answers: {@link Option#withConfig}; otherwise the
 * {@link ConfigLoader} on the class path ({@code mq-coord}: local file, Consul KV, class path
 * {@code kafka.yaml}). A transport that needs no configuration (in-memory) runs on the defaults
 * when none is found. The service's {@code services.<name>} overrides are merged in.
 *
 * <p><b>Transport</b>, first that answers: {@link Option#withTransport}; the system property
 * {@code mq.transport}; the environment variable {@code MQ_TRANSPORT}; the configuration's
 * {@code transport} key; the only {@link TransportProvider} on the class path. Otherwise an error
 * lists the transports found (and any that could not be loaded) and how to choose. Nothing falls
 * back to in-memory silently. The providers and the configuration loader are looked up once, on
 * first use; the loader reads the configuration again for each client. The chosen transport
 * then {@linkplain TransportProvider#validate validates} the configuration: what a transport needs
 * (Kafka: brokers) is its own rule.
 *
 * <p><b>Logging.</b> At the first client, once per JVM, a WARN says when no SLF4J provider is
 * bound (printed on {@code System.err}, since SLF4J would discard it) or when the backend's MDC
 * keeps nothing (slf4j-simple, slf4j-nop): then {@code trace_id} cannot reach log lines. Either
 * way the cure is a backend with an MDC, e.g. {@code logback-classic}.
 *
 * <p>Thread-safe; every call creates a new client.
 */
public final class Mq {
    /** System property that names the transport. */
    public static final String TRANSPORT_PROPERTY = "mq.transport";
    /** Environment variable that names the transport. */
    public static final String TRANSPORT_ENV = "MQ_TRANSPORT";
    /**
     * The system property that turns off finding observers on the class path when set to
     * {@code none} (read once, at the first client): then only those given with
     * {@link Option#withObserver} observe, for example a {@code MicrometerObserver} on a registry
     * of your own instead of the global one.
     */
    public static final String OBSERVERS_PROPERTY = "mq.observers";

    private static final Logger LOG = LoggerFactory.getLogger("io.gochat.mq.Mq");
    private static final LoggingBackendCheck LOGGING_CHECK = LoggingBackendCheck.ofThisJvm();

    private Mq() {
    }

    /**
     * Creates a thread-safe producer for {@code serviceName}; its client id is
     * {@code <clientIDPrefix>-<serviceName>}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code serviceName} is blank
     * @throws MqConfigException if no configuration is found, it is invalid, or no transport can be chosen
     */
    public static Producer newProducer(String serviceName, Option... options) {
        return create("producer", serviceName, null, options, (p, spec) -> p.createProducer(spec));
    }

    /**
     * Creates a member of consumer group {@code groupId} for {@code serviceName}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code serviceName} or {@code groupId} is blank
     * @throws MqConfigException if no configuration is found, it is invalid, or no transport can be chosen
     */
    public static Consumer newConsumer(String serviceName, String groupId, Option... options) {
        requireName(groupId, "groupId");
        return create("consumer", serviceName, groupId, options, (p, spec) -> p.createConsumer(spec));
    }

    /**
     * Creates an admin client for {@code serviceName}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code serviceName} is blank
     * @throws MqConfigException if no configuration is found, it is invalid, or no transport can be chosen
     */
    public static AdminClient newAdminClient(String serviceName, Option... options) {
        return create("admin", serviceName, null, options, (p, spec) -> p.createAdminClient(spec));
    }

    private interface Factory<T> {
        T create(TransportProvider provider, ClientSpec spec);
    }

    private static <T> T create(String kind, String serviceName, String groupId, Option[] options, Factory<T> factory) {
        requireName(serviceName, "serviceName");
        Objects.requireNonNull(options, "options must not be null");
        LOGGING_CHECK.checkOnce();
        Logger logger = null;
        MqConfig config = null;
        String transport = null;
        List<MqObserver> observers = new ArrayList<>(Found.OBSERVERS);
        for (Option option : options) {
            Objects.requireNonNull(option, "options must not contain null");
            switch (option.kind) {
                case LOGGER: logger = (Logger) option.value; break;
                case CONFIG: config = (MqConfig) option.value; break;
                case TRANSPORT: transport = (String) option.value; break;
                case OBSERVER: observers.add((MqObserver) option.value); break;
                default: throw new AssertionError(option.kind);
            }
        }
        Transports transports = Found.TRANSPORTS;
        if (transport == null) {
            transport = fromEnvironment();
        }
        if (config == null) {
            config = loadConfig(serviceName, transport, transports);
        }
        config = config.forService(serviceName);
        if (transport == null) {
            transport = config.transport();
        }
        TransportProvider provider = transports.choose(transport, config);
        provider.validate(config, serviceName);
        ClientSpec spec = ClientSpec.of(serviceName, groupId, config, logger).withObservers(provider.name(), observers);
        T client = factory.create(provider, spec);
        (logger != null ? logger : LOG).atInfo()
                .setMessage("mq client created")
                .addKeyValue("kind", kind)
                .addKeyValue("service", serviceName)
                .addKeyValue("group", groupId)
                .addKeyValue("transport", provider.name())
                .addKeyValue("clientId", spec.clientId())
                .addKeyValue("config", config)
                .log();
        return client;
    }

    private static void requireName(String value, String name) {
        Objects.requireNonNull(value, name + " must not be null");
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    private static String fromEnvironment() {
        String name = System.getProperty(TRANSPORT_PROPERTY);
        if (name == null || name.isBlank()) {
            name = System.getenv(TRANSPORT_ENV);
        }
        return name == null || name.isBlank() ? null : name.trim();
    }

    private static MqConfig loadConfig(String serviceName, String transport, Transports transports) {
        List<ConfigLoader> loaders = Found.LOADERS;
        if (loaders.size() > 1) {
            throw new MqConfigException("Several configuration loaders are on the class path: "
                    + Transports.names(loaders, l -> l.getClass().getName()) + ". Keep one (normally mq-coord).");
        }
        Optional<MqConfig> loaded = loaders.isEmpty() ? Optional.empty() : loaders.get(0).load(serviceName);
        if (loaded.isPresent()) {
            return loaded.get();
        }
        List<TransportProvider> found = transports.found();
        TransportProvider known = transport != null ? transports.find(transport)
                : found.size() == 1 ? found.get(0) : null;
        if (known != null && !known.requiresConfiguration()) {
            return MqConfig.defaults();
        }
        String tried = loaders.isEmpty()
                ? "no configuration loader is on the class path (add io.gochat:mq-coord to read kafka.yaml from a file or Consul)"
                : "tried " + String.join(", ", loaders.get(0).placesTried(serviceName));
        throw new MqConfigException("No configuration for service '" + serviceName + "': " + tried
                + ". Pass Option.withConfig(MqConfig.builder()...build()), or pick a transport that needs none"
                + " (Option.withTransport(\"inmemory\") in tests).");
    }

    /** The providers of this library's class loader, found on first use and kept, as SLF4J finds its binding. */
    private static final class Found {
        static final Transports TRANSPORTS = Transports.load(Mq.class.getClassLoader());
        /** One loader for the JVM, so that what it remembers (warnings already given) spans the clients. */
        static final List<ConfigLoader> LOADERS =
                List.copyOf(Transports.load(ConfigLoader.class, Mq.class.getClassLoader(), new ArrayList<>()));
        static final List<MqObserver> OBSERVERS = observers();

        /** The observers on the class path; one that cannot be loaded is logged and left out. */
        private static List<MqObserver> observers() {
            if ("none".equals(System.getProperty(OBSERVERS_PROPERTY))) {
                return List.of();
            }
            List<MqObserver> found = new ArrayList<>();
            Iterator<MqObserver> it = ServiceLoader.load(MqObserver.class, Mq.class.getClassLoader()).iterator();
            while (true) {
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    MqObserver observer = it.next();
                    found.add(observer);
                    LOG.atInfo().setMessage("observer found on the class path")
                            .addKeyValue("observer", observer.getClass().getName()).log();
                } catch (ServiceConfigurationError e) {
                    LOG.atWarn().setMessage("an observer on the class path could not be loaded; left out")
                            .addKeyValue("error", e.getMessage()).log();
                }
            }
            return List.copyOf(found);
        }
    }
}
