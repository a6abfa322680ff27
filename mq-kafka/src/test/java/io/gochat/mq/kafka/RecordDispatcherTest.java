package io.gochat.mq.kafka;

import io.gochat.mq.Message;
import io.gochat.mq.spi.CallbackRunner;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The record dispatching of the Kafka consumer, on records built in memory: no broker. */
class RecordDispatcherTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    private final List<String> seen = new ArrayList<>();
    private final Map<TopicPartition, OffsetAndMetadata> processed = new LinkedHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition tp, long offset, String value) {
        return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, 1_000L + offset, TimestampType.CREATE_TIME,
                -1, value.length(), null, value.getBytes(StandardCharsets.UTF_8), new RecordHeaders(), Optional.of(4));
    }

    private static ConsumerRecords<byte[], byte[]> records(Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> map) {
        return new ConsumerRecords<>(map, Map.of());
    }

    private boolean dispatch(ConsumerRecords<byte[], byte[]> records, java.util.function.Consumer<Message> callback) {
        try (CallbackRunner.ConsumeLoop loop = CallbackRunner.ConsumeLoop.start(message -> {
            seen.add(message.partition() + "@" + message.offset());
            callback.accept(message);
        }, LoggerFactory.getLogger(RecordDispatcherTest.class))) {
            return new RecordDispatcher(loop, processed::put, stop::get).dispatch(records);
        }
    }

    private static Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> twoPartitions() {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> map = new LinkedHashMap<>();
        map.put(P0, List.of(record(P0, 10, "a"), record(P0, 11, "b"), record(P0, 12, "c")));
        map.put(P1, List.of(record(P1, 5, "x"), record(P1, 6, "y")));
        return map;
    }

    @Test
    @DisplayName("runs every callback, partition by partition in offset order, and reports per partition the offset after its last record, with its leader epoch")
    void dispatchesInOrderAndReportsProgress() {
        assertThat(dispatch(records(twoPartitions()), m -> { })).isTrue();
        assertThat(seen).containsExactly("0@10", "0@11", "0@12", "1@5", "1@6");
        assertThat(processed).containsExactly(
                Map.entry(P0, new OffsetAndMetadata(13, Optional.of(4), "")),
                Map.entry(P1, new OffsetAndMetadata(7, Optional.of(4), "")));
    }

    @Test
    @DisplayName("a callback that throws still counts as processed")
    void throwingCallbackCountsAsProcessed() {
        assertThat(dispatch(records(twoPartitions()), m -> {
            throw new IllegalStateException("boom");
        })).isTrue();
        assertThat(seen).hasSize(5);
        assertThat(processed.get(P0).offset()).isEqualTo(13);
    }

    @Test
    @DisplayName("a stop requested during a callback ends the dispatch before the next record; only what ran is reported")
    void stopsBeforeTheNextRecord() {
        boolean completed = dispatch(records(twoPartitions()), m -> {
            if (m.offset() == 11) {
                stop.set(true);
            }
        });
        assertThat(completed).isFalse();
        assertThat(seen).containsExactly("0@10", "0@11");
        assertThat(processed).containsExactly(Map.entry(P0, new OffsetAndMetadata(12, Optional.of(4), "")));
    }

    @Test
    @DisplayName("a callback that fails because its thread was interrupted is not processed, and nothing after it runs")
    void interruptedFailureIsACancellation() {
        boolean completed = dispatch(records(twoPartitions()), m -> {
            if (m.offset() == 11) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted I/O");
            }
        });
        assertThat(completed).isFalse();
        assertThat(Thread.currentThread().isInterrupted()).as("the interrupt flag is kept").isTrue();
        assertThat(seen).containsExactly("0@10", "0@11");
        assertThat(processed).containsExactly(Map.entry(P0, new OffsetAndMetadata(11, Optional.of(4), "")));
    }

    @Test
    @DisplayName("an interrupt of a callback that returns normally ends the dispatch after that message, which counts as processed")
    void interruptAfterSuccessStopsBeforeTheNext() {
        boolean completed = dispatch(records(twoPartitions()), m -> {
            if (m.offset() == 12) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(completed).isFalse();
        assertThat(seen).containsExactly("0@10", "0@11", "0@12");
        assertThat(processed).containsExactly(Map.entry(P0, new OffsetAndMetadata(13, Optional.of(4), "")));
    }

    @Test
    @DisplayName("a message keeps the record's headers in their order (a repeated name: the last value), its stored timestamp, partition and offset")
    void messageFromRecord() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("b", new byte[] {1});
        headers.add("A", new byte[] {2});
        headers.add("b", new byte[] {3});
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("t", 1, 42, 1_234L, TimestampType.CREATE_TIME,
                1, 1, new byte[] {'k'}, new byte[] {'v'}, headers, Optional.empty());
        Message message = RecordDispatcher.message(record);
        assertThat(message.headers().keySet()).containsExactly("b", "A");
        assertThat(message.headers().get("b")).containsExactly(3);
        assertThat(message.timestamp()).isEqualTo(1_234L);
        assertThat(message.partition()).isEqualTo(1);
        assertThat(message.offset()).isEqualTo(42);
        assertThat(message.topic()).isEqualTo("t");
    }
}
