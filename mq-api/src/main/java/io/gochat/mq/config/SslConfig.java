package io.gochat.mq.config;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code common.security.ssl}: TLS with PEM files. TLS is on when any file is named or
 * {@link #insecureSkipVerify()} is set. Immutable; shows file names, never their contents.
 */
public final class SslConfig {
    private final String caCertFile;
    private final String clientCertFile;
    private final String clientKeyFile;
    private final boolean insecureSkipVerify;

    private SslConfig(Builder b) {
        this.caCertFile = b.caCertFile;
        this.clientCertFile = b.clientCertFile;
        this.clientKeyFile = b.clientKeyFile;
        this.insecureSkipVerify = b.insecureSkipVerify;
    }

    static SslConfig validated(Builder b, String source, String prefix) {
        readable(source, prefix + "ca_cert_file", b.caCertFile);
        readable(source, prefix + "client_cert_file", b.clientCertFile);
        readable(source, prefix + "client_key_file", b.clientKeyFile);
        if (b.clientCertFile.isEmpty() != b.clientKeyFile.isEmpty()) {
            throw ConfigValues.invalid(source, prefix + "client_cert_file/client_key_file",
                    "both or neither (a client certificate needs its key)",
                    b.clientCertFile.isEmpty() ? "key only" : "certificate only");
        }
        return new SslConfig(b);
    }

    private static void readable(String source, String key, String file) {
        if (!file.isEmpty() && !Files.isReadable(Path.of(file))) {
            throw ConfigValues.invalid(source, key, "a readable PEM file", file);
        }
    }

    /** PEM file of the CA that signed the brokers' certificates; empty: the JVM's trust store. */
    public String caCertFile() {
        return caCertFile;
    }

    /** PEM file of the client certificate chain for mutual TLS; empty: none. */
    public String clientCertFile() {
        return clientCertFile;
    }

    /** PEM file of the client's PKCS#8 private key; empty: none. */
    public String clientKeyFile() {
        return clientKeyFile;
    }

    /** Skip verification of the broker's certificate and host name. For tests only; logged loudly. */
    public boolean insecureSkipVerify() {
        return insecureSkipVerify;
    }

    /** Whether TLS is on. */
    public boolean enabled() {
        return !caCertFile.isEmpty() || !clientCertFile.isEmpty() || insecureSkipVerify;
    }

    Builder toBuilder() {
        return new Builder().caCertFile(caCertFile).clientCertFile(clientCertFile).clientKeyFile(clientKeyFile)
                .insecureSkipVerify(insecureSkipVerify);
    }

    @Override
    public String toString() {
        return enabled()
                ? "{ca_cert_file=" + caCertFile + ", client_cert_file=" + clientCertFile + ", client_key_file="
                        + clientKeyFile + ", insecure_skip_verify=" + insecureSkipVerify + '}'
                : "{off}";
    }

    /** Builds {@link SslConfig}; {@code null} file names mean none. */
    public static final class Builder {
        private String caCertFile = "";
        private String clientCertFile = "";
        private String clientKeyFile = "";
        private boolean insecureSkipVerify;

        Builder() {
        }

        public Builder caCertFile(String file) {
            this.caCertFile = file == null ? "" : file.trim();
            return this;
        }

        public Builder clientCertFile(String file) {
            this.clientCertFile = file == null ? "" : file.trim();
            return this;
        }

        public Builder clientKeyFile(String file) {
            this.clientKeyFile = file == null ? "" : file.trim();
            return this;
        }

        public Builder insecureSkipVerify(boolean insecureSkipVerify) {
            this.insecureSkipVerify = insecureSkipVerify;
            return this;
        }
    }
}
