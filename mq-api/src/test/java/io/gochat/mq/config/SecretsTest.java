package io.gochat.mq.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class SecretsTest {

    @ParameterizedTest
    @ValueSource(strings = {"db.password", "SSL.KEY.PASSWORD", "app.passwd", "ssh.passphrase", "oauth.client.secret",
            "vault.token", "aws.credentials", "sasl.jaas.config", "ssl.truststore.certificates",
            "sasl.oauthbearer.assertion.private.key.file", "basic.auth.user.info", "registry.userinfo",
            "ssl.keystore.key", "api.key", "ApiKey", "ACCESS_KEY", "signing-key"})
    @DisplayName("a property named like a secret is masked in MqConfig.toString, in common, producer and consumer")
    void namedLikeASecret(String name) {
        String value = "value-" + UUID.randomUUID();
        assertThat(Secrets.isSecret(name)).isTrue();

        MqConfig config = MqConfig.builder().common(c -> c.property(name, value)).producer(p -> p.property(name, value))
                .consumer(c -> c.property(name, value)).build();

        assertThat(config.toString()).doesNotContain(value);
        assertThat(config.common().toString()).contains(name + "=" + Secrets.MASK);
        assertThat(config.producer().toString()).contains(name + "=" + Secrets.MASK);
        assertThat(config.consumer().toString()).contains(name + "=" + Secrets.MASK);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bootstrap.servers", "client.id", "key.serializer", "key.deserializer", "linger.ms",
            "ssl.keystore.location", "ssl.keystore.type", "ssl.truststore.location", "ssl.keymanager.algorithm",
            "ssl.endpoint.identification.algorithm", "security.protocol", "sasl.mechanism", "mq.inmemory.broker"})
    @DisplayName("an ordinary property is shown as it is")
    void ordinary(String name) {
        assertThat(Secrets.isSecret(name)).isFalse();
        MqConfig config = MqConfig.builder().common(c -> c.property(name, "plain-value")).build();
        assertThat(config.toString()).contains(name + "=plain-value");
    }

    @Test
    @DisplayName("private key material is masked whatever the property is called; masked keeps names and order")
    void privateKeyMaterial() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("linger.ms", 5);
        props.put("some.pem", "-----BEGIN PRIVATE KEY-----\nK3y\n-----END PRIVATE KEY-----");
        props.put("db.password", "hunter2");

        Map<String, Object> shown = Secrets.masked(props);

        assertThat(shown.keySet()).containsExactly("linger.ms", "some.pem", "db.password");
        assertThat(shown).containsEntry("linger.ms", 5).containsEntry("some.pem", Secrets.MASK)
                .containsEntry("db.password", Secrets.MASK);
        assertThat(props).containsEntry("db.password", "hunter2");
    }
}
