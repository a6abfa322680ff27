package io.gochat.mq.coord;

import io.gochat.mq.MqConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CoordSettingsTest {
    private final Map<String, String> props = new HashMap<>(Map.of("user.home", "/home/chat"));
    private final Map<String, String> env = new HashMap<>();

    private CoordSettings settings() {
        return CoordSettings.from(props::get, env::get);
    }

    @Test
    @DisplayName("with nothing set: no file, no Consul, env dev, root config, cache in ~/.cache/gochat-mq, bounded timeouts")
    void defaults() {
        CoordSettings s = settings();
        assertThat(s.configFile()).isNull();
        assertThat(s.consulAddress()).isNull();
        assertThat(s.consulToken()).isNull();
        assertThat(s.env()).isEqualTo("dev");
        assertThat(s.root()).isEqualTo("config");
        assertThat(s.cacheDir()).isEqualTo(Path.of("/home/chat", ".cache", "gochat-mq"));
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.readTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.retries()).isEqualTo(2);
        assertThat(s.globalKey()).isEqualTo("config/dev/global/kafka.yaml");
        assertThat(s.serviceKey("im-gateway")).isEqualTo("config/dev/im-gateway/kafka.yaml");
    }

    @Test
    @DisplayName("environment variables are read: MQ_CONFIG_FILE, CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, APP_ENV, …")
    void environment() {
        env.putAll(Map.of("MQ_CONFIG_FILE", "/etc/gochat/kafka.yaml", "CONSUL_HTTP_ADDR", "consul.local:8501",
                "CONSUL_HTTP_TOKEN", "tok", "APP_ENV", "prod", "MQ_CONSUL_ROOT", "team/config",
                "MQ_CONFIG_CACHE_DIR", "/var/cache/mq", "MQ_CONSUL_CONNECT_TIMEOUT_MS", "100",
                "MQ_CONSUL_READ_TIMEOUT_MS", "200", "MQ_CONSUL_RETRIES", "0"));
        CoordSettings s = settings();
        assertThat(s.configFile()).isEqualTo("/etc/gochat/kafka.yaml");
        assertThat(s.configFileOrigin()).isEqualTo("environment variable MQ_CONFIG_FILE");
        assertThat(s.consulAddress()).isEqualTo(URI.create("http://consul.local:8501"));
        assertThat(s.consulAddressOrigin()).isEqualTo("environment variable CONSUL_HTTP_ADDR");
        assertThat(s.consulToken()).isEqualTo("tok");
        assertThat(s.globalKey()).isEqualTo("team/config/prod/global/kafka.yaml");
        assertThat(s.cacheDir()).isEqualTo(Path.of("/var/cache/mq"));
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofMillis(100));
        assertThat(s.readTimeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(s.retries()).isZero();
    }

    @Test
    @DisplayName("a system property wins over its environment variable")
    void propertyFirst() {
        env.putAll(Map.of("CONSUL_HTTP_ADDR", "env-host:1", "APP_ENV", "prod", "CONSUL_HTTP_TOKEN", "env-token"));
        props.putAll(Map.of("mq.consul.addr", "prop-host:2", "mq.env", "staging", "mq.consul.token", "prop-token"));
        CoordSettings s = settings();
        assertThat(s.consulAddress()).isEqualTo(URI.create("http://prop-host:2"));
        assertThat(s.consulAddressOrigin()).isEqualTo("system property mq.consul.addr");
        assertThat(s.env()).isEqualTo("staging");
        assertThat(s.consulToken()).isEqualTo("prop-token");
    }

    @Test
    @DisplayName("a Consul address may be host:port, host, http://host:port or https://host:port")
    void addressForms() {
        assertThat(CoordSettings.parseAddress("127.0.0.1:8500", "x")).isEqualTo(URI.create("http://127.0.0.1:8500"));
        assertThat(CoordSettings.parseAddress("consul", "x")).isEqualTo(URI.create("http://consul:8500"));
        assertThat(CoordSettings.parseAddress("http://consul:8600/", "x")).isEqualTo(URI.create("http://consul:8600"));
        assertThat(CoordSettings.parseAddress("HTTPS://consul:8501", "x")).isEqualTo(URI.create("https://consul:8501"));
    }

    @Test
    @DisplayName("a malformed Consul address names the variable and the value")
    void badAddress() {
        env.put("CONSUL_HTTP_ADDR", "ftp://consul:21");
        assertThatThrownBy(this::settings).isInstanceOf(MqConfigException.class).hasMessage(
                "CONSUL_HTTP_ADDR: expected host:port or http(s)://host:port but was [ftp://consul:21] (environment variable CONSUL_HTTP_ADDR)");
        env.put("CONSUL_HTTP_ADDR", "http://user:pw@consul:8500");
        assertThatThrownBy(this::settings).isInstanceOf(MqConfigException.class).hasMessageContaining("CONSUL_HTTP_ADDR: expected");
    }

    @Test
    @DisplayName("malformed timeouts, retries, env and root name the property and the value")
    void badNumbers() {
        props.put("mq.consul.readTimeoutMs", "soon");
        assertThatThrownBy(this::settings).isInstanceOf(MqConfigException.class).hasMessage(
                "mq.consul.readTimeoutMs: expected an integer in 1..600000 but was [soon] (system property mq.consul.readTimeoutMs)");
        props.remove("mq.consul.readTimeoutMs");
        props.put("mq.consul.connectTimeoutMs", "0");
        assertThatThrownBy(this::settings).hasMessageStartingWith("mq.consul.connectTimeoutMs: expected an integer in 1..600000 but was [0]");
        props.remove("mq.consul.connectTimeoutMs");
        env.put("MQ_CONSUL_RETRIES", "-1");
        assertThatThrownBy(this::settings).hasMessageStartingWith("MQ_CONSUL_RETRIES: expected an integer in 0..10 but was [-1]");
        env.remove("MQ_CONSUL_RETRIES");
        env.put("APP_ENV", "../prod");
        assertThatThrownBy(this::settings).hasMessageStartingWith("APP_ENV: expected an environment name");
        env.remove("APP_ENV");
        props.put("mq.consul.root", "config/../secrets");
        assertThatThrownBy(this::settings).hasMessageStartingWith("mq.consul.root: expected a Consul key prefix");
    }

    @Test
    @DisplayName("the cache can be turned off with 'off'")
    void cacheOff() {
        props.put("mq.config.cache.dir", "off");
        assertThat(settings().cacheDir()).isNull();
    }

    @Test
    @DisplayName("toString never shows the token")
    void tokenHidden() {
        env.put("CONSUL_HTTP_TOKEN", "b1946ac9-2f4e-secret");
        assertThat(settings().toString()).doesNotContain("b1946ac9-2f4e-secret").contains("token=******");
    }
}
