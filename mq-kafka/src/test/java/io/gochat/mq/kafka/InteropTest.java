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
import io.gochat.mq.testkit.kafka.RawRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What the library writes, plain Kafka clients read the same, and the other way round. */
class InteropTest {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

    private static final byte[] BINARY = {0, 1, 2, (byte) 0xff, (byte) 0x80};

    private static MqConfig config() {
        return KafkaFixture.testConfig(KAFKA.broker());
    }

    private static String topic(int partitions) {
        String topic = TestNames.topic("interop");
        try (AdminClient admin = Mq.newAdminClient("interop", Option.withTransport("kafka"), Option.withConfig(config()))) {
            admin.createTopic(topic, partitions, 1);
        }
        return topic;
    }

    @Test
    @DisplayName("a plain KafkaConsumer reads what the library sent: same key, value, headers, and the partition Kafka's own producer picks")
    void plainConsumerReadsLibraryMessages() throws Exception {
        String topic = topic(6);
        List<String> keys = IntStream.range(0, 12).mapToObj(i -> "user-" + i).collect(Collectors.toList());
        try (Producer producer = Mq.newProducer("interop", Option.withTransport("kafka"), Option.withConfig(config()))) {
            for (String key : keys) {
                producer.sendSync(Message.builder(topic).key(key).value(BINARY).header("trace_id", "t-" + key)
                        .header("bin", BINARY).header("empty", new byte[0]).header("nothing", (byte[]) null).build());
            }
        }
        Map<String, Integer> rawPartitions = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(KAFKA.broker().clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String key : keys) {
                // same key into a scratch topic of the same partition count: where would plain Kafka put it?
                RecordMetadata m = raw.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), null))
                        .get(30, TimeUnit.SECONDS);
                rawPartitions.put(key, m.partition());
            }
        }

        List<ConsumerRecord<byte[], byte[]>> records = RawRecords.readAll(KAFKA.broker(), topic, 6, keys.size() * 2);
        List<ConsumerRecord<byte[], byte[]>> ours = records.stream().filter(r -> r.value() != null).collect(Collectors.toList());

        assertThat(ours).hasSize(keys.size());
        for (ConsumerRecord<byte[], byte[]> r : ours) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            assertThat(r.value()).isEqualTo(BINARY);
            assertThat(r.partition()).as("partition of %s", key).isEqualTo(rawPartitions.get(key));
            Map<String, byte[]> headers = new HashMap<>();
            for (Header h : r.headers()) {
                headers.put(h.key(), h.value());
            }
            assertThat(headers).containsOnlyKeys("trace_id", "bin", "empty", "nothing");
            assertThat(headers.get("trace_id")).isEqualTo(("t-" + key).getBytes(StandardCharsets.UTF_8));
            assertThat(headers.get("bin")).isEqualTo(BINARY);
            assertThat(headers.get("empty")).isEmpty();
            assertThat(headers.get("nothing")).isNull();
        }
        assertThat(ours.stream().map(r -> r.partition()).distinct().count()).as("keys spread over partitions").isGreaterThan(1);
    }

    @Test
    @DisplayName("keys land on the partitions other languages' murmur2 partitioners compute (librdkafka's murmur2_random"
            + " test vectors, 17 partitions): murmur2 of the key bytes, high bit cleared, mod the partition count")
    void keysLandWhereMurmur2PartitionersPutThem() {
        // masked murmur2 hashes from librdkafka's tests/0048-partitioner.c, as kafka-go's
        // Murmur2Balancer test repeats them; the partition is the hash mod the partition count
        Map<String, Integer> maskedMurmur2 = Map.of(
                "", 0x106e08d9,
                "23456", 0x058d780f,
                "this is another string with more length to it perhaps", 0x4f7703da,
                "hejsan", 0x5ec19395);
        int partitions = 17;
        String topic = topic(partitions);
        try (Producer producer = Mq.newProducer("interop", Option.withTransport("kafka"), Option.withConfig(config()))) {
            for (String key : maskedMurmur2.keySet()) {
                producer.sendSync(Message.of(topic, key, "v"));
            }
        }

        List<ConsumerRecord<byte[], byte[]>> records = RawRecords.readAll(KAFKA.broker(), topic, partitions, maskedMurmur2.size());

        assertThat(records).hasSize(maskedMurmur2.size());
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            assertThat(r.partition()).as("partition of key [%s]", key).isEqualTo(maskedMurmur2.get(key) % partitions);
        }
    }

    @Test
    @DisplayName("the library consumes what a plain KafkaProducer sent, headers, partition, offset and timestamp intact")
    void libraryReadsPlainProducerMessages() throws Exception {
        String topic = topic(3);
        long timestamp = 1_700_000_000_000L;
        List<RecordMetadata> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(KAFKA.broker().clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 9; i++) {
                RecordHeaders headers = new RecordHeaders();
                headers.add("trace_id", ("trace-" + i).getBytes(StandardCharsets.UTF_8));
                headers.add("bin", BINARY);
                sent.add(raw.send(new ProducerRecord<>(topic, null, timestamp + i, ("k" + i).getBytes(StandardCharsets.UTF_8),
                        ("v" + i).getBytes(StandardCharsets.UTF_8), headers)).get(30, TimeUnit.SECONDS));
            }
            sent.add(raw.send(new ProducerRecord<>(topic, 0, null, (byte[]) null)).get(30, TimeUnit.SECONDS));
        }

        List<Message> got = new CopyOnWriteArrayList<>();
        Consumer consumer = Mq.newConsumer("interop", TestNames.group("interop"), Option.withTransport("kafka"),
                Option.withConfig(config().toBuilder().consumer(c -> c.autoOffsetReset("earliest")).build()));
        Thread loop = new Thread(() -> consumer.subscribe(List.of(topic), got::add), "interop-consumer");
        loop.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> got.size() >= 10);
        } finally {
            consumer.close();
            loop.join(60_000);
        }

        assertThat(got).hasSize(10);
        for (int i = 0; i < 9; i++) {
            String key = "k" + i;
            Message m = got.stream().filter(x -> key.equals(x.keyAsString())).findFirst().orElseThrow();
            RecordMetadata where = sent.get(i);
            assertThat(m.topic()).isEqualTo(topic);
            assertThat(m.valueAsString()).isEqualTo("v" + i);
            assertThat(m.traceId()).isEqualTo("trace-" + i);
            assertThat(m.header("bin")).isEqualTo(BINARY);
            assertThat(m.partition()).isEqualTo(where.partition());
            assertThat(m.offset()).isEqualTo(where.offset());
            assertThat(m.timestamp()).isEqualTo(timestamp + i);
        }
        Message tombstone = got.stream().filter(x -> x.key() == null).findFirst().orElseThrow();
        assertThat(tombstone.value()).isNull();
        assertThat(tombstone.partition()).isZero();
        assertThat(loop.isAlive()).as("subscribe returned after close").isFalse();
    }
}
