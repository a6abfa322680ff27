package io.gochat.mq.examples;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits until a new topic's partitions are served by their leader broker, not just named in its
 * metadata.
 *
 * <p>Why: a broker announces a new partition's leader in its metadata a moment before its replica
 * manager serves the partition. An idempotent producer whose first request lands in that window
 * gets {@code NOT_LEADER_OR_FOLLOWER}; if its next request to the partition then succeeds, every
 * retry of the first one fails with {@code OUT_OF_ORDER_SEQUENCE_NUMBER} until
 * {@code delivery.timeout.ms} expires it (Kafka bugs KAFKA-14359 / KAFKA-15591, open in the 4.x
 * clients used here). {@code ListOffsets} is answered by the replica manager itself, so once it
 * succeeds for every partition, produce requests do too.
 *
 * <p>Uses a Kafka admin client of its own (this is infrastructure of the demo and the benchmarks,
 * not a use of the library). Stateless; thread-safe.
 */
public final class PartitionReadiness {
    private PartitionReadiness() {
    }

    /**
     * Returns once every partition of {@code topic} on {@code bootstrapServers} answers
     * {@code ListOffsets}.
     *
     * @throws IllegalStateException if that does not happen within {@code timeout}
     */
    public static void await(String bootstrapServers, String topic, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> props = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "partition-readiness");
        Exception last = null;
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadline) {
                long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                try {
                    TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                            .get(left, TimeUnit.MILLISECONDS).get(topic);
                    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
                    for (TopicPartitionInfo p : description.partitions()) {
                        request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
                    }
                    admin.listOffsets(request).all().get(left, TimeUnit.MILLISECONDS);
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                    // Retriable until the deadline: the topic or its leaders are still being set up.
                    TimeUnit.MILLISECONDS.sleep(50);
                }
            }
        }
        throw new IllegalStateException("the partitions of topic " + topic + " at " + bootstrapServers
                + " were not served within " + timeout.toSeconds() + " s"
                + (last == null ? "" : ": " + (last.getCause() != null ? last.getCause() : last)));
    }
}
