package io.gochat.mq.kafka;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.TestNames;
import io.gochat.mq.testkit.kafka.KafkaBrokerExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Members joining and leaving while messages stream lose nothing. */
class RebalanceTest {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

    private static final Logger LOG = LoggerFactory.getLogger(RebalanceTest.class);
    private static final int CHUNK = 250;

    @Test
    @DisplayName("three members join and leave while 10,000 messages stream: nothing lost, duplicates only from rebalances")
    void churnWhileStreaming() throws Exception {
        churn(10_000, 1);
    }

    @Test
    @DisplayName("at concurrency 16, three members join and leave while 20,000 messages stream: nothing lost, committed offsets never go back")
    void churnWhileStreamingInParallel() throws Exception {
        churn(20_000, 16);
    }

    /**
     * Members A, B, C: A from the start, B joins at 20 % of the stream, C at 40 %, A leaves at 60 %,
     * B at 80 %. A plain Kafka Admin watches the group's committed offsets throughout: a commit
     * from a member for partitions it no longer owns would move one back.
     */
    private void churn(int messages, int concurrency) throws Exception {
        String topic = TestNames.topic("churn");
        String group = TestNames.group("churn");
        MqConfig config = KafkaFixture.testConfig(KAFKA.broker()).toBuilder()
                .consumer(c -> c.autoOffsetReset("earliest").autoCommitIntervalMs(300).concurrency(concurrency)
                        .maxPendingPerPartition(200)).build();
        try (AdminClient admin = Mq.newAdminClient("churn", Option.withTransport("kafka"), Option.withConfig(config))) {
            admin.createTopic(topic, 6, 1);
        }
        Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
        AtomicInteger handledTotal = new AtomicInteger();
        List<Throwable> subscribeErrors = new CopyOnWriteArrayList<>();
        List<Member> members = new ArrayList<>();

        AtomicInteger sent = new AtomicInteger();
        AtomicReference<Throwable> sendError = new AtomicReference<>();
        CommittedOffsetWatch watch = new CommittedOffsetWatch(KAFKA.broker().bootstrapServers(), group);
        try (Producer producer = Mq.newProducer("churn", Option.withTransport("kafka"), Option.withConfig(config))) {
            members.add(Member.start("A", group, topic, config, handled, handledTotal, subscribeErrors));
            for (int chunk = 0; chunk < messages / CHUNK; chunk++) {
                int done = chunk * CHUNK;
                // membership changes at fixed points of the stream
                if (done == messages / 5) {
                    members.add(Member.start("B", group, topic, config, handled, handledTotal, subscribeErrors));
                } else if (done == 2 * messages / 5) {
                    members.add(Member.start("C", group, topic, config, handled, handledTotal, subscribeErrors));
                } else if (done == 3 * messages / 5) {
                    members.get(0).close();
                } else if (done == 4 * messages / 5) {
                    members.get(1).close();
                }
                for (int i = done; i < done + CHUNK; i++) {
                    producer.send(Message.of(topic, "key-" + (i % 50), "m-" + i), e -> {
                        if (e != null) {
                            sendError.compareAndSet(null, e);
                        }
                        sent.incrementAndGet();
                    });
                }
                // flow control: keep the stream flowing while members change, not all of it up front
                int target = done + CHUNK;
                await("consumers to keep up with the stream").atMost(Duration.ofSeconds(120))
                        .pollInterval(Duration.ofMillis(10))
                        .until(() -> handledTotal.get() >= target - 4 * CHUNK || sendError.get() != null);
            }
        }
        assertThat(sendError.get()).as("send error").isNull();
        assertThat(sent).hasValue(messages);
        List<String> values = IntStream.range(0, messages).mapToObj(i -> "m-" + i).collect(Collectors.toList());
        try {
            await("every message handled").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                    .until(() -> values.stream().allMatch(handled::containsKey));
        } finally {
            members.get(2).close();
            watch.close();
        }
        for (Member m : members) {
            m.thread.join(60_000);
            assertThat(m.thread.isAlive()).as("subscribe of %s returned after close", m.name).isFalse();
        }
        int duplicates = handled.values().stream().mapToInt(n -> n.get() - 1).sum();
        System.out.println("rebalance test (concurrency " + concurrency + "): " + messages + " messages, 3 members joined and left, 0 lost, "
                + duplicates + " duplicates; per member " + members.stream().map(m -> m.name + "=" + m.count.get())
                .collect(Collectors.joining(", ")));
        LOG.atInfo().setMessage("rebalance test result").addKeyValue("duplicates", duplicates).log();

        assertThat(subscribeErrors).as("subscribe errors").isEmpty();
        assertThat(watch.readings()).as("committed offsets read while members changed").isPositive();
        assertThat(watch.wentBack()).as("committed offsets that went back (a stale member's commit)").isEmpty();
        assertThat(handled.keySet()).containsExactlyInAnyOrderElementsOf(values);
        assertThat(members).allSatisfy(m -> assertThat(m.count.get()).as("messages handled by %s", m.name).isPositive());
    }

    private static final class Member {
        final String name;
        final Consumer consumer;
        final Thread thread;
        final AtomicInteger count = new AtomicInteger();

        private Member(String name, Consumer consumer, Thread thread) {
            this.name = name;
            this.consumer = consumer;
            this.thread = thread;
        }

        static Member start(String name, String group, String topic, MqConfig config, Map<String, AtomicInteger> handled,
                            AtomicInteger total, List<Throwable> errors) {
            Consumer consumer = Mq.newConsumer("churn-" + name, group, Option.withTransport("kafka"), Option.withConfig(config));
            Member[] self = new Member[1];
            Thread thread = new Thread(() -> {
                try {
                    consumer.subscribe(List.of(topic), m -> {
                        if (handled.computeIfAbsent(m.valueAsString(), v -> new AtomicInteger()).incrementAndGet() == 1) {
                            total.incrementAndGet();
                        }
                        self[0].count.incrementAndGet();
                    });
                } catch (Throwable t) {
                    errors.add(t);
                }
            }, "member-" + name);
            self[0] = new Member(name, consumer, thread);
            thread.start();
            return self[0];
        }

        void close() {
            consumer.close();
        }
    }
}
