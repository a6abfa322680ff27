package io.gochat.mq.config;

import io.gochat.mq.MqConfigException;

import java.util.List;

/**
 * {@code common.security.sasl}: SASL authentication. An empty {@link #mechanism()} (the default)
 * turns SASL off. Immutable; {@link #toString()} never shows the password.
 */
public final class SaslConfig {
    /** The mechanisms a transport must support. */
    public static final List<String> MECHANISMS = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");

    private final String mechanism;
    private final String username;
    private final String password;

    private SaslConfig(Builder b) {
        this.mechanism = b.mechanism;
        this.username = b.username;
        this.password = b.password;
    }

    static SaslConfig validated(Builder b, String source, String prefix) {
        if (!b.mechanism.isEmpty()) {
            ConfigValues.oneOf(source, prefix + "mechanism", b.mechanism, MECHANISMS);
            ConfigValues.notBlank(source, prefix + "username", b.username);
            if (b.password.isEmpty()) {
                // never echo a password, not even an empty one's neighbours
                throw new MqConfigException(prefix + "password: expected a non-empty password when "
                        + prefix + "mechanism is " + b.mechanism + " (" + source + ")");
            }
        }
        return new SaslConfig(b);
    }

    /** {@code ""} (off), {@code PLAIN}, {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}. */
    public String mechanism() {
        return mechanism;
    }

    /** Whether SASL is on. */
    public boolean enabled() {
        return !mechanism.isEmpty();
    }

    public String username() {
        return username;
    }

    /** The password. Never log it. */
    public String password() {
        return password;
    }

    Builder toBuilder() {
        return new Builder().mechanism(mechanism).username(username).password(password);
    }

    @Override
    public String toString() {
        return enabled()
                ? "{mechanism=" + mechanism + ", username=" + username + ", password=" + (password.isEmpty() ? "" : Secrets.MASK) + '}'
                : "{off}";
    }

    /** Builds {@link SaslConfig}; {@code null} arguments mean empty. */
    public static final class Builder {
        private String mechanism = "";
        private String username = "";
        private String password = "";

        Builder() {
        }

        public Builder mechanism(String mechanism) {
            this.mechanism = mechanism == null ? "" : mechanism.trim();
            return this;
        }

        public Builder username(String username) {
            this.username = username == null ? "" : username;
            return this;
        }

        public Builder password(String password) {
            this.password = password == null ? "" : password;
            return this;
        }

        @Override
        public String toString() {
            return "SaslConfig.Builder{mechanism=" + mechanism + ", username=" + username + ", password=" + Secrets.MASK + "}";
        }
    }
}
