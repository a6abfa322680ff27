package io.gochat.mq.testkit;

import io.gochat.mq.ConsumeCallback;
import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * Runs {@link Consumer#subscribe} on a thread of its own and records every message handed to the
 * callback, so a test can produce, wait for what arrived and close — without blocking its own
 * thread and without sleeping.
 *
 * <pre>{@code
 * try (RecordingConsumer orders = RecordingConsumer.start(Mq.newConsumer("svc", group), List.of(topic))) {
 *     producer.sendSync(Message.of(topic, "k", "v"));
 *     orders.awaitCount(1, Duration.ofSeconds(30));
 *     assertThat(orders.received().get(0).valueAsString()).isEqualTo("v");
 * }   // close() closes the consumer and asserts that subscribe returned normally
 * }</pre>
 *
 * <p>A message is recorded when it is handed to the callback, before the optional {@code then}
 * callback runs; so a message whose {@code then} throws is recorded too. Thread-safe: the
 * subscribe thread records, any thread may read, await and close.
 */
public final class RecordingConsumer implements AutoCloseable {
    /** How long {@link #close()} waits for {@code subscribe} to return. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Consumer consumer;
    private final List<Message> received = new ArrayList<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;

    private RecordingConsumer(Consumer consumer, List<String> topics, ConsumeCallback then) {
        this.consumer = consumer;
        this.thread = new Thread(() -> run(topics, then), "mq-testkit-subscribe-" + THREADS.incrementAndGet());
        this.thread.setDaemon(true);
    }

    /**
     * Starts {@code consumer.subscribe(topics, ...)} on a new daemon thread that records each message.
     *
     * @throws NullPointerException if an argument is null
     */
    public static RecordingConsumer start(Consumer consumer, List<String> topics) {
        return start(consumer, topics, message -> { });
    }

    /**
     * Like {@link #start(Consumer, List)}, and runs {@code then} for each message after recording
     * it, on the subscribe thread. Whatever {@code then} throws reaches the consumer as the
     * callback's failure.
     *
     * @throws NullPointerException if an argument is null
     */
    public static RecordingConsumer start(Consumer consumer, List<String> topics, ConsumeCallback then) {
        Objects.requireNonNull(consumer, "consumer must not be null");
        Objects.requireNonNull(topics, "topics must not be null");
        Objects.requireNonNull(then, "then must not be null");
        RecordingConsumer recording = new RecordingConsumer(consumer, Collections.unmodifiableList(new ArrayList<>(topics)), then);
        recording.thread.start();
        return recording;
    }

    private void run(List<String> topics, ConsumeCallback then) {
        try {
            consumer.subscribe(topics, message -> {
                synchronized (received) {
                    received.add(message);
                }
                then.handle(message);
            });
        } catch (Throwable e) {
            failure.set(e);
        } finally {
            ended.countDown();
        }
    }

    /** The consumer this records. */
    public Consumer consumer() {
        return consumer;
    }

    /** A snapshot of the messages received so far, in the order the callback saw them. */
    public List<Message> received() {
        synchronized (received) {
            return new ArrayList<>(received);
        }
    }

    /** A snapshot of the received messages that match {@code filter}. */
    public List<Message> received(Predicate<Message> filter) {
        List<Message> matching = new ArrayList<>();
        for (Message message : received()) {
            if (filter.test(message)) {
                matching.add(message);
            }
        }
        return matching;
    }

    /** How many messages were received so far. */
    public int count() {
        synchronized (received) {
            return received.size();
        }
    }

    /** Whether {@code subscribe} is still running. */
    public boolean isRunning() {
        return ended.getCount() > 0;
    }

    /**
     * Waits until at least {@code count} messages were received.
     *
     * @return this
     * @throws AssertionError if they do not arrive within {@code timeout}, or {@code subscribe}
     *     ends first (its exception, if any, is the cause)
     */
    public RecordingConsumer awaitCount(int count, Duration timeout) {
        return awaitReceived(count + " message(s)", messages -> messages.size() >= count, timeout);
    }

    /**
     * Waits until {@code condition} holds for the received messages (a snapshot, in order).
     *
     * @return this
     * @throws AssertionError if it does not hold within {@code timeout}, or {@code subscribe} ends
     *     first (its exception, if any, is the cause)
     */
    public RecordingConsumer awaitReceived(String description, Predicate<List<Message>> condition, Duration timeout) {
        try {
            Awaitility.await(description)
                    .atMost(timeout)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        if (condition.test(received())) {
                            return true;
                        }
                        if (!isRunning()) {
                            throw new AssertionError("subscribe ended while waiting for " + description
                                    + " (received " + count() + ")", failure.get());
                        }
                        return false;
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("waited " + timeout + " for " + description + " but received " + count()
                    + " message(s) on " + thread.getName(), e);
        }
        return this;
    }

    /**
     * Waits for {@code subscribe} to end, without closing the consumer (for a consumer that was
     * closed or crashed elsewhere).
     *
     * @return what {@code subscribe} threw, or empty if it returned normally
     * @throws AssertionError if it is still running after {@code timeout}
     */
    public Optional<Throwable> awaitTermination(Duration timeout) {
        try {
            if (!ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("subscribe on " + thread.getName() + " did not return within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for subscribe to return", e);
        }
        return Optional.ofNullable(failure.get());
    }

    /**
     * Closes the consumer and asserts that {@code subscribe} returns normally within
     * {@link #DEFAULT_TIMEOUT}. Idempotent.
     *
     * @throws AssertionError if {@code subscribe} threw or did not return in time
     */
    @Override
    public void close() {
        close(DEFAULT_TIMEOUT);
    }

    /**
     * Closes the consumer and asserts that {@code subscribe} returns normally within {@code timeout}.
     *
     * @throws AssertionError if {@code subscribe} threw or did not return in time
     */
    public void close(Duration timeout) {
        consumer.close();
        Optional<Throwable> thrown = awaitTermination(timeout);
        if (thrown.isPresent()) {
            throw new AssertionError("subscribe ended with an exception instead of returning normally after close()",
                    thrown.get());
        }
    }

    @Override
    public String toString() {
        return "RecordingConsumer{" + thread.getName() + ", received=" + count() + ", running=" + isRunning() + '}';
    }
}
