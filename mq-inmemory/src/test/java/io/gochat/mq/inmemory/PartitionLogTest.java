package io.gochat.mq.inmemory;

import io.gochat.mq.Message;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Partition log")
class PartitionLogTest {

    @Test
    @DisplayName("gives offsets from 0 and hands out messages with partition, offset and timestamp")
    void offsetsFromZero() {
        PartitionLog log = new PartitionLog("t", 3, 100, Long.MAX_VALUE);
        Message sent = Message.builder("t").key("k").value("v").header("h", "x").build();

        assertThat(log.append(sent, 1000L)).isZero();
        assertThat(log.append(sent, 1001L)).isEqualTo(1);

        Message stored = log.messages().get(1);
        assertThat(stored.topic()).isEqualTo("t");
        assertThat(stored.partition()).isEqualTo(3);
        assertThat(stored.offset()).isEqualTo(1);
        assertThat(stored.timestamp()).isEqualTo(1001L);
        assertThat(stored.keyAsString()).isEqualTo("k");
        assertThat(stored.valueAsString()).isEqualTo("v");
        assertThat(stored.headerAsString("h")).isEqualTo("x");
        assertThat(sent.offset()).as("the sender's message is not changed").isEqualTo(-1);
    }

    @Test
    @DisplayName("keeps bytes exactly: null and empty key and value, binary and null header values, UTF-8 names")
    void bytesRoundTrip() {
        PartitionLog log = new PartitionLog("t", 0, 100, Long.MAX_VALUE);
        byte[] binary = {0, -1, 127, -128};
        List<Message> sent = List.of(
                Message.of("t", (byte[]) null, (byte[]) null),
                Message.of("t", new byte[0], new byte[0]),
                Message.builder("t").key(binary).value(binary)
                        .header("bin", binary).header("null", (byte[]) null).header("émpty-名", new byte[0]).build());
        sent.forEach(m -> log.append(m, 7));

        List<Message> got = log.messages();
        assertThat(got.get(0).key()).isNull();
        assertThat(got.get(0).value()).isNull();
        assertThat(got.get(0).headers()).isEmpty();
        assertThat(got.get(1).key()).isEmpty();
        assertThat(got.get(1).value()).isEmpty();
        assertThat(got.get(2).key()).isEqualTo(binary);
        assertThat(got.get(2).value()).isEqualTo(binary);
        assertThat(got.get(2).headers()).containsOnlyKeys("bin", "null", "émpty-名");
        assertThat(got.get(2).header("bin")).isEqualTo(binary);
        assertThat(got.get(2).header("null")).isNull();
        assertThat(got.get(2).header("émpty-名")).isEmpty();
        for (int i = 0; i < 3; i++) {
            assertThat(got.get(i).toBuilder().build()).isEqualTo(sent.get(i));
        }
    }

    @Test
    @DisplayName("keeps at most the retention count and moves the log-start offset forward")
    void retentionDropsOldest() {
        PartitionLog log = new PartitionLog("t", 0, 100, Long.MAX_VALUE);
        for (int i = 0; i < 1_000; i++) {
            log.append(Message.of("t", (String) null, "v" + i), i);
        }

        assertThat(log.startOffset()).isEqualTo(900);
        assertThat(log.endOffset()).isEqualTo(1_000);
        assertThat(log.messages()).extracting(Message::offset)
                .containsExactlyElementsOf(LongStream.range(900, 1_000).boxed().toList());
        assertThat(log.messages().get(0).valueAsString()).isEqualTo("v900");
    }

    @Test
    @DisplayName("keeps about the retention bytes, dropping whole chunks of the oldest messages")
    void byteRetention() {
        long bound = 64 * 1024;
        PartitionLog log = new PartitionLog("t", 0, 1_000_000, bound);
        byte[] value = new byte[100];
        for (int i = 0; i < 10_000; i++) {
            log.append(Message.of("t", (byte[]) null, value), i);
        }

        assertThat(log.retainedChunkBytes()).isBetween(bound - bound / 8, bound);
        long retained = log.endOffset() - log.startOffset();
        // 112 bytes per record: about 64 KiB / 112 minus at most one chunk (8 KiB)
        assertThat(retained).isBetween((bound - bound / 8) / 112 - 1, bound / 112);
        assertThat(log.messages()).hasSize((int) retained).first()
                .extracting(Message::offset).isEqualTo(log.startOffset());
    }

    @Test
    @DisplayName("keeps a message larger than a chunk, and keeps the newest message whatever the byte bound")
    void largeMessages() {
        PartitionLog log = new PartitionLog("t", 0, 1_000_000, 10);
        byte[] big = new byte[3 * PartitionLog.MAX_CHUNK];
        new Random(1).nextBytes(big);
        log.append(Message.of("t", (byte[]) null, big), 1);
        log.append(Message.of("t", "k", "small"), 2);
        log.append(Message.of("t", (byte[]) null, big), 3);

        assertThat(log.startOffset()).isEqualTo(2);
        assertThat(log.messages()).singleElement().satisfies(m -> {
            assertThat(m.offset()).isEqualTo(2);
            assertThat(m.value()).isEqualTo(big);
        });
    }

    @Test
    @DisplayName("fetches a batch from a position, nothing at the end, and out-of-range below the log start")
    void fetch() {
        PartitionLog log = new PartitionLog("t", 0, 10, Long.MAX_VALUE);
        for (int i = 0; i < 25; i++) {
            log.append(Message.of("t", (String) null, "v" + i), i);
        }
        byte[][] data = new byte[4][];
        int[] positions = new int[4];
        long[] timestamps = new long[4];

        assertThat(log.fetch(15, data, positions, timestamps)).isEqualTo(4);
        assertThat(timestamps).containsExactly(15, 16, 17, 18);
        Message third = log.decode(17, timestamps[2], data[2], positions[2]);
        assertThat(third.valueAsString()).isEqualTo("v17");
        assertThat(third.offset()).isEqualTo(17);
        assertThat(log.fetch(23, data, positions, timestamps)).isEqualTo(2);
        assertThat(log.decode(24, timestamps[1], data[1], positions[1]).valueAsString()).isEqualTo("v24");
        assertThat(log.fetch(25, data, positions, timestamps)).isZero();
        assertThat(log.fetch(14, data, positions, timestamps)).isEqualTo(PartitionLog.OUT_OF_RANGE);
    }

    @Test
    @DisplayName("keeps every message in order while index and chunks grow")
    void growsInOrder() {
        PartitionLog log = new PartitionLog("t", 0, 1_000_000, Long.MAX_VALUE);
        for (int i = 0; i < 50_000; i++) {
            log.append(Message.of("t", (String) null, Integer.toString(i)), i);
        }
        assertThat(log.startOffset()).isZero();
        List<Message> messages = log.messages();
        assertThat(messages).hasSize(50_000);
        for (int i = 0; i < messages.size(); i++) {
            assertThat(messages.get(i).valueAsString()).isEqualTo(Integer.toString(i));
        }
    }

    @Test
    @DisplayName("a retention of one keeps just the newest message")
    void retentionOfOne() {
        PartitionLog log = new PartitionLog("t", 0, 1, Long.MAX_VALUE);
        for (int i = 0; i < 5; i++) {
            log.append(Message.of("t", (String) null, "v" + i), i);
        }
        assertThat(log.messages()).singleElement().extracting(Message::valueAsString).isEqualTo("v4");
        assertThat(log.startOffset()).isEqualTo(4);
    }
}
