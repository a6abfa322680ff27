package io.gochat.mq.micrometer;

import io.gochat.mq.Message;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.RecordingConsumer;
import io.gochat.mq.testkit.TestNames;
import io.gochat.mq.testkit.kafka.KafkaBrokerExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link MicrometerObserver} on the Kafka transport against a real in-process broker. */
class KafkaMicrometerTest extends MicrometerObserverScenarios {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

    @Override
    String transport() {
        return "kafka";
    }

    @Override
    MqConfig config() {
        return KAFKA.broker().config().toBuilder()
                .consumer(c -> c.autoOffsetReset("earliest").autoCommitIntervalMs(200).sessionTimeoutMs(6000)
                        .heartbeatIntervalMs(1000))
                .producer(p -> p.lingerMs(1).property("max.request.size", "100000"))
                .build();
    }

    @Override
    Message failingMessage(String topic) {
        return Message.of(topic, "big".getBytes(), new byte[200_000]); // above max.request.size: refused by the client
    }

    @Override
    boolean bindsClientMetrics() {
        return true;
    }

    @Override
    Duration timeout() {
        return Duration.ofSeconds(90);
    }

    @Test
    @DisplayName("mq.consumer.lag agrees within one message with the committed lag a plain Admin reads (log end minus"
            + " committed offset) while the consumer stands still mid-stream, and reaches 0 once it goes on")
    void committedLagMatchesAdmin() throws Exception {
        String topic = createTopic("lag", 2);
        MicrometerObserver observer = new MicrometerObserver(registry);
        Producer producer = producer(observer);
        sendKeyed(producer, topic, "k-", 40);
        String group = TestNames.group("lag");
        CountDownLatch release = new CountDownLatch(1);
        // several callbacks at once: the loop goes on committing what is processed while one key waits
        RecordingConsumer recording = record(consumer(group, observer, c -> c.consumer(cc -> cc.concurrency(4))), topic,
                message -> {
                    if ("v-20".equals(message.valueAsString())) {
                        release.await(timeout().toMillis(), TimeUnit.MILLISECONDS);
                    }
                });
        // v-30 has v-20's key: it waits behind it; every other message is handed over
        recording.awaitCount(39, timeout());
        Message blocked = recording.received(m -> "v-20".equals(m.valueAsString())).get(0);
        try (Admin admin = Admin.create(KAFKA.broker().clientProperties())) {
            Map<Integer, Long> ends = logEnds(admin, topic, 2);
            await("the group's commits to reach the blocked message and every other partition's end").until(() -> {
                Map<Integer, Long> committed = committed(admin, group, topic);
                return ends.keySet().stream().allMatch(p -> committed.getOrDefault(p, -1L)
                        == (p == blocked.partition() ? blocked.offset() : ends.get(p)));
            });
            long adminLag = adminLag(admin, group, topic, ends);
            assertThat(adminLag).as("committed lag read by Admin: v-20 and what follows it in its partition").isGreaterThanOrEqualTo(2);
            await("mq.consumer.lag to agree with Admin's " + adminLag)
                    .until(() -> Math.abs(gauge("mq.consumer.lag") - adminLag) <= 1);
            assertThat(registry.get("mq.consumer.lag").gauge().getId().getTag("topic")).isEqualTo(topic);

            release.countDown();
            recording.awaitCount(40, timeout());
            await("Admin's committed lag 0").until(() -> adminLag(admin, group, topic, ends) == 0);
            await("mq.consumer.lag 0").until(() -> gauge("mq.consumer.lag") == 0);
        } finally {
            release.countDown();
        }
    }

    private static Map<Integer, Long> logEnds(Admin admin, String topic, int partitions)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<Integer, Long> ends = new HashMap<>();
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e
                : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet()) {
            ends.put(e.getKey().partition(), e.getValue().offset());
        }
        return ends;
    }

    private static Map<Integer, Long> committed(Admin admin, String group, String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<Integer, Long> committed = new HashMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).entrySet()) {
            if (e.getValue() != null && e.getKey().topic().equals(topic)) {
                committed.put(e.getKey().partition(), e.getValue().offset());
            }
        }
        return committed;
    }

    /** What kafka-consumer-groups --describe sums: log end minus committed offset, per partition. */
    private static long adminLag(Admin admin, String group, String topic, Map<Integer, Long> ends)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<Integer, Long> committed = committed(admin, group, topic);
        long lag = 0;
        for (Map.Entry<Integer, Long> end : ends.entrySet()) {
            lag += end.getValue() - committed.getOrDefault(end.getKey(), 0L);
        }
        return lag;
    }
}
