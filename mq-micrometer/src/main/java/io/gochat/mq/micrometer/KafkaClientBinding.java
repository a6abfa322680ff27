package io.gochat.mq.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Binds a Kafka client's own metrics with Micrometer's {@link KafkaClientMetrics}. The only class
 * that names Kafka's types: loaded only when kafka-clients is on the class path. Stateless.
 */
final class KafkaClientBinding {
    private KafkaClientBinding() {
    }

    /**
     * Kafka's metrics of {@code transportClient} bound to {@code registry}; closing the result removes
     * them. {@code null} when {@code transportClient} is not a Kafka producer, consumer or admin client.
     */
    static AutoCloseable bind(Object transportClient, MeterRegistry registry) {
        KafkaClientMetrics metrics;
        if (transportClient instanceof Producer<?, ?> producer) {
            metrics = new KafkaClientMetrics(producer);
        } else if (transportClient instanceof Consumer<?, ?> consumer) {
            metrics = new KafkaClientMetrics(consumer);
        } else if (transportClient instanceof AdminClient admin) {
            metrics = new KafkaClientMetrics(admin);
        } else {
            return null;
        }
        metrics.bindTo(registry);
        return metrics;
    }
}
