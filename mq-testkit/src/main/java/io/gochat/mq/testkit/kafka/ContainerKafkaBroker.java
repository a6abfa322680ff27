package io.gochat.mq.testkit.kafka;

import io.gochat.mq.config.MqConfig;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A broker in a Docker container (Testcontainers' Kafka module, KRaft image). Used where a Docker
 * engine answers and no in-process broker is available or {@code MQ_TESTKIT_KAFKA=testcontainers}
 * asks for it. Only this class touches Testcontainers, so the dependency stays optional.
 */
final class ContainerKafkaBroker implements KafkaBroker {
    /** The image; override with the system property {@code mq.testkit.kafka.image}. */
    static final String DEFAULT_IMAGE = "apache/kafka:3.9.1";

    private final KafkaContainer container;

    private ContainerKafkaBroker(KafkaContainer container) {
        this.container = container;
    }

    static boolean dockerAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    @SuppressWarnings("resource") // closed in close()
    static ContainerKafkaBroker launch() {
        KafkaContainer container = new KafkaContainer(System.getProperty("mq.testkit.kafka.image", DEFAULT_IMAGE))
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
        container.start();
        return new ContainerKafkaBroker(container);
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers().replace("PLAINTEXT://", "");
    }

    @Override
    public MqConfig config() {
        return MqConfig.builder().source("testcontainers " + container.getDockerImageName())
                .common(c -> c.brokers(List.of(bootstrapServers().split(",")))).build();
    }

    @Override
    public Map<String, Object> clientProperties() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("bootstrap.servers", bootstrapServers());
        return props;
    }

    @Override
    public String description() {
        return "Testcontainers broker " + container.getDockerImageName() + " at " + bootstrapServers();
    }

    @Override
    public void close() {
        container.stop();
    }
}
