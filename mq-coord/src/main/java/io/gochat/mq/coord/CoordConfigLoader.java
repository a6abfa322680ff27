package io.gochat.mq.coord;

import io.gochat.mq.MqConfigException;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.coord.ConsulUnavailableException.Reason;
import io.gochat.mq.spi.ConfigLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Finds and validates {@code kafka.yaml} for a service: the {@link ConfigLoader} of gochat MQ,
 * registered for {@link java.util.ServiceLoader}. Applications do not call it; {@code Mq} does
 * when no {@code Option.withConfig} is given.
 *
 * <p>Where the file comes from, first that answers:
 * <ol>
 *   <li>a local file named by the system property {@code mq.config.file} or the environment
 *       variable {@code MQ_CONFIG_FILE} (it must exist);</li>
 *   <li>Consul KV, when {@code mq.consul.addr} / {@code CONSUL_HTTP_ADDR} is set: the key
 *       {@code <root>/<env>/global/kafka.yaml}, with {@code <root>/<env>/<service>/kafka.yaml}
 *       (optional) deep-merged over it; {@code <env>} from {@code mq.env} / {@code APP_ENV}
 *       (default {@code dev}), {@code <root>} from {@code mq.consul.root} (default
 *       {@code config}); the ACL token from {@code mq.consul.token} / {@code CONSUL_HTTP_TOKEN},
 *       sent only as the {@code X-Consul-Token} header;</li>
 *   <li>the class path resource {@code kafka.yaml}.</li>
 * </ol>
 * Nothing found: {@link #load} answers empty, and {@code Mq} reports the {@link #placesTried}.
 *
 * <p><b>Last-known-good cache.</b> Each configuration read from Consul and found valid is written
 * to {@code <cache dir>/<root>/<env>/<service>/kafka.yaml} (mode 0600, atomic replace); the cache
 * dir is {@code mq.config.cache.dir} / {@code MQ_CONFIG_CACHE_DIR}, default
 * {@code ~/.cache/gochat-mq}, {@code off} to disable. When Consul gives no answer (unreachable,
 * timed out, 403, 5xx) or no longer has the key, the cached copy is used, with a WARN naming its
 * age (once per copy and reason, not per client). Without a copy, an unanswered Consul is an error that says what happened and where;
 * a missing key moves on to the class path.
 *
 * <p><b>Validation</b> happens here, once: a value of the wrong type, a broken rule, malformed
 * YAML or an empty file throws {@link MqConfigException} naming the key, the value, what is
 * allowed and the source; unknown keys are logged at WARN with the nearest known key, once per
 * source and content (each client loads the configuration again; a service that creates three
 * clients sees one warning, and a changed file is warned about again, once). What a
 * transport needs beyond that (Kafka: {@code common.brokers}) is the transport's own check,
 * {@code TransportProvider.validate}, which {@code Mq} runs once the transport is chosen: this
 * loader knows no transport.
 *
 * <p>Thread-safe. Settings are read from the system properties and the environment at each
 * {@link #load}.
 */
public final class CoordConfigLoader implements ConfigLoader {
    /** The class path resource looked for last. */
    public static final String CLASSPATH_RESOURCE = "kafka.yaml";

    private final Supplier<CoordSettings> settings;
    private final Logger log;
    private final ClassLoader classLoader;
    private final Map<String, String> consulOutcomes = new ConcurrentHashMap<>();
    private final WarnedLoads warned = new WarnedLoads();

    /** The loader {@link java.util.ServiceLoader} creates: settings from system properties and the environment. */
    public CoordConfigLoader() {
        this(CoordSettings::fromSystem, LoggerFactory.getLogger("io.gochat.mq.coord"), null);
    }

    CoordConfigLoader(CoordSettings settings, Logger log, ClassLoader classLoader) {
        this(() -> settings, log, classLoader);
    }

    private CoordConfigLoader(Supplier<CoordSettings> settings, Logger log, ClassLoader classLoader) {
        this.settings = settings;
        this.log = log;
        this.classLoader = classLoader;
    }

    /**
     * {@inheritDoc}
     *
     * @throws MqConfigException when the configuration found is invalid, the named local file cannot be
     *     read, a setting is malformed, or Consul gave no answer and there is no cached copy
     */
    @Override
    public Optional<MqConfig> load(String serviceName) {
        Objects.requireNonNull(serviceName, "serviceName");
        CoordSettings s = settings.get();
        if (s.configFile() != null) {
            return Optional.of(fromFile(s, serviceName));
        }
        if (s.consulAddress() != null) {
            Optional<MqConfig> consul = fromConsul(s, serviceName);
            if (consul.isPresent()) {
                return consul;
            }
        }
        return fromClassPath(serviceName);
    }

    @Override
    public List<String> placesTried(String serviceName) {
        CoordSettings s = settings.get();
        List<String> places = new ArrayList<>();
        places.add(s.configFile() == null
                ? "a local file (-Dmq.config.file / MQ_CONFIG_FILE: not set)"
                : "file " + Path.of(s.configFile()).toAbsolutePath());
        if (s.consulAddress() == null) {
            places.add("Consul KV (-Dmq.consul.addr / CONSUL_HTTP_ADDR: not set)");
        } else {
            String outcome = consulOutcomes.get(serviceName);
            places.add("Consul " + s.consulAddress() + " keys " + s.globalKey() + " and "
                    + (CoordSettings.isSegment(serviceName) ? s.serviceKey(serviceName) : s.serviceKey("<service>"))
                    + (outcome == null ? "" : " (" + outcome + ")"));
        }
        places.add("class path resource " + CLASSPATH_RESOURCE + " (not found)");
        return places;
    }

    // ---- local file ---------------------------------------------------------------------------

    private MqConfig fromFile(CoordSettings s, String serviceName) {
        Path path = Path.of(s.configFile()).toAbsolutePath();
        String origin = s.configFileOrigin();
        String key = origin.substring(origin.lastIndexOf(' ') + 1);
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new MqConfigException(key + ": expected a readable kafka.yaml file but was [" + path + "] (" + origin
                    + ")" + (Files.exists(path) ? "" : "; the file does not exist"));
        }
        String source = "file " + path;
        byte[] bytes;
        try {
            if (Files.size(path) > KafkaYamlParser.MAX_BYTES) {
                throw new MqConfigException("kafka.yaml is too large: expected at most " + KafkaYamlParser.MAX_CHARS
                        + " characters (" + source + ")");
            }
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new MqConfigException(key + ": expected a readable kafka.yaml file but was [" + path + "] (" + origin
                    + "): " + e.getClass().getSimpleName(), e);
        }
        return finish(KafkaYamlParser.parse(KafkaYamlParser.decode(bytes, source), source), source, serviceName);
    }

    // ---- class path ---------------------------------------------------------------------------

    private Optional<MqConfig> fromClassPath(String serviceName) {
        ClassLoader cl = classLoader != null ? classLoader : Thread.currentThread().getContextClassLoader();
        if (cl == null) {
            cl = CoordConfigLoader.class.getClassLoader();
        }
        URL url = cl.getResource(CLASSPATH_RESOURCE);
        if (url == null) {
            return Optional.empty();
        }
        String source = "classpath " + CLASSPATH_RESOURCE + " (" + url + ")";
        byte[] bytes;
        try (InputStream in = url.openStream()) {
            bytes = in.readNBytes(KafkaYamlParser.MAX_BYTES + 1);
        } catch (IOException e) {
            throw new MqConfigException("kafka.yaml could not be read: " + e.getClass().getSimpleName() + " (" + source + ")", e);
        }
        return Optional.of(finish(KafkaYamlParser.parse(KafkaYamlParser.decode(bytes, source), source), source,
                serviceName));
    }

    // ---- Consul -------------------------------------------------------------------------------

    private Optional<MqConfig> fromConsul(CoordSettings s, String serviceName) {
        String consulAt = "consul " + s.consulAddress();
        if (!CoordSettings.isSegment(serviceName)) {
            throw new MqConfigException("serviceName: expected letters, digits, '.', '_' or '-' (it is part of the Consul key "
                    + s.serviceKey("<serviceName>") + ") but was [" + serviceName + "] (" + consulAt + ")");
        }
        String globalKey = s.globalKey();
        String serviceKey = s.serviceKey(serviceName);
        ConfigCache cache = s.cacheDir() == null ? null : new ConfigCache(s.cacheDir());
        Path cacheFile = cache == null ? null : cache.file(s.root(), s.env(), serviceName);

        Optional<String> global;
        Optional<String> own;
        String reading = globalKey;
        try (ConsulKvSource consul = new ConsulKvSource(s.consulAddress(), s.consulToken(), s.connectTimeout(),
                s.readTimeout(), s.retries(), log)) {
            global = consul.read(globalKey);
            reading = serviceKey;
            own = consul.read(serviceKey);
        } catch (ConsulUnavailableException e) {
            String what = "Consul at " + s.consulAddress() + " (" + s.consulAddressOrigin() + ") " + e.reason().verb
                    + " reading " + reading + ": " + e.detail();
            consulOutcomes.put(serviceName, e.reason().verb + ": " + e.detail());
            return Optional.of(fromCache(cache, cacheFile, what, e.reason(), serviceName, s));
        }
        if (global.isEmpty() && own.isEmpty()) {
            String what = "Consul at " + s.consulAddress() + " has no key " + globalKey + " (404)";
            consulOutcomes.put(serviceName, "404: no such key");
            if (cache != null && Files.exists(cacheFile)) {
                return Optional.of(fromCache(cache, cacheFile, what, null, serviceName, s));
            }
            log.atInfo().setMessage("no kafka.yaml in consul; trying the class path")
                    .addKeyValue("consul", s.consulAddress()).addKeyValue("key", globalKey).log();
            return Optional.empty();
        }
        consulOutcomes.remove(serviceName);
        Map<String, Object> tree;
        String source;
        if (global.isPresent() && own.isPresent()) {
            source = "consul " + globalKey + " + " + serviceKey;
            tree = TreeMerge.merge(KafkaYamlParser.parse(global.get(), "consul " + globalKey),
                    KafkaYamlParser.parse(own.get(), "consul " + serviceKey));
        } else {
            String key = global.isPresent() ? globalKey : serviceKey;
            source = "consul " + key;
            tree = KafkaYamlParser.parse(global.isPresent() ? global.get() : own.get(), source);
        }
        MqConfig config = finish(tree, source, serviceName);
        if (cache != null) {
            try {
                cache.write(cacheFile, source + " at " + s.consulAddress(), KafkaYamlParser.dump(tree));
            } catch (IOException | RuntimeException e) {
                log.atWarn().setMessage("could not write the last-known-good copy of the configuration")
                        .addKeyValue("cache", cacheFile)
                        .addKeyValue("error", e.getClass().getSimpleName() + ": " + e.getMessage())
                        .log();
            }
        }
        return Optional.of(config);
    }

    /**
     * The cached copy, with a WARN; or, without one, the error that says what Consul did.
     *
     * @param reason why Consul gave no answer, or {@code null} when it answered that the key is missing
     */
    private MqConfig fromCache(ConfigCache cache, Path cacheFile, String what, Reason reason, String serviceName,
                               CoordSettings s) {
        if (cache == null) {
            throw new MqConfigException(what + "; the last-known-good cache is off (mq.config.cache.dir=off)."
                    + hint(reason));
        }
        Optional<ConfigCache.Entry> entry;
        try {
            entry = cache.read(cacheFile);
        } catch (IOException e) {
            throw new MqConfigException(what + "; the cached copy " + cacheFile + " cannot be read ("
                    + e.getClass().getSimpleName() + ")." + hint(reason));
        }
        if (entry.isEmpty()) {
            throw new MqConfigException(what + "; no last-known-good copy in " + cacheFile + "." + hint(reason));
        }
        ConfigCache.Entry copy = entry.get();
        String source = "cache " + cacheFile + (copy.origin.isEmpty() ? "" : " (copy of " + copy.origin + ")");
        String age = ConfigCache.human(copy.age(Instant.now()));
        MqConfig config = finish(KafkaYamlParser.parse(copy.yaml, source), source, serviceName);
        if (!warned.first("cache", cacheFile, copy.savedAt, reason)) {
            return config;
        }
        log.atWarn().setMessage("consul gave no configuration; using the last-known-good copy from " + age + " ago")
                .addKeyValue("service", serviceName)
                .addKeyValue("consul", s.consulAddress())
                .addKeyValue("reason", what)
                .addKeyValue("cache", cacheFile)
                .addKeyValue("age", age)
                .addKeyValue("savedAt", copy.savedAt)
                .log();
        return config;
    }

    private static String hint(Reason reason) {
        if (reason == Reason.FORBIDDEN) {
            return " Give the service a token that may read the key.";
        }
        if (reason == null) {
            return "";
        }
        return " Check that Consul runs there, or point CONSUL_HTTP_ADDR (-Dmq.consul.addr) at it.";
    }

    // ---- common -------------------------------------------------------------------------------

    private MqConfig finish(Map<String, Object> tree, String source, String serviceName) {
        List<KafkaYamlBinder.UnknownKey> unknown = new ArrayList<>();
        MqConfig config;
        try {
            config = KafkaYamlBinder.bind(tree, source, unknown);
        } finally {
            if (!unknown.isEmpty() && warned.first("unknown keys", source, tree)) {
                KafkaYaml.warn(unknown, log);
            }
        }
        log.atInfo().setMessage("mq configuration loaded")
                .addKeyValue("service", serviceName)
                .addKeyValue("source", source)
                .log();
        return config;
    }

    @Override
    public String toString() {
        return "CoordConfigLoader";
    }
}
