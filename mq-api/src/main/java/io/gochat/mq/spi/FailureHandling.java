package io.gochat.mq.spi;

import io.gochat.mq.DeadLetterHeaders;
import io.gochat.mq.Message;
import io.gochat.mq.PermanentFailureException;
import io.gochat.mq.Producer;
import io.gochat.mq.config.ConsumerConfig;
import org.slf4j.Logger;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What a {@link KeyOrderedDispatcher} does with a failed callback when
 * {@link ConsumerConfig#handlesFailures()}: retry after a backoff (on a timer thread, never on the
 * thread that polls), then publish to the dead-letter topic and wait for the broker's
 * acknowledgement, or log. Workers call it; the timer and the dead-letter producer start on first
 * use and end with {@link #close()}.
 */
final class FailureHandling implements AutoCloseable {
    /** What to do after a failed attempt. */
    enum Next { RETRY, DEAD_LETTER, GIVE_UP }

    private final ConsumerConfig config;
    private final String name;
    private final String group;
    private final Logger log;
    private final Supplier<Producer> producerFactory;
    private ScheduledExecutorService timer;
    private Producer producer;
    private boolean closed;

    /**
     * @param producerFactory creates the producer for dead letters, once, at the first one
     * @param group the consumer group, written into the dead letters
     */
    FailureHandling(ConsumerConfig config, String name, String group, Logger log, Supplier<Producer> producerFactory) {
        this.config = config;
        this.name = name;
        this.group = group;
        this.log = log;
        this.producerFactory = producerFactory;
    }

    /** After the {@code attempts}-th failed attempt, failing with {@code failure}. */
    Next next(Throwable failure, int attempts) {
        if (attempts < config.retryMaxAttempts() && !PermanentFailureException.isPermanent(failure)) {
            return Next.RETRY;
        }
        return config.deadLetterTopic().isEmpty() ? Next.GIVE_UP : Next.DEAD_LETTER;
    }

    /**
     * The wait after the {@code failures}-th failure in a row: {@code backoffMs × multiplier^(failures-1)},
     * at most {@code maxBackoffMs}, then drawn between half of it and all of it.
     */
    long backoffNanos(int failures) {
        double ms = config.retryBackoffMs() * Math.pow(config.retryMultiplier(), Math.max(0, failures - 1));
        long capped = (long) Math.min(ms, config.retryMaxBackoffMs());
        long half = capped / 2;
        return TimeUnit.MILLISECONDS.toNanos(half + ThreadLocalRandom.current().nextLong(capped - half + 1));
    }

    /** Runs {@code task} after {@code delayNanos} on the timer thread; nothing once closed. */
    synchronized void schedule(Runnable task, long delayNanos) {
        if (closed) {
            return;
        }
        if (timer == null) {
            ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
                Thread thread = new Thread(r, name + "-retry");
                thread.setDaemon(true);
                return thread;
            });
            t.setRemoveOnCancelPolicy(true);
            timer = t;
        }
        timer.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Publishes {@code failed} to its dead-letter topic and waits for the acknowledgement.
     *
     * @throws RuntimeException whatever the producer threw: the dead letter is not written
     */
    void deadLetter(Message failed, Throwable failure, int attempts) {
        String topic = config.deadLetterTopicFor(failed.topic());
        Message letter = DeadLetterHeaders.withoutProvenance(failed, topic)
                .header(DeadLetterHeaders.ORIGINAL_TOPIC, failed.topic())
                .header(DeadLetterHeaders.ORIGINAL_PARTITION, Integer.toString(failed.partition()))
                .header(DeadLetterHeaders.ORIGINAL_OFFSET, Long.toString(failed.offset()))
                .header(DeadLetterHeaders.ORIGINAL_TIMESTAMP, Long.toString(failed.timestamp()))
                .header(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP, group)
                .header(DeadLetterHeaders.ATTEMPTS, Integer.toString(attempts))
                .header(DeadLetterHeaders.EXCEPTION_CLASS, failure.getClass().getName())
                .header(DeadLetterHeaders.EXCEPTION_MESSAGE,
                        cut(String.valueOf(failure.getMessage()), DeadLetterHeaders.MAX_EXCEPTION_MESSAGE))
                .header(DeadLetterHeaders.EXCEPTION_STACK_TRACE, cut(stackTrace(failure), DeadLetterHeaders.MAX_STACK_TRACE))
                .build();
        producer().sendSync(letter);
    }

    /** Where {@code failed}'s dead letter goes. */
    String deadLetterTopic(Message failed) {
        return config.deadLetterTopicFor(failed.topic());
    }

    private synchronized Producer producer() {
        if (closed) {
            throw new IllegalStateException("consumer closing: dead letter not sent");
        }
        if (producer == null) {
            producer = producerFactory.get();
        }
        return producer;
    }

    /** Stops the timer (pending retries never fire) and closes the dead-letter producer. */
    @Override
    public void close() {
        ScheduledExecutorService t;
        Producer p;
        synchronized (this) {
            closed = true;
            t = timer;
            p = producer;
        }
        if (t != null) {
            t.shutdownNow();
        }
        if (p != null) {
            p.close();
        }
    }

    /** Logs a failed attempt that will be retried. */
    void logRetry(Message m, Throwable failure, int attempts, long delayNanos) {
        log.atWarn().setMessage("consume callback failed; the message is tried again after a backoff, later messages"
                        + " of its key wait for it")
                .addKeyValue("topic", m.topic()).addKeyValue("partition", m.partition())
                .addKeyValue("offset", m.offset()).addKeyValue("key", m.keyAsString())
                .addKeyValue("trace_id", m.traceId()).addKeyValue("attempt", attempts)
                .addKeyValue("maxAttempts", config.retryMaxAttempts())
                .addKeyValue("backoffMs", TimeUnit.NANOSECONDS.toMillis(delayNanos))
                .addKeyValue("error", String.valueOf(failure)).log();
    }

    /** Logs a message that failed for good and went to the dead-letter topic. */
    void logDeadLettered(Message m, Throwable failure, int attempts) {
        log.atError().setMessage("consume callback failed for good; the message was published to the dead-letter topic"
                        + " and counts as processed")
                .addKeyValue("topic", m.topic()).addKeyValue("partition", m.partition())
                .addKeyValue("offset", m.offset()).addKeyValue("key", m.keyAsString())
                .addKeyValue("trace_id", m.traceId()).addKeyValue("attempts", attempts)
                .addKeyValue("deadLetterTopic", config.deadLetterTopicFor(m.topic()))
                .setCause(failure).log();
    }

    /** Logs a dead letter that could not be written: the message is not processed and is tried again. */
    void logDeadLetterFailed(Message m, RuntimeException error, long delayNanos) {
        log.atError().setMessage("dead letter could not be written; the message is not committed and its dead letter"
                        + " is tried again after a backoff")
                .addKeyValue("topic", m.topic()).addKeyValue("partition", m.partition())
                .addKeyValue("offset", m.offset()).addKeyValue("trace_id", m.traceId())
                .addKeyValue("deadLetterTopic", config.deadLetterTopicFor(m.topic()))
                .addKeyValue("backoffMs", TimeUnit.NANOSECONDS.toMillis(delayNanos))
                .addKeyValue("error", String.valueOf(error.getMessage())).log();
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    private static String stackTrace(Throwable failure) {
        StringWriter out = new StringWriter();
        failure.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
