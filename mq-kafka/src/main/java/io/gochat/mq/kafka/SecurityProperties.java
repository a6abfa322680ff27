package io.gochat.mq.kafka;

import io.gochat.mq.MqConfigException;
import io.gochat.mq.config.SaslConfig;
import io.gochat.mq.config.SslConfig;
import io.gochat.mq.kafka.internal.InsecureSslEngineFactory;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps the seed's {@code common.security} block to Kafka client properties: the security
 * protocol, SASL ({@code PLAIN}, {@code SCRAM-SHA-256}, {@code SCRAM-SHA-512}) through
 * {@code sasl.jaas.config} (never the JVM-wide JAAS file), and TLS from the PEM files the seed
 * names. The PEM files are read here, once, so a missing or malformed file is reported when the
 * client is created, naming the key and the file. Stateless.
 */
final class SecurityProperties {
    private static final Logger LOG = LoggerFactory.getLogger("io.gochat.mq.kafka.security");

    private SecurityProperties() {
    }

    static Map<String, Object> of(SaslConfig sasl, SslConfig ssl, String source) {
        Map<String, Object> props = new LinkedHashMap<>();
        SecurityProtocol protocol = sasl.enabled()
                ? (ssl.enabled() ? SecurityProtocol.SASL_SSL : SecurityProtocol.SASL_PLAINTEXT)
                : (ssl.enabled() ? SecurityProtocol.SSL : SecurityProtocol.PLAINTEXT);
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol.name);
        if (sasl.enabled()) {
            props.put(SaslConfigs.SASL_MECHANISM, sasl.mechanism());
            props.put(SaslConfigs.SASL_JAAS_CONFIG, jaas(sasl));
        }
        if (ssl.enabled()) {
            tls(ssl, source, props);
        } else if (!ssl.clientKeyFile().isEmpty()) {
            throw new MqConfigException("common.security.ssl.client_key_file: expected client_cert_file beside it"
                    + " but client_cert_file is empty (" + source + ")");
        }
        return props;
    }

    private static String jaas(SaslConfig sasl) {
        String module = sasl.mechanism().equals("PLAIN")
                ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return module + " required username=\"" + quote(sasl.username()) + "\" password=\"" + quote(sasl.password()) + "\";";
    }

    /** JAAS values are quoted strings in which backslash escapes. */
    private static String quote(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static void tls(SslConfig ssl, String source, Map<String, Object> props) {
        String prefix = "common.security.ssl.";
        boolean hasCert = !ssl.clientCertFile().isEmpty();
        boolean hasKey = !ssl.clientKeyFile().isEmpty();
        if (hasCert != hasKey) {
            throw new MqConfigException(prefix + (hasCert ? "client_key_file" : "client_cert_file")
                    + ": expected a PEM file beside " + prefix + (hasCert ? "client_cert_file" : "client_key_file")
                    + " (mutual TLS needs both) but it is empty (" + source + ")");
        }
        if (hasCert) {
            String chain = read(prefix + "client_cert_file", ssl.clientCertFile(), source);
            requirePem(prefix + "client_cert_file", ssl.clientCertFile(), chain, "-----BEGIN CERTIFICATE-----", source);
            String key = read(prefix + "client_key_file", ssl.clientKeyFile(), source);
            if (key.contains("-----BEGIN RSA PRIVATE KEY-----") || key.contains("-----BEGIN EC PRIVATE KEY-----")) {
                throw new MqConfigException(prefix + "client_key_file: expected a PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----)"
                        + " but " + ssl.clientKeyFile() + " holds a PKCS#1/SEC1 key; convert it with"
                        + " 'openssl pkcs8 -topk8 -nocrypt -in old.pem -out key.pem' (" + source + ")");
            }
            requirePem(prefix + "client_key_file", ssl.clientKeyFile(), key, "PRIVATE KEY-----", source);
            props.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
            props.put(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, chain);
            props.put(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, key);
        }
        if (ssl.insecureSkipVerify()) {
            LOG.atWarn()
                    .setMessage("TLS certificate and host name verification is OFF (common.security.ssl.insecure_skip_verify=true):"
                            + " any server can impersonate the Kafka brokers. Use it in tests only.")
                    .addKeyValue("ca_cert_file", ssl.caCertFile().isEmpty() ? "(ignored)" : ssl.caCertFile())
                    .addKeyValue("source", source)
                    .log();
            props.put(SslConfigs.SSL_ENGINE_FACTORY_CLASS_CONFIG, InsecureSslEngineFactory.class);
            props.put(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "");
            return;
        }
        if (!ssl.caCertFile().isEmpty()) {
            String ca = read(prefix + "ca_cert_file", ssl.caCertFile(), source);
            requirePem(prefix + "ca_cert_file", ssl.caCertFile(), ca, "-----BEGIN CERTIFICATE-----", source);
            props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
            props.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, ca);
        }
    }

    private static String read(String key, String file, String source) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new MqConfigException(key + ": expected a readable PEM file but " + file + " could not be read: "
                    + e.getClass().getSimpleName() + " (" + source + ")", e);
        }
    }

    private static void requirePem(String key, String file, String text, String marker, String source) {
        if (!text.contains(marker)) {
            // the content may be a key: never echo it
            throw new MqConfigException(key + ": expected a PEM file with a '" + marker.replace("-----", "")
                    + "' block but " + file + " has none (" + source + ")");
        }
    }
}
