package io.gochat.mq.kafka;

import io.gochat.mq.AdminClient;
import io.gochat.mq.MqException;
import io.gochat.mq.MqTimeoutException;
import io.gochat.mq.spi.ApiPreconditions;
import io.gochat.mq.spi.ClientSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link AdminClient} on Kafka's {@link Admin}. Thread-safe (Kafka's admin client is). Every call
 * is bounded by {@code default.api.timeout.ms} (60 s unless set in {@code common.properties}).
 */
final class KafkaMqAdmin implements AdminClient {
    private final Logger log;
    private final KafkaClient<Admin> kafka;
    private final Admin admin;
    private final long timeoutMs;
    private volatile boolean closed;

    KafkaMqAdmin(ClientSpec spec) {
        this.log = spec.logger("admin");
        this.kafka = KafkaClient.create(spec, "admin", KafkaProperties.admin(spec.config(), spec.clientId()),
                Admin::create, log, null);
        this.admin = kafka.client();
        this.timeoutMs = KafkaProperties.intProperty(kafka.properties(), "default.api.timeout.ms", KafkaProperties.DEFAULT_API_TIMEOUT_MS);
    }

    @Override
    public void createTopic(String topic, int partitions, int replicationFactor) {
        ApiPreconditions.checkCreateTopic(topic, partitions, replicationFactor);
        if (replicationFactor > Short.MAX_VALUE) {
            throw new IllegalArgumentException("replicationFactor of topic " + topic + ": expected at most "
                    + Short.MAX_VALUE + " but was " + replicationFactor);
        }
        if (closed) {
            throw new io.gochat.mq.MqClosedException("createTopic " + topic + " failed: the admin client is closed");
        }
        String what = "createTopic " + topic + " (partitions=" + partitions + ", replicationFactor=" + replicationFactor + ")";
        kafka.requireReachableOnce(() -> what);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        try {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) replicationFactor)))
                    .all().get(timeoutMs, TimeUnit.MILLISECONDS);
            log.atInfo().setMessage("topic created").addKeyValue("topic", topic)
                    .addKeyValue("partitions", partitions).addKeyValue("replicationFactor", replicationFactor).log();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TopicExistsException) {
                log.atInfo().setMessage("topic already exists; left as it is").addKeyValue("topic", topic)
                        .addKeyValue("requestedPartitions", partitions).log();
            } else {
                throw failure(what, cause);
            }
        } catch (TimeoutException e) {
            throw new MqTimeoutException(what + " got no answer within default.api.timeout.ms=" + timeoutMs
                    + " ms from the brokers " + kafka.properties().get("bootstrap.servers"), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MqException(what + " was interrupted", e);
        }
        awaitServed(topic, what, deadline);
    }

    /**
     * Until every partition's leader serves it, so that clients can use the topic at once.
     *
     * <p>A leader named in the metadata is not enough: the broker announces it a moment before its
     * replica manager serves the partition. An idempotent producer whose first request lands in
     * that window gets {@code NOT_LEADER_OR_FOLLOWER}; if its next request to the partition then
     * succeeds, every retry of the first one fails with {@code OUT_OF_ORDER_SEQUENCE_NUMBER} until
     * {@code delivery.timeout.ms} expires the batch (KAFKA-14359 / KAFKA-15591, open in the 4.x
     * clients). {@code ListOffsets} is answered by the replica manager itself, so once it succeeds
     * on every partition, produce requests do too.
     */
    private void awaitServed(String topic, String what, long deadline) {
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new MqTimeoutException(what + ": created, but not every partition was served by its leader within "
                        + "default.api.timeout.ms=" + timeoutMs + " ms");
            }
            try {
                TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(left, TimeUnit.MILLISECONDS).get(topic);
                if (d != null && d.partitions().stream().map(TopicPartitionInfo::leader).allMatch(l -> l != null && !l.isEmpty())) {
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    for (TopicPartitionInfo p : d.partitions()) {
                        latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
                    }
                    left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                    admin.listOffsets(latest).all().get(left, TimeUnit.MILLISECONDS);
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)) {
                    throw failure(what, e.getCause());
                }
            } catch (TimeoutException e) {
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MqException(what + " was interrupted", e);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(Math.min(50, left)); // metadata propagation: poll, briefly
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MqException(what + " was interrupted", e);
            }
        }
    }

    private MqException failure(String what, Throwable cause) {
        MqException security = KafkaErrors.security(cause, kafka.properties(), what);
        if (security != null) {
            return security;
        }
        if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            return new MqTimeoutException(what + " got no answer within default.api.timeout.ms=" + timeoutMs
                    + " ms from the brokers " + kafka.properties().get("bootstrap.servers") + ": " + cause.getMessage(), cause);
        }
        return new MqException(what + " refused by the broker: " + KafkaErrors.describe(cause), cause);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            admin.close(Duration.ofMillis(Math.min(timeoutMs, 30_000)));
        } finally {
            kafka.releaseId();
        }
        log.atInfo().setMessage("kafka admin client closed").addKeyValue("clientId", kafka.id()).log();
    }
}
