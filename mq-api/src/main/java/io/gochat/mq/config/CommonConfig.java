package io.gochat.mq.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * {@code common}: settings every client of a service shares. Immutable.
 *
 * <p>Defaults: no brokers (a transport that needs them says so), {@code clientIDPrefix: gochat},
 * no SASL, no TLS, no pass-through properties.
 */
public final class CommonConfig {
    private static final Pattern HOST_PORT = Pattern.compile("^(\\[[0-9a-fA-F:.]+]|[^\\s:/\\[\\]]+):(\\d{1,5})$");

    private final List<String> brokers;
    private final String clientIdPrefix;
    private final SaslConfig sasl;
    private final SslConfig ssl;
    private final Map<String, String> properties;

    private CommonConfig(List<String> brokers, String clientIdPrefix, SaslConfig sasl, SslConfig ssl,
                         Map<String, String> properties) {
        this.brokers = brokers;
        this.clientIdPrefix = clientIdPrefix;
        this.sasl = sasl;
        this.ssl = ssl;
        this.properties = properties;
    }

    static CommonConfig validated(Builder b, String source, String prefix) {
        List<String> brokers = new ArrayList<>(b.brokers.size());
        for (int i = 0; i < b.brokers.size(); i++) {
            String broker = b.brokers.get(i) == null ? "" : b.brokers.get(i).trim();
            var m = HOST_PORT.matcher(broker);
            if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
                throw ConfigValues.invalid(source, prefix + "brokers[" + i + "]", "host:port with a port in 1..65535", broker);
            }
            brokers.add(broker);
        }
        return new CommonConfig(List.copyOf(brokers),
                ConfigValues.notBlank(source, prefix + "clientIDPrefix", b.clientIdPrefix),
                SaslConfig.validated(b.sasl, source, prefix + "security.sasl."),
                SslConfig.validated(b.ssl, source, prefix + "security.ssl."),
                b.validatedProperties(source, prefix));
    }

    /** {@code brokers}: bootstrap addresses as {@code host:port}; may be empty for transports that need none. */
    public List<String> brokers() {
        return brokers;
    }

    /** {@code clientIDPrefix}: a client's id is {@code <clientIDPrefix>-<serviceName>}. */
    public String clientIdPrefix() {
        return clientIdPrefix;
    }

    /** {@code security.sasl}. */
    public SaslConfig sasl() {
        return sasl;
    }

    /** {@code security.ssl}. */
    public SslConfig ssl() {
        return ssl;
    }

    /** {@code properties}: raw transport properties for every client, applied after the named keys. */
    public Map<String, String> properties() {
        return properties;
    }

    Builder toBuilder() {
        Builder b = new Builder();
        b.brokers = new ArrayList<>(brokers);
        b.clientIdPrefix = clientIdPrefix;
        b.sasl = sasl.toBuilder();
        b.ssl = ssl.toBuilder();
        return b.copyProperties(properties);
    }

    @Override
    public String toString() {
        return "{brokers=" + brokers + ", clientIDPrefix=" + clientIdPrefix + ", sasl=" + sasl + ", ssl=" + ssl
                + ", properties=" + Secrets.masked(properties) + '}';
    }

    /** Builds {@link CommonConfig}. */
    public static final class Builder extends PropertiesBuilder<Builder> {
        private List<String> brokers = new ArrayList<>();
        private String clientIdPrefix = "gochat";
        private SaslConfig.Builder sasl = new SaslConfig.Builder();
        private SslConfig.Builder ssl = new SslConfig.Builder();

        Builder() {
        }

        /** Replaces the broker list. */
        public Builder brokers(List<String> brokers) {
            this.brokers = new ArrayList<>(Objects.requireNonNull(brokers, "brokers"));
            return this;
        }

        /** Replaces the broker list. */
        public Builder brokers(String... brokers) {
            return brokers(List.of(brokers));
        }

        public Builder clientIdPrefix(String clientIdPrefix) {
            this.clientIdPrefix = clientIdPrefix;
            return this;
        }

        public Builder sasl(Consumer<SaslConfig.Builder> customizer) {
            customizer.accept(sasl);
            return this;
        }

        public Builder ssl(Consumer<SslConfig.Builder> customizer) {
            customizer.accept(ssl);
            return this;
        }
    }
}
