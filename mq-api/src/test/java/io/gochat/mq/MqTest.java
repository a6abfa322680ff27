package io.gochat.mq;

import io.gochat.mq.SelectionTestProviders.Created;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.spi.TransportProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ResourceLock("mq.transport")
class MqTest {
    private static final MqConfig CONFIG = MqConfig.builder().common(c -> c.brokers("kafka-1:9092")).build();

    @AfterEach
    void reset() {
        System.clearProperty(Mq.TRANSPORT_PROPERTY);
        SelectionTestProviders.Loader.next = null;
    }

    private static Created created(Object client) {
        return (Created) client;
    }

    @Test
    @DisplayName("withTransport picks the named transport")
    void withTransport() {
        Created c = created(Mq.newProducer("im-gateway", Option.withTransport("beta"), Option.withConfig(CONFIG)));
        assertThat(c.transport).isEqualTo("beta");
        assertThat(c.spec.serviceName()).isEqualTo("im-gateway");
        assertThat(c.spec.groupId()).isNull();
        assertThat(c.spec.clientId()).isEqualTo("gochat-im-gateway");
    }

    @Test
    @DisplayName("with several transports and no choice, the error lists them and says how to choose")
    void noChoice() {
        assertThatThrownBy(() -> Mq.newProducer("svc", Option.withConfig(CONFIG)))
                .isInstanceOf(MqConfigException.class)
                .hasMessageContaining("[alpha, beta]")
                .hasMessageContaining("Option.withTransport")
                .hasMessageContaining("mq.transport")
                .hasMessageContaining("MQ_TRANSPORT");
    }

    @Test
    @DisplayName("an unknown transport name is an error listing the transports found")
    void unknownTransport() {
        assertThatThrownBy(() -> Mq.newConsumer("svc", "g", Option.withTransport("kafka"), Option.withConfig(CONFIG)))
                .isInstanceOf(MqConfigException.class)
                .hasMessageContaining("'kafka'")
                .hasMessageContaining("[alpha, beta]")
                .hasMessageContaining("io.gochat:mq-kafka");
    }

    @Test
    @DisplayName("selection order: option, then system property, then the config's transport key")
    void selectionOrder() {
        MqConfig wantsAlpha = CONFIG.toBuilder().transport("alpha").build();
        assertThat(created(Mq.newProducer("s", Option.withConfig(wantsAlpha))).transport).isEqualTo("alpha");
        System.setProperty(Mq.TRANSPORT_PROPERTY, "beta");
        assertThat(created(Mq.newProducer("s", Option.withConfig(wantsAlpha))).transport).isEqualTo("beta");
        assertThat(created(Mq.newProducer("s", Option.withConfig(wantsAlpha), Option.withTransport("alpha"))).transport)
                .isEqualTo("alpha");
    }

    @Test
    @DisplayName("a transport that needs configuration fails clearly when none is found, naming the places tried")
    void missingConfiguration() {
        assertThatThrownBy(() -> Mq.newProducer("im-gateway", Option.withTransport("beta")))
                .isInstanceOf(MqConfigException.class)
                .hasMessageContaining("No configuration for service 'im-gateway'")
                .hasMessageContaining("test place for im-gateway")
                .hasMessageContaining("Option.withConfig");
    }

    @Test
    @DisplayName("a transport that needs no configuration runs on the defaults")
    void defaultsForInProcessTransport() {
        Created c = created(Mq.newConsumer("svc", "group-1", Option.withTransport("alpha")));
        assertThat(c.spec.config().producer().compression()).isEqualTo("lz4");
        assertThat(c.spec.groupId()).isEqualTo("group-1");
    }

    @Test
    @DisplayName("a loaded configuration is used, with the service's overrides merged and its transport key honoured")
    void loadedConfiguration() {
        SelectionTestProviders.Loader.next = CONFIG.toBuilder()
                .transport("beta")
                .service("im-gateway", s -> s.producer(p -> p.lingerMs(50)))
                .build();
        Created gateway = created(Mq.newProducer("im-gateway"));
        assertThat(gateway.transport).isEqualTo("beta");
        assertThat(gateway.spec.config().producer().lingerMs()).isEqualTo(50);
        assertThat(created(Mq.newAdminClient("im-logic")).spec.config().producer().lingerMs()).isEqualTo(5);
    }

    @Test
    @DisplayName("withLogger hands the user's logger to the transport; otherwise io.gochat.mq.<component>")
    void logger() {
        Logger mine = LoggerFactory.getLogger("mine");
        assertThat(created(Mq.newProducer("s", Option.withTransport("alpha"), Option.withLogger(mine))).spec.logger("producer"))
                .isSameAs(mine);
        assertThat(created(Mq.newProducer("s", Option.withTransport("alpha"))).spec.logger("producer").getName())
                .isEqualTo("io.gochat.mq.producer");
    }

    @Test
    @DisplayName("the chosen transport validates the configuration merged for the service, however it was chosen")
    void transportValidates() {
        MqConfig noBrokers = MqConfig.builder().source("test source")
                .service("im-gateway", svc -> svc.common(c -> c.brokers("kafka-9:9092"))).build();
        SelectionTestProviders.Loader.next = noBrokers;

        assertThat(created(Mq.newProducer("im-logic", Option.withTransport("alpha"))).transport).isEqualTo("alpha");
        System.setProperty(Mq.TRANSPORT_PROPERTY, "alpha");
        assertThat(created(Mq.newProducer("im-logic")).transport).isEqualTo("alpha");

        assertThatThrownBy(() -> Mq.newProducer("im-logic", Option.withTransport("beta")))
                .isInstanceOf(MqConfigException.class)
                .hasMessage("common.brokers: beta needs brokers for im-logic but was [] (test source)");
        System.setProperty(Mq.TRANSPORT_PROPERTY, "beta");
        assertThatThrownBy(() -> Mq.newConsumer("im-logic", "g", Option.withConfig(noBrokers)))
                .isInstanceOf(MqConfigException.class)
                .hasMessage("common.brokers: beta needs brokers for im-logic but was [] (test source)");
        assertThat(created(Mq.newProducer("im-gateway")).spec.config().common().brokers()).containsExactly("kafka-9:9092");
    }

    @Test
    @DisplayName("providers are looked up once: every client of a transport comes from the same provider instance")
    void providersFoundOnce() {
        Created first = created(Mq.newProducer("s", Option.withTransport("alpha")));
        Created second = created(Mq.newConsumer("s", "g", Option.withTransport("alpha")));
        Created third = created(Mq.newAdminClient("s", Option.withTransport("alpha")));
        assertThat(second.by).isSameAs(first.by);
        assertThat(third.by).isSameAs(first.by);
    }

    @Test
    @DisplayName("providers that cannot be loaded are skipped and named in the error about the choice")
    void brokenProvidersNamed(@TempDir Path dir) throws IOException {
        Path services = dir.resolve("META-INF/services/" + TransportProvider.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, "com.example.NoSuchTransport\n" + SelectionTestProviders.Broken.class.getName() + "\n");
        try (URLClassLoader onlyBroken = new URLClassLoader(new URL[] {dir.toUri().toURL()}, MqTest.class.getClassLoader()) {
            @Override
            public Enumeration<URL> getResources(String name) throws IOException {
                return findResources(name); // this directory's services only, not the test class path's
            }
        }) {
            Transports transports = Transports.load(onlyBroken);

            assertThat(transports.found()).isEmpty();
            assertThatThrownBy(() -> transports.choose(null, CONFIG))
                    .isInstanceOf(MqConfigException.class)
                    .hasMessageStartingWith("No transport is on the class path (skipped, could not be loaded: "
                            + "Provider com.example.NoSuchTransport not found; Provider "
                            + SelectionTestProviders.Broken.class.getName() + " could not be instantiated"
                            + " (java.lang.IllegalStateException: broken on purpose))")
                    .hasMessageEndingWith("add io.gochat:mq-kafka (or mq-inmemory for tests).");
            assertThatThrownBy(() -> transports.choose("broken", CONFIG))
                    .isInstanceOf(MqConfigException.class)
                    .hasMessageStartingWith("Transport 'broken' is not on the class path; found [] (skipped, could not be loaded: ")
                    .hasMessageContaining("broken on purpose");
        }
    }

    @Test
    @DisplayName("bad names and options are refused at once, naming the argument")
    void badArguments() {
        assertThatThrownBy(() -> Mq.newProducer(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("serviceName");
        assertThatThrownBy(() -> Mq.newProducer(" ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("serviceName");
        assertThatThrownBy(() -> Mq.newConsumer("s", "")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("groupId");
        assertThatThrownBy(() -> Mq.newProducer("s", (Option) null)).isInstanceOf(NullPointerException.class).hasMessageContaining("options");
        assertThatThrownBy(() -> Option.withTransport(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
