package io.gochat.mq.inmemory;

import io.gochat.mq.Message;
import io.gochat.mq.MqClosedException;
import io.gochat.mq.MqException;
import io.gochat.mq.Producer;
import io.gochat.mq.SendCallback;
import io.gochat.mq.observe.ClientInfo;
import io.gochat.mq.observe.ClientObserver;
import io.gochat.mq.observe.SendObservation;
import io.gochat.mq.spi.ApiPreconditions;
import io.gochat.mq.spi.CallbackRunner;
import io.gochat.mq.spi.ClientSpec;
import io.gochat.mq.spi.TraceContext;
import org.slf4j.Logger;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Appends to an {@link InMemoryBroker}. There is no buffer: {@link #send} appends on the
 * caller's thread and then calls the callback on that same thread, so when {@code send} returns
 * the message is in the log and its callback has run. Thread-safe; concurrent senders only meet
 * on the partition they append to.
 *
 * <p>{@link #close()} waits until every {@code send} that is still running (another thread may
 * be inside one) has called its callback, bounded by {@code producer.closeTimeoutMs}.
 */
final class InMemoryProducer implements Producer {
    private static final long MAX_CLOSE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final InMemoryBroker broker;
    private final String clientId;
    private final Logger log;
    private final long closeTimeoutMs;

    /** Sends that entered and have not yet called their callback. */
    private final LongAdder inFlight = new LongAdder();
    private volatile boolean closed;
    private final ClientObserver observer;

    InMemoryProducer(InMemoryBroker broker, ClientSpec spec) {
        this.broker = broker;
        this.clientId = spec.clientId();
        this.log = spec.logger("producer");
        this.closeTimeoutMs = spec.config().producer().closeTimeoutMs();
        this.observer = spec.observer(ClientInfo.Kind.PRODUCER, "producer", null);
    }

    /**
     * {@inheritDoc}
     *
     * <p>In memory the callback runs on the calling thread before {@code send} returns: with
     * {@code null}, or with an {@link MqClosedException} when this producer or the broker is
     * closed, or an {@link MqException} when the topic name is one Kafka would refuse.
     */
    @Override
    public void send(Message message, SendCallback callback) {
        ApiPreconditions.checkSend(message, callback);
        SendObservation observation = observer.sendStarted(message);
        // also for the callback's log line: the trace id as sent
        Message traced = withHeaders(TraceContext.inject(message), observation);
        inFlight.increment();
        try {
            MqException error = deliver(traced, observation);
            observation.completed(error);
            CallbackRunner.complete(callback, error, traced, log);
        } finally {
            inFlight.decrement();
        }
    }

    @Override
    public void sendSync(Message message) {
        ApiPreconditions.checkSendSync(message);
        SendObservation observation = observer.sendStarted(message);
        inFlight.increment();
        MqException error;
        try {
            error = deliver(withHeaders(TraceContext.inject(message), observation), observation);
            observation.completed(error);
        } finally {
            inFlight.decrement();
        }
        if (error != null) {
            throw error;
        }
    }

    /** {@code message} with the headers the observation adds, replacing those of the same name. */
    private static Message withHeaders(Message message, SendObservation observation) {
        if (observation == SendObservation.NONE) {
            return message;
        }
        Map<String, byte[]> headers = observation.headers();
        return headers == null || headers.isEmpty() ? message : message.toBuilder().headers(headers).build();
    }

    /**
     * Appends {@code message}, which already carries the trace id, and tells {@code observation}
     * where it went; returns why it could not, or {@code null}. Only between increment and
     * decrement of {@link #inFlight}.
     */
    private MqException deliver(Message message, SendObservation observation) {
        // Read after the increment: close() sets the flag, then waits for inFlight to drain, so a
        // send either sees the flag or is waited for.
        if (closed) {
            return new MqClosedException("Producer " + clientId + " is closed; the message for topic "
                    + message.topic() + " was not sent");
        }
        try {
            broker.append(message, observation);
            return null;
        } catch (MqException e) {
            return e;
        } catch (RuntimeException e) {
            return new MqException("In-memory broker '" + broker.name() + "' failed to append to topic "
                    + message.topic() + ": " + e, e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Waits at most {@code producer.closeTimeoutMs} for sends still running on other threads;
     * after that it logs a WARN and returns.
     */
    @Override
    public void close() {
        boolean first = !closed;
        closed = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(closeTimeoutMs);
        long pending;
        while ((pending = inFlight.sum()) != 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                log.atWarn()
                        .setMessage("producer closed while sends were still running; gave up waiting after producer.closeTimeoutMs")
                        .addKeyValue("clientId", clientId)
                        .addKeyValue("inFlight", pending)
                        .addKeyValue("closeTimeoutMs", closeTimeoutMs)
                        .log();
                return;
            }
            // A send in progress finishes within one callback; polling keeps the hot path free of signalling.
            LockSupport.parkNanos(this, Math.min(left, MAX_CLOSE_PARK_NANOS));
        }
        if (first) {
            observer.closed();
            log.atInfo().setMessage("producer closed").addKeyValue("clientId", clientId)
                    .addKeyValue("broker", broker.name()).log();
        }
    }

    @Override
    public String toString() {
        return "InMemoryProducer{" + clientId + ", broker=" + broker.name() + ", closed=" + closed + '}';
    }
}
