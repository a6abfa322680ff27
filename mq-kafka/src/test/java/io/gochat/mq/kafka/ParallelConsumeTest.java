package io.gochat.mq.kafka;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.TestNames;
import io.gochat.mq.testkit.kafka.KafkaBrokerExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Parallel consumption (consumer.concurrency > 1) on a real broker. */
class ParallelConsumeTest {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

    @Test
    @DisplayName("max.poll.interval.ms 10 s and one 30 s callback: no rebalance, the member stays, every other message is processed and committed meanwhile")
    void longCallbackDoesNotEvict() throws Exception {
        String topic = TestNames.topic("long-callback");
        String group = TestNames.group("long-callback");
        MqConfig config = KafkaFixture.testConfig(KAFKA.broker()).toBuilder()
                .consumer(c -> c.autoOffsetReset("earliest").autoCommitIntervalMs(200).concurrency(8)
                        .property("max.poll.interval.ms", "10000"))
                .build();
        try (AdminClient admin = Mq.newAdminClient("long", Option.withTransport("kafka"), Option.withConfig(config))) {
            admin.createTopic(topic, 3, 1);
        }
        try (Producer producer = Mq.newProducer("long", Option.withTransport("kafka"), Option.withConfig(config))) {
            producer.sendSync(Message.of(topic, "slow-user", "slow"));
            for (int i = 0; i < 300; i++) {
                producer.sendSync(Message.of(topic, "user-" + i, "m-" + i));
            }
        }
        Logger logger = (Logger) LoggerFactory.getLogger("io.gochat.test.parallel." + group);
        logger.setLevel(Level.INFO);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);

        Set<String> handled = ConcurrentHashMap.newKeySet();
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch slowDone = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Consumer consumer = Mq.newConsumer("long", group, Option.withTransport("kafka"), Option.withConfig(config),
                Option.withLogger(logger));
        Thread loop = new Thread(() -> consumer.subscribe(List.of(topic), m -> {
            if ("slow".equals(m.valueAsString())) {
                slowStarted.countDown();
                // the slow handler under test: 30 s of work, three times max.poll.interval.ms
                assertThat(never.await(30, TimeUnit.SECONDS)).isFalse();
                slowDone.countDown();
            }
            handled.add(m.valueAsString());
        }), "long-callback-subscriber");
        loop.start();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.broker().bootstrapServers()))) {
            assertThat(slowStarted.await(60, TimeUnit.SECONDS)).isTrue();
            await("every other message handled while the slow one runs").atMost(Duration.ofSeconds(20))
                    .until(() -> handled.size() == 300);
            assertThat(slowDone.getCount()).as("the slow callback still running").isEqualTo(1);
            String member = onlyMember(admin, group);
            TopicPartition slowPartition = partitionOfKey(topic, "slow-user", 3);
            await("the other partitions committed to their end").atMost(Duration.ofSeconds(20))
                    .until(() -> committed(admin, group).entrySet().stream()
                            .filter(e -> !e.getKey().equals(slowPartition))
                            .mapToLong(Map.Entry::getValue).sum() == 300 - countOfPartition(topic, slowPartition, 3));

            assertThat(slowDone.await(60, TimeUnit.SECONDS)).isTrue();
            await("the slow partition committed past the slow message").atMost(Duration.ofSeconds(20))
                    .until(() -> committed(admin, group).values().stream().mapToLong(Long::longValue).sum() == 301);
            assertThat(onlyMember(admin, group)).as("the same member, never evicted").isEqualTo(member);
        } finally {
            consumer.close();
            loop.join(60_000);
            logger.detachAppender(events);
        }
        List<String> messages = events.list.stream().map(ILoggingEvent::getMessage).collect(Collectors.toList());
        assertThat(messages).as("consumer log").noneMatch(m -> m.contains("partitions lost"))
                .filteredOn(m -> m.contains("partitions revoked")).as("revocations before close").hasSizeLessThanOrEqualTo(1);
        assertThat(messages.stream().filter(m -> m.contains("partitions assigned")).count()).as("assignments").isEqualTo(1);
        assertThat(handled).hasSize(301);
    }

    /** The consumer id of the group's one member; fails when it has not exactly one. */
    static String onlyMember(Admin admin, String group) throws Exception {
        ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all()
                .get(10, TimeUnit.SECONDS).get(group);
        assertThat(description.members()).as("members of %s", group).hasSize(1);
        MemberDescription member = description.members().iterator().next();
        return member.consumerId();
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        return offsets.entrySet().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    /** Where Kafka's default partitioner puts {@code key}. */
    static TopicPartition partitionOfKey(String topic, String key, int partitions) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        return new TopicPartition(topic, Utils.toPositive(Utils.murmur2(bytes)) % partitions);
    }

    private static long countOfPartition(String topic, TopicPartition partition, int partitions) {
        long n = 0;
        for (int i = 0; i < 300; i++) {
            if (partitionOfKey(topic, "user-" + i, partitions).equals(partition)) {
                n++;
            }
        }
        return n;
    }
}
