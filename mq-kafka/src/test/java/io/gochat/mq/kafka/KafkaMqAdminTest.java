package io.gochat.mq.kafka;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.testkit.TestNames;
import io.gochat.mq.testkit.kafka.KafkaBrokerExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code createTopic} of the Kafka transport against the shared real broker. */
class KafkaMqAdminTest {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

    private static final int PARTITIONS = 8;

    @Test
    @DisplayName("createTopic returns only once every partition is served: ListOffsets without retries answers at once")
    void createTopicWaitsUntilPartitionsAreServed() throws Exception {
        try (AdminClient admin = Mq.newAdminClient("admin-ready", Option.withTransport("kafka"),
                     Option.withConfig(KAFKA.broker().config()));
             Admin probe = noRetryAdmin()) {
            // several topics: the window between "leader in the metadata" and "partition served"
            // is short, each new topic is another chance to land in it
            for (int round = 0; round < 5; round++) {
                String topic = TestNames.topic("admin-ready");
                admin.createTopic(topic, PARTITIONS, 1);

                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> offsets =
                        probe.listOffsets(latest(topic)).all().get(30, TimeUnit.SECONDS);
                assertThat(offsets).as("partitions of %s answering ListOffsets", topic).hasSize(PARTITIONS);
                assertThat(offsets.values()).allSatisfy(info -> assertThat(info.offset()).isZero());
            }
        }
    }

    @Test
    @DisplayName("createTopic on a topic created elsewhere a moment ago also returns once it is served")
    void existingTopicIsAwaitedToo() throws Exception {
        String topic = TestNames.topic("admin-existing");
        try (Admin raw = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.broker().bootstrapServers()));
             AdminClient admin = Mq.newAdminClient("admin-existing", Option.withTransport("kafka"),
                     Option.withConfig(KAFKA.broker().config()));
             Admin probe = noRetryAdmin()) {
            raw.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
            admin.createTopic(topic, 3, 1);

            assertThat(probe.listOffsets(latest(topic)).all().get(30, TimeUnit.SECONDS))
                    .as("the existing topic keeps its %s partitions, all served", PARTITIONS).hasSize(PARTITIONS);
        }
    }

    /** An admin client that fails on the first retriable error instead of retrying it. */
    private static Admin noRetryAdmin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.broker().bootstrapServers(),
                AdminClientConfig.RETRIES_CONFIG, 0));
    }

    private static Map<TopicPartition, OffsetSpec> latest(String topic) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return request;
    }
}
