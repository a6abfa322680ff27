package io.gochat.mq.kafka;

import io.gochat.mq.Message;
import io.gochat.mq.MqClosedException;
import io.gochat.mq.MqException;
import io.gochat.mq.MqTimeoutException;
import io.gochat.mq.Producer;
import io.gochat.mq.SendCallback;
import io.gochat.mq.observe.ClientInfo;
import io.gochat.mq.observe.ClientObserver;
import io.gochat.mq.observe.SendObservation;
import io.gochat.mq.spi.ApiPreconditions;
import io.gochat.mq.spi.CallbackRunner;
import io.gochat.mq.spi.ClientSpec;
import io.gochat.mq.internal.MessageAccess;
import io.gochat.mq.spi.TraceContext;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * {@link Producer} on a {@link KafkaProducer}. Thread-safe: any thread may send or close. The
 * first {@link #close()} does the work; a concurrent one waits for it, except when called from
 * a send callback on Kafka's I/O thread (it would wait for itself) — then it returns at once. (A
 * callback that runs on the sending thread, for a send that failed at once, may wait: the close
 * does not depend on that thread.) No lock is held while a user callback runs.
 *
 * <p>Each send completes only once, whichever of Kafka's callback or a failed hand-over to Kafka
 * comes first. Kafka calls back every record it accepted, also when {@link #close()} runs out of
 * time: {@code KafkaProducer.close(timeout)} then aborts what is left, which reaches the callbacks
 * as {@link MqClosedException}. So a callback runs exactly once, and before {@code close()} returns.
 *
 * <p>The send path is lean on purpose (docs/design.md, "The send path"): per send one
 * {@link Pending}, which is also Kafka's callback and keeps neither the message nor its arrays, and
 * nothing shared between senders and Kafka's I/O thread — not a set of pending sends (it cost half
 * of the send path), not even a counter: the close log reports the bytes Kafka still buffered,
 * from Kafka's own metrics.
 */
final class KafkaMqProducer implements Producer {
    private final Logger log;
    private final KafkaClient<KafkaProducer<byte[], byte[]>> kafka;
    private final String clientId;
    private final Map<String, Object> props;
    private final KafkaProducer<byte[], byte[]> producer;
    private final int closeTimeoutMs;
    private final long syncBoundMs;
    private final CountDownLatch closeDone = new CountDownLatch(1);
    private volatile boolean closed;
    /**
     * The name Kafka gives this producer's I/O thread, where send callbacks run. Client ids are
     * unique in this JVM ({@link ClientIds}), so the name identifies the thread; checked only in
     * {@link #close()}, so that a callback costs no per-thread lookup (a {@code ThreadLocal} read
     * per callback was a sixth of the I/O thread's samples in a profile).
     */
    private final String ioThreadName;
    /**
     * Kafka's {@code connection-count} of this producer (open and opening connections to
     * brokers), read only when a send timed out, to tell "brokers unreachable" from "slow";
     * {@code null} if Kafka does not report it.
     */
    private final Metric connectionCount;
    /** Sees every send; {@link ClientObserver#NONE} (compared, to skip the work) without observers. */
    private final ClientObserver observer;

    KafkaMqProducer(ClientSpec spec) {
        this.log = spec.logger("producer");
        this.kafka = KafkaClient.create(spec, "producer", KafkaProperties.producer(spec.config(), spec.clientId()),
                KafkaProducer::new, log, null);
        this.clientId = kafka.id();
        this.props = kafka.properties();
        this.producer = kafka.client();
        this.ioThreadName = KafkaProducer.NETWORK_THREAD_PREFIX + " | " + clientId;
        this.closeTimeoutMs = spec.config().producer().closeTimeoutMs();
        this.connectionCount = producerMetric("connection-count");
        this.observer = spec.observer(ClientInfo.Kind.PRODUCER, "producer", producer, clientId);
        // A send may block for max.block.ms, then waits for delivery.timeout.ms at most.
        this.syncBoundMs = KafkaProperties.intProperty(props, "max.block.ms", KafkaProperties.DEFAULT_MAX_BLOCK_MS)
                + (long) KafkaProperties.intProperty(props, "delivery.timeout.ms", spec.config().producer().deliveryTimeoutMs())
                + 5_000;
    }

    @Override
    public void send(Message message, SendCallback callback) {
        ApiPreconditions.checkSend(message, callback);
        SendObservation observation = observer.sendStarted(message);
        Map<String, byte[]> observerHeaders = observation == SendObservation.NONE ? null : observation.headers();
        String addedTraceId = TraceContext.traceIdToAdd(message);
        Pending p = new Pending(this, message, callback, addedTraceId, observation);
        if (closed) {
            p.complete(new MqClosedException("send to topic " + message.topic() + " failed: the producer is closed"));
            return;
        }
        try {
            producer.send(record(message, addedTraceId, observerHeaders), p);
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
        if (!closed) {   // closed: send reports MqClosedException, whether or not brokers answer
            kafka.requireReachableOnce(() -> "send to topic " + message.topic());
        }
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
            // on the I/O thread we are inside a send callback: waiting for the close would wait for ourselves
            if (!Thread.currentThread().getName().equals(ioThreadName)) {
                awaitClose();
            }
            return;
        }
        try {
            closeNow();
        } finally {
            observer.closed();
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
        long buffered = bufferedBytes();
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
                .addKeyValue("bufferedBytesAtClose", buffered)
                .addKeyValue("tookMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
                .log();
    }

    /**
     * The bytes of batches Kafka holds (not yet acknowledged or failed), from its
     * {@code buffer-total-bytes} and {@code buffer-available-bytes} metrics; {@code -1} if Kafka
     * does not report them.
     */
    private long bufferedBytes() {
        Metric total = producerMetric("buffer-total-bytes");
        Metric available = producerMetric("buffer-available-bytes");
        return total == null || available == null ? -1 : (long) (value(total) - value(available));
    }

    /** Whether this producer has no connection to any broker, not even one being opened. */
    private boolean noBrokerConnected() {
        return connectionCount != null && value(connectionCount) == 0;
    }

    /** One of Kafka's {@code producer-metrics} of this producer, or {@code null}. */
    private Metric producerMetric(String name) {
        for (Map.Entry<MetricName, ? extends Metric> metric : producer.metrics().entrySet()) {
            if ("producer-metrics".equals(metric.getKey().group()) && name.equals(metric.getKey().name())) {
                return metric.getValue();
            }
        }
        return null;
    }

    private static double value(Metric metric) {
        return ((Number) metric.metricValue()).doubleValue();
    }

    /**
     * The record for {@code message}, sharing its arrays (see {@link MessageAccess}): Kafka only
     * reads them, copying them into a batch before {@code send} returns. The headers go straight
     * into the record's own: the message's, then {@code addedTraceId} (from
     * {@link TraceContext#traceIdToAdd}, or {@code null}) where a copy of the message made by
     * {@link TraceContext#inject} would have it, then the observers' ({@code null} for none), each
     * replacing any header of its name.
     */
    static ProducerRecord<byte[], byte[]> record(Message message, String addedTraceId, Map<String, byte[]> observerHeaders) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(message.topic(), null, null,
                MessageAccess.key(message), MessageAccess.value(message), null);
        Map<String, byte[]> headers = MessageAccess.headers(message);
        if (!headers.isEmpty()) {
            Headers recordHeaders = record.headers();
            for (Map.Entry<String, byte[]> header : headers.entrySet()) {
                recordHeaders.add(header.getKey(), header.getValue());
            }
        }
        if (addedTraceId != null) {
            record.headers().add(Message.TRACE_ID_HEADER, addedTraceId.getBytes(StandardCharsets.UTF_8));
        }
        if (observerHeaders != null && !observerHeaders.isEmpty()) {
            Headers recordHeaders = record.headers();
            observerHeaders.forEach((name, value) -> {
                recordHeaders.remove(name);
                recordHeaders.add(name, value);
            });
        }
        return record;
    }

    /**
     * One send until its callback has run, and Kafka's callback for it: the one object a send adds
     * (no lambda, no future). It keeps the topic and the trace id that went out for the log lines,
     * not the message: Kafka has copied key, value and headers into a batch by the time
     * {@code send} returns, and a message kept until the acknowledgement would keep its arrays live
     * through young collections. Completes once, whichever of Kafka's callback or a failed hand-over
     * to Kafka comes first.
     */
    private static final class Pending implements Callback {
        private static final AtomicIntegerFieldUpdater<Pending> DONE =
                AtomicIntegerFieldUpdater.newUpdater(Pending.class, "done");

        private final KafkaMqProducer producer;
        private final String topic;
        private final SendCallback callback;
        /** The trace id that went out: the MDC's that was added, or the message's own header, or {@code null}. */
        private final String traceId;
        /** Told where the message went and how the send ended, before {@link #callback}. */
        private final SendObservation observation;
        private volatile int done;

        Pending(KafkaMqProducer producer, Message message, SendCallback callback, String addedTraceId,
                SendObservation observation) {
            this.producer = producer;
            this.topic = message.topic();
            this.callback = callback;
            this.observation = observation;
            // decoded only for a message with headers: an untraced send costs no String
            this.traceId = addedTraceId != null || MessageAccess.headers(message).isEmpty() ? addedTraceId
                    : message.traceId();
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            complete(exception, metadata);
        }

        void complete(Throwable kafkaError) {
            complete(kafkaError, null);
        }

        private void complete(Throwable kafkaError, RecordMetadata stored) {
            if (!DONE.compareAndSet(this, 0, 1)) {
                return;
            }
            if (kafkaError == null && stored != null) {
                // no offset without an acknowledgement from the broker (acks: 0)
                observation.acknowledged(stored.partition(), stored.hasOffset() ? stored.offset() : -1);
            }
            MqException error = kafkaError == null ? null : KafkaErrors.send(topic, kafkaError, producer.props,
                    producer::noBrokerConnected);
            if (error != null) {
                producer.log.atDebug().setMessage("send failed")
                        .addKeyValue("topic", topic)
                        .addKeyValue("trace_id", traceId)
                        .addKeyValue("error", error.getMessage())
                        .log();
            }
            observation.completed(error);
            CallbackRunner.complete(callback, error, topic, traceId, producer.log);
        }
    }
}
