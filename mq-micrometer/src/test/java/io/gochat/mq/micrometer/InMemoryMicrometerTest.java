package io.gochat.mq.micrometer;

import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.inmemory.InMemoryTransportProvider;
import io.gochat.mq.testkit.TestNames;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link MicrometerObserver} on the in-memory transport, and its registration for ServiceLoader. */
class InMemoryMicrometerTest extends MicrometerObserverScenarios {

    @Override
    String transport() {
        return InMemoryTransportProvider.NAME;
    }

    @Override
    MqConfig config() {
        return MqConfig.defaults().toBuilder()
                .consumer(c -> c.autoOffsetReset("earliest").autoCommitIntervalMs(200))
                .build();
    }

    @Override
    Message failingMessage(String topic) {
        return Message.of("not a topic name!", "k", "refused: Kafka allows no spaces or '!' in topic names");
    }

    @Override
    boolean bindsClientMetrics() {
        return false;
    }

    @Test
    @DisplayName("on the class path it is enough: the automatic instance records into Metrics.globalRegistry, and"
            + " -Dgochat.mq.micrometer.global=false keeps it out")
    void automaticInstanceUsesTheGlobalRegistry() {
        SimpleMeterRegistry global = new SimpleMeterRegistry();
        Metrics.addRegistry(global);
        try {
            String topic = TestNames.topic("global");
            try (Producer producer = Mq.newProducer(SERVICE, Option.withTransport(transport()), Option.withConfig(config()))) {
                producer.sendSync(Message.of(topic, "k", "v"));
                producer.sendSync(Message.of(topic, "k", "v"));
            }
            // the meters leave with the producer: read them through a second, still open producer
            try (Producer open = Mq.newProducer(SERVICE, Option.withTransport(transport()), Option.withConfig(config()))) {
                open.sendSync(Message.of(topic, "k", "v"));
                assertThat(count(Search.in(global).name("mq.send").tags("service", SERVICE, "topic", topic)))
                        .as("sends seen by the automatic instance").isEqualTo(1);

                System.setProperty(MicrometerObserver.GLOBAL_PROPERTY, "false");
                try (Producer off = Mq.newProducer(SERVICE, Option.withTransport(transport()), Option.withConfig(config()))) {
                    off.sendSync(Message.of(topic, "k", "v"));
                } finally {
                    System.clearProperty(MicrometerObserver.GLOBAL_PROPERTY);
                }
                assertThat(count(Search.in(global).name("mq.send").tags("service", SERVICE, "topic", topic)))
                        .as("sends counted after one from a producer created with the property false").isEqualTo(1);
            }
            assertThat(global.find("mq.send").meters()).as("mq.send once every producer closed").isEmpty();
        } finally {
            Metrics.removeRegistry(global);
        }
    }
}
