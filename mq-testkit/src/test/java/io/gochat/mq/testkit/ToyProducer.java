package io.gochat.mq.testkit;

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
import io.gochat.mq.spi.TraceContext;
import org.slf4j.Logger;
import org.slf4j.MDC;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/** The toy transport's producer: one I/O thread appends to the {@link ToyBroker} in send order. */
final class ToyProducer implements Producer {
    private final ToyBroker broker;
    private final ClientSpec spec;
    private final Set<Fault> faults;
    private final Logger logger;
    private final ExecutorService io;
    private final Object lock = new Object();
    /** Sends not yet handed to the I/O thread (only with {@link Fault#CLOSE_DROPS_BUFFER} or {@link Fault#SYNC_SEND_BUFFERED}). */
    private final List<Runnable> buffer = new ArrayList<>();
    private final AtomicLong sent = new AtomicLong();
    private String firstTopic;
    private boolean closed;
    private final ClientObserver observer;

    ToyProducer(ToyBroker broker, ClientSpec spec, Set<Fault> faults) {
        this.broker = broker;
        this.spec = spec;
        this.faults = faults;
        this.logger = spec.logger("producer");
        this.observer = ToyTransport.observer(spec, faults, ClientInfo.Kind.PRODUCER, "producer");
        this.io = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "toy-producer-io");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void send(Message message, SendCallback callback) {
        if (faults.contains(Fault.NO_ARGUMENT_CHECKS)) {
            Objects.requireNonNull(message, "message must not be null");
        } else {
            ToyTransport.check(faults, () -> ApiPreconditions.checkSend(message, callback));
        }
        SendObservation observation = observer.sendStarted(message);
        Message traced = observed(trace(message, true), observation);
        SendCallback done = observed(callback, observation);
        synchronized (lock) {
            if (closed) {
                if (faults.contains(Fault.SEND_AFTER_CLOSE_SUCCEEDS)) {
                    complete(done, appendNow(traced, sent.incrementAndGet(), observation), traced);
                } else {
                    complete(done, new MqClosedException("producer " + spec + " is closed"), traced);
                }
                return;
            }
            long n = sent.incrementAndGet();
            Runnable task = () -> deliver(traced, done, n, observation);
            if (faults.contains(Fault.CLOSE_DROPS_BUFFER)) {
                buffer.add(task);
                if (buffer.size() >= 64) {
                    flushBuffer();
                }
                return;
            }
            flushBuffer();
            io.execute(task);
        }
    }

    private Message trace(Message message, boolean async) {
        if (faults.contains(Fault.NO_TRACE)) {
            return message;
        }
        Message traced = TraceContext.inject(message);
        String mdc = MDC.get(Message.TRACE_ID_HEADER);
        if (async && mdc != null && faults.contains(Fault.MDC_OVERRIDES_EXPLICIT_HEADER)) {
            traced = traced.toBuilder().header(Message.TRACE_ID_HEADER, mdc).build();
        }
        if (faults.contains(Fault.EXTRA_HEADER)) {
            traced = traced.toBuilder().header("toy-sent-by", spec.clientId()).build();
        }
        return traced;
    }

    /** {@code message} with the observation's headers (not with {@link Fault#OBSERVER_HEADERS_DROPPED}). */
    private Message observed(Message message, SendObservation observation) {
        if (observation == SendObservation.NONE || faults.contains(Fault.OBSERVER_HEADERS_DROPPED)) {
            return message;
        }
        Map<String, byte[]> headers = observation.headers();
        return headers.isEmpty() ? message : message.toBuilder().headers(headers).build();
    }

    /** {@code callback}, telling the observation first how the send ended. */
    private static SendCallback observed(SendCallback callback, SendObservation observation) {
        if (observation == SendObservation.NONE) {
            return callback;
        }
        return error -> {
            observation.completed(error);
            callback.onComplete(error);
        };
    }

    private void flushBuffer() {
        buffer.forEach(io::execute);
        buffer.clear();
    }

    private void deliver(Message message, SendCallback callback, long n, SendObservation observation) {
        Throwable error = null;
        if (!(faults.contains(Fault.DROP_EVERY_100TH) && n % 100 == 0)) {
            error = appendNow(message, n, observation);
        }
        complete(callback, error, message);
        if (faults.contains(Fault.CALLBACK_TWICE) && n % 50 == 0) {
            complete(callback, error, message);
        }
    }

    private void complete(SendCallback callback, Throwable error, Message message) {
        if (!faults.contains(Fault.SEND_CALLBACK_FAILURE_NOT_LOGGED)) {
            CallbackRunner.complete(callback, error, message, logger);
            return;
        }
        try {
            callback.onComplete(error);
        } catch (RuntimeException ignored) {
            // the fault: not logged
        }
    }

    /** Stores {@code message}; tells {@code observation} where (not with {@link Fault#SEND_LOCATION_NOT_OBSERVED}). */
    private Throwable appendNow(Message message, long n, SendObservation observation) {
        try {
            ToyBroker.Stored.Location stored = broker.append(topicFor(message), message, n, faults);
            if (stored != null && !faults.contains(Fault.SEND_LOCATION_NOT_OBSERVED)) {
                observation.acknowledged(stored.partition(), stored.offset());
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new MqException("interrupted while sending to " + message.topic());
        } catch (RuntimeException e) {
            return e;
        }
    }

    private String topicFor(Message message) {
        if (!faults.contains(Fault.STICKY_TOPIC)) {
            return message.topic();
        }
        synchronized (lock) {
            if (firstTopic == null) {
                firstTopic = message.topic();
            }
            return firstTopic;
        }
    }

    @Override
    public void sendSync(Message message) {
        ToyTransport.check(faults, () -> ApiPreconditions.checkSendSync(message));
        SendObservation observation = observer.sendStarted(message);
        Message traced = observed(trace(message, false), observation);
        CompletableFuture<Void> done = new CompletableFuture<>();
        done.whenComplete((ok, error) -> observation.completed(error));
        synchronized (lock) {
            if (closed) {
                if (!faults.contains(Fault.SEND_AFTER_CLOSE_SUCCEEDS)) {
                    throw new MqClosedException("producer " + spec + " is closed");
                }
                Throwable error = appendNow(traced, sent.incrementAndGet(), observation);
                if (error != null) {
                    throw new MqException("send failed", error);
                }
                return;
            }
            flushBuffer();
            long n = sent.incrementAndGet();
            Runnable task = () -> deliver(traced, error -> {
                if (error == null) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(error);
                }
            }, n, observation);
            if (faults.contains(Fault.SYNC_SEND_BUFFERED)) {
                buffer.add(task);
                return;
            }
            io.execute(task);
        }
        try {
            done.get(spec.config().producer().deliveryTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new MqTimeoutException("no acknowledgement within producer.deliveryTimeoutMs");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof MqException ? (MqException) e.getCause() : new MqException("send failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MqException("interrupted while waiting for an acknowledgement");
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                if (faults.contains(Fault.CLOSE_TWICE_THROWS)) {
                    throw new IllegalStateException("producer " + spec + " is already closed");
                }
                return;
            }
            closed = true;
            if (faults.contains(Fault.CLOSE_DROPS_BUFFER)) {
                buffer.clear();
            }
            flushBuffer();
        }
        io.shutdown();
        try {
            io.awaitTermination(spec.config().producer().closeTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            observer.closed();
        }
    }
}
