package io.gochat.mq.testkit;

import io.gochat.mq.Message;
import io.gochat.mq.MqClosedException;
import io.gochat.mq.MqException;
import io.gochat.mq.MqTimeoutException;
import io.gochat.mq.Producer;
import io.gochat.mq.SendCallback;
import io.gochat.mq.spi.ApiPreconditions;
import io.gochat.mq.spi.CallbackRunner;
import io.gochat.mq.spi.ClientSpec;
import io.gochat.mq.spi.TraceContext;
import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.List;
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
    private final ClientSpec spec;
    private final Set<Fault> faults;
    private final Logger logger;
    private final ExecutorService io;
    private final Object lock = new Object();
    private final List<Runnable> buffer = new ArrayList<>();
    private final AtomicLong sent = new AtomicLong();
    private boolean closed;

    ToyProducer(ClientSpec spec, Set<Fault> faults) {
        this.spec = spec;
        this.faults = faults;
        this.logger = spec.logger("producer");
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
            ApiPreconditions.checkSend(message, callback);
        }
        Message traced = faults.contains(Fault.NO_TRACE) ? message : TraceContext.inject(message);
        synchronized (lock) {
            if (closed) {
                if (faults.contains(Fault.SEND_AFTER_CLOSE_SUCCEEDS)) {
                    CallbackRunner.complete(callback, appendNow(traced), traced, logger);
                } else {
                    CallbackRunner.complete(callback, new MqClosedException("producer " + spec + " is closed"), traced, logger);
                }
                return;
            }
            long n = sent.incrementAndGet();
            Runnable task = () -> deliver(traced, callback, n);
            if (faults.contains(Fault.CLOSE_DROPS_BUFFER)) {
                buffer.add(task);
                if (buffer.size() >= 64) {
                    flushBuffer();
                }
                return;
            }
            io.execute(task);
        }
    }

    private void flushBuffer() {
        buffer.forEach(io::execute);
        buffer.clear();
    }

    private void deliver(Message message, SendCallback callback, long n) {
        Throwable error = null;
        if (!(faults.contains(Fault.DROP_EVERY_100TH) && n % 100 == 0)) {
            error = appendNow(message);
        }
        CallbackRunner.complete(callback, error, message, logger);
        if (faults.contains(Fault.CALLBACK_TWICE) && n % 50 == 0) {
            CallbackRunner.complete(callback, error, message, logger);
        }
    }

    private Throwable appendNow(Message message) {
        try {
            ToyBroker.INSTANCE.append(message, faults);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new MqException("interrupted while sending to " + message.topic());
        } catch (RuntimeException e) {
            return e;
        }
    }

    @Override
    public void sendSync(Message message) {
        ApiPreconditions.checkSendSync(message);
        Message traced = faults.contains(Fault.NO_TRACE) ? message : TraceContext.inject(message);
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (lock) {
            if (closed) {
                if (!faults.contains(Fault.SEND_AFTER_CLOSE_SUCCEEDS)) {
                    throw new MqClosedException("producer " + spec + " is closed");
                }
                Throwable error = appendNow(traced);
                if (error != null) {
                    throw new MqException("send failed", error);
                }
                return;
            }
            flushBuffer();
            long n = sent.incrementAndGet();
            io.execute(() -> deliver(traced, error -> {
                if (error == null) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(error);
                }
            }, n));
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
                return;
            }
            closed = true;
            if (faults.contains(Fault.CLOSE_DROPS_BUFFER)) {
                buffer.clear();
            }
        }
        io.shutdown();
        try {
            io.awaitTermination(spec.config().producer().closeTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
