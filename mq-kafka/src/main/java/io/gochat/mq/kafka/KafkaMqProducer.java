package io.gochat.mq.kafka;

import io.gochat.mq.Message;
import io.gochat.mq.MqClosedException;
import io.gochat.mq.MqException;
import io.gochat.mq.MqTimeoutException;
import io.gochat.mq.Producer;
import io.gochat.mq.SendCallback;
import io.gochat.mq.spi.ApiPreconditions;
import io.gochat.mq.spi.CallbackRunner;
import io.gochat.mq.spi.ClientSpec;
import io.gochat.mq.internal.MessageAccess;
import io.gochat.mq.spi.TraceContext;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link Producer} on a {@link KafkaProducer}. Thread-safe: any thread may send or close. The
 * first {@link #close()} does the work; a concurrent one waits for it, except when called from
 * inside a send callback (it would wait for itself) — then it returns at once. No lock is held while
 * a user callback runs.
 *
 * <p>Each send completes only once, whichever of Kafka's callback or a failed hand-over to Kafka
 * comes first. Kafka calls back every record it accepted, also when {@link #close()} runs out of
 * time: {@code KafkaProducer.close(timeout)} then aborts what is left, which reaches the callbacks
 * as {@link MqClosedException}. So a callback runs exactly once, and before {@code close()} returns.
 * Sends are only counted, not tracked in a shared set: a set touched by every sender and by Kafka's
 * I/O thread cost half of the send path (docs/benchmarks.md).
 */
final class KafkaMqProducer implements Producer {
    private final Logger log;
    private final KafkaClient<KafkaProducer<byte[], byte[]>> kafka;
    private final String clientId;
    private final Map<String, Object> props;
    private final KafkaProducer<byte[], byte[]> producer;
    private final int closeTimeoutMs;
    private final long syncBoundMs;
    private final LongAdder inFlight = new LongAdder();
    private final CountDownLatch closeDone = new CountDownLatch(1);
    private volatile boolean closed;
    /**
     * How many of this producer's send callbacks this thread is inside: one mutable cell per
     * thread, so a callback costs one lookup rather than a set and a remove.
     */
    private final ThreadLocal<int[]> callbackDepth = ThreadLocal.withInitial(() -> new int[1]);

    KafkaMqProducer(ClientSpec spec) {
        this.log = spec.logger("producer");
        this.kafka = KafkaClient.create(spec, "producer", KafkaProperties.producer(spec.config(), spec.clientId()),
                KafkaProducer::new, log, null);
        this.clientId = kafka.id();
        this.props = kafka.properties();
        this.producer = kafka.client();
        this.closeTimeoutMs = spec.config().producer().closeTimeoutMs();
        // A send may block for max.block.ms, then waits for delivery.timeout.ms at most.
        this.syncBoundMs = KafkaProperties.intProperty(props, "max.block.ms", KafkaProperties.DEFAULT_MAX_BLOCK_MS)
                + (long) KafkaProperties.intProperty(props, "delivery.timeout.ms", spec.config().producer().deliveryTimeoutMs())
                + 5_000;
    }

    @Override
    public void send(Message message, SendCallback callback) {
        ApiPreconditions.checkSend(message, callback);
        Message traced = TraceContext.inject(message); // also for the callback's log line: the trace id as sent
        Pending p = new Pending(traced, callback);
        inFlight.increment();
        if (closed) {
            p.complete(new MqClosedException("send to topic " + message.topic() + " failed: the producer is closed"));
            return;
        }
        try {
            producer.send(record(traced), (metadata, error) -> p.complete(error));
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
            p.complete(new MqException("send to topic " + message.topic() + " was interrupted", e));
        } catch (RuntimeException e) {
            p.complete(e);
        }
    }

    @Override
    public void sendSync(Message message) {
        ApiPreconditions.checkSendSync(message);
        // the bound counts from here: send itself may block for max.block.ms
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(syncBoundMs);
        CompletableFuture<Void> done = new CompletableFuture<>();
        send(message, error -> {
            if (error == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(error);
            }
        });
        try {
            done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof MqException ? (MqException) cause
                    : new MqException("send to topic " + message.topic() + " failed: " + KafkaErrors.describe(cause), cause);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new MqTimeoutException("send to topic " + message.topic() + " got no answer within " + syncBoundMs
                    + " ms (max.block.ms + producer.deliveryTimeoutMs + 5 s)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MqException("sendSync to topic " + message.topic() + " was interrupted; the message may still be delivered", e);
        }
    }

    @Override
    public void close() {
        if (!closeStarted()) {
            if (callbackDepth.get()[0] == 0) {
                awaitClose();
            }
            return;
        }
        try {
            closeNow();
        } finally {
            closeDone.countDown();
        }
    }

    private synchronized boolean closeStarted() {
        if (closed) {
            return false;
        }
        closed = true;
        return true;
    }

    private void awaitClose() {
        boolean interrupted = false;
        while (true) {
            try {
                closeDone.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeNow() {
        long started = System.nanoTime();
        long buffered = inFlight.sum();
        try {
            producer.close(Duration.ofMillis(closeTimeoutMs));
        } catch (RuntimeException e) {
            log.atWarn().setMessage("kafka producer did not close cleanly")
                    .addKeyValue("clientId", clientId).setCause(e).log();
        } finally {
            kafka.releaseId();
        }
        log.atInfo().setMessage("kafka producer closed")
                .addKeyValue("clientId", clientId)
                .addKeyValue("pendingAtClose", buffered)
                .addKeyValue("tookMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
                .log();
    }

    /**
     * The record for {@code message}, sharing its arrays (see {@link MessageAccess}): Kafka only
     * reads them, copying them into a batch before {@code send} returns.
     */
    private static ProducerRecord<byte[], byte[]> record(Message message) {
        Map<String, byte[]> headers = MessageAccess.headers(message);
        RecordHeaders recordHeaders = null;
        if (!headers.isEmpty()) {
            recordHeaders = new RecordHeaders();
            for (Map.Entry<String, byte[]> header : headers.entrySet()) {
                recordHeaders.add(header.getKey(), header.getValue());
            }
        }
        return new ProducerRecord<>(message.topic(), null, null,
                MessageAccess.key(message), MessageAccess.value(message), recordHeaders);
    }

    /** One send until its callback has run. */
    private final class Pending {
        private final Message message;
        private final SendCallback callback;
        private final AtomicBoolean done = new AtomicBoolean();

        Pending(Message message, SendCallback callback) {
            this.message = message;
            this.callback = callback;
        }

        void complete(Throwable kafkaError) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            inFlight.decrement();
            MqException error = kafkaError == null ? null : KafkaErrors.send(message.topic(), kafkaError, props);
            if (error != null) {
                log.atDebug().setMessage("send failed")
                        .addKeyValue("topic", message.topic())
                        .addKeyValue("trace_id", message.traceId())
                        .addKeyValue("error", error.getMessage())
                        .log();
            }
            int[] depth = callbackDepth.get();
            depth[0]++;
            try {
                CallbackRunner.complete(callback, error, message, log);
            } finally {
                depth[0]--;
            }
        }
    }
}
