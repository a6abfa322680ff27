package io.gochat.mq.testkit.kafka;

import io.gochat.mq.config.MqConfig;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A PLAINTEXT broker the test environment runs, named by {@code KAFKA_BOOTSTRAP_SERVERS}. Not stopped by tests. */
final class ExternalKafkaBroker implements KafkaBroker {
    private final String bootstrap;

    ExternalKafkaBroker(String bootstrap) {
        List<String> brokers = brokers(bootstrap);
        if (brokers.isEmpty()) {
            throw new IllegalArgumentException(KafkaBrokers.BOOTSTRAP_ENV + ": expected host:port[,host:port] but was [" + bootstrap + "]");
        }
        this.bootstrap = String.join(",", brokers);
    }

    private static List<String> brokers(String bootstrap) {
        return Arrays.stream(bootstrap.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toList());
    }

    @Override
    public String bootstrapServers() {
        return bootstrap;
    }

    @Override
    public MqConfig config() {
        return MqConfig.builder().source(KafkaBrokers.BOOTSTRAP_ENV + "=" + bootstrap)
                .common(c -> c.brokers(brokers(bootstrap))).build();
    }

    @Override
    public Map<String, Object> clientProperties() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("bootstrap.servers", bootstrap);
        return props;
    }

    @Override
    public String description() {
        return "external broker " + bootstrap + " (" + KafkaBrokers.BOOTSTRAP_ENV + ")";
    }

    @Override
    public void close() {
    }
}
