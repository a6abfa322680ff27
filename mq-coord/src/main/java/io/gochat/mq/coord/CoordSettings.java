package io.gochat.mq.coord;

import io.gochat.mq.MqConfigException;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * How {@link CoordConfigLoader} finds {@code kafka.yaml}: each setting from a system property
 * first, then an environment variable, then its default. Immutable; {@link #toString()} hides the
 * Consul token.
 */
final class CoordSettings {
    static final String DEFAULT_ENV = "dev";
    static final String DEFAULT_ROOT = "config";
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofMillis(2000);
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofMillis(5000);
    static final int DEFAULT_RETRIES = 2;
    /** The cache directory value that turns the cache off. */
    static final String CACHE_OFF = "off";

    private static final Pattern SEGMENT = Pattern.compile("^[A-Za-z0-9._-]+$");
    private static final Pattern ROOT = Pattern.compile("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$");

    /** One setting: where it is read from. */
    enum Key {
        CONFIG_FILE("mq.config.file", "MQ_CONFIG_FILE"),
        CONSUL_ADDR("mq.consul.addr", "CONSUL_HTTP_ADDR"),
        CONSUL_TOKEN("mq.consul.token", "CONSUL_HTTP_TOKEN"),
        ENV("mq.env", "APP_ENV"),
        CONSUL_ROOT("mq.consul.root", "MQ_CONSUL_ROOT"),
        CACHE_DIR("mq.config.cache.dir", "MQ_CONFIG_CACHE_DIR"),
        CONNECT_TIMEOUT("mq.consul.connectTimeoutMs", "MQ_CONSUL_CONNECT_TIMEOUT_MS"),
        READ_TIMEOUT("mq.consul.readTimeoutMs", "MQ_CONSUL_READ_TIMEOUT_MS"),
        RETRIES("mq.consul.retries", "MQ_CONSUL_RETRIES");

        final String property;
        final String env;

        Key(String property, String env) {
            this.property = property;
            this.env = env;
        }
    }

    private final String configFile;
    private final String configFileOrigin;
    private final URI consulAddress;
    private final String consulAddressOrigin;
    private final String consulToken;
    private final String env;
    private final String root;
    private final Path cacheDir;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final int retries;

    private CoordSettings(Builder b) {
        this.configFile = b.configFile;
        this.configFileOrigin = b.configFileOrigin;
        this.consulAddress = b.consulAddress;
        this.consulAddressOrigin = b.consulAddressOrigin;
        this.consulToken = b.consulToken;
        this.env = b.env;
        this.root = b.root;
        this.cacheDir = b.cacheDir;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.retries = b.retries;
    }

    /** From this JVM's system properties and environment. */
    static CoordSettings fromSystem() {
        return from(System::getProperty, System::getenv);
    }

    /**
     * From the given look-ups; a blank value counts as unset.
     *
     * @throws MqConfigException naming the property or variable when a value is malformed
     */
    static CoordSettings from(UnaryOperator<String> properties, UnaryOperator<String> environment) {
        Builder b = builder();
        Lookup lookup = new Lookup(properties, environment);
        String file = lookup.value(Key.CONFIG_FILE);
        if (file != null) {
            b.configFile(file, lookup.origin(Key.CONFIG_FILE));
        }
        String addr = lookup.value(Key.CONSUL_ADDR);
        if (addr != null) {
            b.consulAddress(parseAddress(addr, lookup.origin(Key.CONSUL_ADDR)), lookup.origin(Key.CONSUL_ADDR));
        }
        b.consulToken(lookup.value(Key.CONSUL_TOKEN));
        String env = lookup.value(Key.ENV);
        if (env != null) {
            b.env(segment(env, "an environment name (letters, digits, '.', '_', '-')", lookup.origin(Key.ENV)));
        }
        String root = lookup.value(Key.CONSUL_ROOT);
        if (root != null) {
            if (!ROOT.matcher(root).matches() || List.of(root.split("/")).stream().anyMatch(s -> !isSegment(s))) {
                throw invalid(lookup.origin(Key.CONSUL_ROOT), "a Consul key prefix such as config or team/config", root);
            }
            b.root(root);
        }
        String cache = lookup.value(Key.CACHE_DIR);
        if (cache != null) {
            b.cacheDir(cache.equalsIgnoreCase(CACHE_OFF) ? null : Path.of(cache));
        } else {
            String home = properties.apply("user.home");
            b.cacheDir(home == null || home.isBlank() ? null : Path.of(home, ".cache", "gochat-mq"));
        }
        b.connectTimeout(millis(lookup, Key.CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT));
        b.readTimeout(millis(lookup, Key.READ_TIMEOUT, DEFAULT_READ_TIMEOUT));
        String retries = lookup.value(Key.RETRIES);
        if (retries != null) {
            b.retries(integer(retries, 0, 10, lookup.origin(Key.RETRIES)));
        }
        return b.build();
    }

    static Builder builder() {
        return new Builder();
    }

    /**
     * {@code host:port}, {@code host} (port 8500) or {@code http(s)://host[:port]}.
     *
     * @throws MqConfigException naming {@code origin} when it is none of those
     */
    static URI parseAddress(String value, String origin) {
        String v = value.trim();
        String withScheme = v.contains("://") ? v : "http://" + v;
        try {
            URI uri = new URI(withScheme);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
                    || uri.getUserInfo() != null || uri.getQuery() != null || uri.getFragment() != null
                    || !(uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/"))) {
                throw invalid(origin, "host:port or http(s)://host:port", value);
            }
            int port = uri.getPort() == -1 ? 8500 : uri.getPort();
            return new URI(scheme, null, uri.getHost(), port, null, null, null);
        } catch (URISyntaxException e) {
            throw invalid(origin, "host:port or http(s)://host:port", value);
        }
    }

    /**
     * Checks one part of a Consul key or cache path (environment, service name).
     *
     * @throws MqConfigException naming {@code origin} when it could escape its place in a key or path
     */
    static String segment(String value, String expected, String origin) {
        if (!isSegment(value)) {
            throw invalid(origin, expected, value);
        }
        return value;
    }

    /** Whether {@code value} is safe as one part of a Consul key or a file path. */
    static boolean isSegment(String value) {
        return value != null && SEGMENT.matcher(value).matches() && !value.matches("\\.+");
    }

    private static Duration millis(Lookup lookup, Key key, Duration fallback) {
        String value = lookup.value(key);
        return value == null ? fallback : Duration.ofMillis(integer(value, 1, 600_000, lookup.origin(key)));
    }

    private static int integer(String value, int min, int max, String origin) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(origin, "an integer in " + min + ".." + max, value);
    }

    private static MqConfigException invalid(String origin, String expected, String value) {
        String key = origin.substring(origin.lastIndexOf(' ') + 1);
        return new MqConfigException(key + ": expected " + expected + " but was [" + value + "] (" + origin + ")");
    }

    /** The local file, or {@code null} when none is named. */
    String configFile() {
        return configFile;
    }

    /** Where {@link #configFile()} was set, e.g. {@code system property mq.config.file}. */
    String configFileOrigin() {
        return configFileOrigin;
    }

    /** The Consul agent, or {@code null} when Consul is not used. */
    URI consulAddress() {
        return consulAddress;
    }

    String consulAddressOrigin() {
        return consulAddressOrigin;
    }

    /** The ACL token, or {@code null}. Never log it. */
    String consulToken() {
        return consulToken;
    }

    String env() {
        return env;
    }

    String root() {
        return root;
    }

    /** The last-known-good cache directory, or {@code null} when the cache is off. */
    Path cacheDir() {
        return cacheDir;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    Duration readTimeout() {
        return readTimeout;
    }

    /** Extra attempts after a failed Consul request. */
    int retries() {
        return retries;
    }

    /** {@code <root>/<env>/global/kafka.yaml}. */
    String globalKey() {
        return root + "/" + env + "/global/kafka.yaml";
    }

    /** {@code <root>/<env>/<serviceName>/kafka.yaml}. */
    String serviceKey(String serviceName) {
        return root + "/" + env + "/" + serviceName + "/kafka.yaml";
    }

    @Override
    public String toString() {
        return "CoordSettings{configFile=" + configFile + ", consul=" + consulAddress + ", token="
                + (consulToken == null ? "none" : "******") + ", env=" + env + ", root=" + root + ", cacheDir="
                + (cacheDir == null ? CACHE_OFF : cacheDir) + ", connectTimeout=" + connectTimeout.toMillis()
                + "ms, readTimeout=" + readTimeout.toMillis() + "ms, retries=" + retries + '}';
    }

    private static final class Lookup {
        private final UnaryOperator<String> properties;
        private final UnaryOperator<String> environment;

        Lookup(UnaryOperator<String> properties, UnaryOperator<String> environment) {
            this.properties = properties;
            this.environment = environment;
        }

        String value(Key key) {
            String v = properties.apply(key.property);
            if (v == null || v.isBlank()) {
                v = environment.apply(key.env);
            }
            return v == null || v.isBlank() ? null : v.trim();
        }

        String origin(Key key) {
            String v = properties.apply(key.property);
            return v != null && !v.isBlank() ? "system property " + key.property : "environment variable " + key.env;
        }
    }

    /** Builds settings directly, for tests and embedding. Not thread-safe. */
    static final class Builder {
        private String configFile;
        private String configFileOrigin = "system property mq.config.file";
        private URI consulAddress;
        private String consulAddressOrigin = "system property mq.consul.addr";
        private String consulToken;
        private String env = DEFAULT_ENV;
        private String root = DEFAULT_ROOT;
        private Path cacheDir;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private int retries = DEFAULT_RETRIES;

        private Builder() {
        }

        Builder configFile(String file, String origin) {
            this.configFile = file;
            this.configFileOrigin = Objects.requireNonNull(origin);
            return this;
        }

        Builder consulAddress(URI address, String origin) {
            this.consulAddress = address;
            this.consulAddressOrigin = Objects.requireNonNull(origin);
            return this;
        }

        Builder consulAddress(String address) {
            return consulAddress(parseAddress(address, "system property mq.consul.addr"), "system property mq.consul.addr");
        }

        Builder consulToken(String token) {
            this.consulToken = token;
            return this;
        }

        Builder env(String env) {
            this.env = env;
            return this;
        }

        Builder root(String root) {
            this.root = root;
            return this;
        }

        Builder cacheDir(Path cacheDir) {
            this.cacheDir = cacheDir;
            return this;
        }

        Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        Builder readTimeout(Duration timeout) {
            this.readTimeout = timeout;
            return this;
        }

        Builder retries(int retries) {
            this.retries = retries;
            return this;
        }

        CoordSettings build() {
            return new CoordSettings(this);
        }
    }
}
