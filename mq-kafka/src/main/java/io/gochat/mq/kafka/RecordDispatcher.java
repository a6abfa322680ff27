package io.gochat.mq.kafka;

import io.gochat.mq.Message;
import io.gochat.mq.spi.CallbackRunner;
import io.gochat.mq.internal.MessageAccess;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * Runs the callbacks for what one poll returned, partition by partition in offset order, and
 * reports each partition's progress as processed. Stops before the next record once the consumer
 * is asked to stop or its thread is interrupted.
 *
 * <p>An interrupt is a cancellation: the rest of the batch is left for the next member, and so is a
 * message whose callback failed because of it (the callback runner logs it).
 *
 * <p><b>Threads:</b> the poll thread only, the one that started the {@link CallbackRunner.ConsumeLoop};
 * not thread-safe. Only the stop request it reads may change under it.
 */
final class RecordDispatcher {
    private final CallbackRunner.ConsumeLoop callbacks;
    private final BiConsumer<TopicPartition, OffsetAndMetadata> processed;
    private final BooleanSupplier stopRequested;

    /**
     * @param processed told, per partition, the offset to commit once the records before it are done
     * @param stopRequested whether the consumer was asked to stop
     */
    RecordDispatcher(CallbackRunner.ConsumeLoop callbacks, BiConsumer<TopicPartition, OffsetAndMetadata> processed,
                     BooleanSupplier stopRequested) {
        this.callbacks = callbacks;
        this.processed = processed;
        this.stopRequested = stopRequested;
    }

    /**
     * Runs the callbacks for {@code records}; false when stopped midway by a stop request or by an
     * interrupt of this thread.
     *
     * <p>Progress is reported once per partition, when its records are done or the dispatch stops
     * among them: nothing reads it while callbacks run (commits happen on this thread, between
     * polls), and an update per record was a tenth of the loop's own cost.
     */
    boolean dispatch(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            ConsumerRecord<byte[], byte[]> done = null;
            try {
                for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
                    if (stopRequested.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                        return false;
                    }
                    if (!callbacks.consume(message(record)) && Thread.currentThread().isInterrupted()) {
                        return false; // a cancellation: not processed, the next member gets it
                    }
                    done = record;
                }
            } finally {
                if (done != null) {
                    processed.accept(tp, new OffsetAndMetadata(done.offset() + 1, done.leaderEpoch(), ""));
                }
            }
        }
        return !stopRequested.getAsBoolean();
    }

    /**
     * The message for {@code record}, owning the arrays Kafka's deserialisers have just made for it
     * (see {@link MessageAccess}); nothing else keeps them.
     */
    static Message message(ConsumerRecord<byte[], byte[]> record) {
        Map<String, byte[]> headers = Map.of();
        // toArray, not an iterator: without headers it returns a shared empty array, no allocation
        Header[] array = record.headers().toArray();
        if (array.length > 0) {
            headers = new LinkedHashMap<>(array.length * 2);
            for (Header header : array) {
                headers.put(header.key(), header.value()); // a repeated name: the last one wins, as in the builder
            }
        }
        return MessageAccess.received(record.topic(), record.key(), record.value(), headers,
                record.partition(), record.offset(), record.timestamp());
    }
}
