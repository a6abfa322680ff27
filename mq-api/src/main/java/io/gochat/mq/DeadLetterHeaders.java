package io.gochat.mq;

import java.util.List;

/**
 * The headers a consumer adds to a message it publishes to its dead-letter topic
 * ({@code consumer.deadLetter.topic}): where the message came from and why it failed. Values are
 * UTF-8 text (numbers in decimal), readable by any client. The message keeps its key, value, its
 * other headers and its {@code trace_id}. A message dead-lettered again carries only the latest of
 * these headers: earlier ones are replaced, never repeated.
 *
 * <p>Spring for Apache Kafka's {@code DeadLetterPublishingRecoverer} writes the same facts as
 * {@code kafka_dlt-*} headers (partition, offset and timestamp there in binary); each constant
 * names its equivalent.
 */
public final class DeadLetterHeaders {
    /** Every header name of this class starts with this. */
    public static final String PREFIX = "mq_dlt-";
    /** The topic the message was consumed from ({@code kafka_dlt-original-topic}). */
    public static final String ORIGINAL_TOPIC = PREFIX + "original-topic";
    /** Its partition there ({@code kafka_dlt-original-partition}). */
    public static final String ORIGINAL_PARTITION = PREFIX + "original-partition";
    /** Its offset there ({@code kafka_dlt-original-offset}). */
    public static final String ORIGINAL_OFFSET = PREFIX + "original-offset";
    /** Its stored timestamp there, epoch milliseconds ({@code kafka_dlt-original-timestamp}). */
    public static final String ORIGINAL_TIMESTAMP = PREFIX + "original-timestamp";
    /** The consumer group that failed it ({@code kafka_dlt-original-consumer-group}). */
    public static final String ORIGINAL_CONSUMER_GROUP = PREFIX + "original-consumer-group";
    /** How many times the callback ran for it ({@code kafka_delivery-attempt} counts the same on the retried record). */
    public static final String ATTEMPTS = PREFIX + "attempts";
    /** The class of the last failure ({@code kafka_dlt-exception-fqcn}). */
    public static final String EXCEPTION_CLASS = PREFIX + "exception-fqcn";
    /** Its message, at most {@value #MAX_EXCEPTION_MESSAGE} characters ({@code kafka_dlt-exception-message}). */
    public static final String EXCEPTION_MESSAGE = PREFIX + "exception-message";
    /** Its stack trace, at most {@value #MAX_STACK_TRACE} characters ({@code kafka_dlt-exception-stacktrace}). */
    public static final String EXCEPTION_STACK_TRACE = PREFIX + "exception-stacktrace";

    /** The longest {@link #EXCEPTION_MESSAGE}, in characters. */
    public static final int MAX_EXCEPTION_MESSAGE = 1_000;
    /** The longest {@link #EXCEPTION_STACK_TRACE}, in characters. */
    public static final int MAX_STACK_TRACE = 4_000;

    /** Every header above, in the order they are written. */
    public static final List<String> ALL = List.of(ORIGINAL_TOPIC, ORIGINAL_PARTITION, ORIGINAL_OFFSET,
            ORIGINAL_TIMESTAMP, ORIGINAL_CONSUMER_GROUP, ATTEMPTS, EXCEPTION_CLASS, EXCEPTION_MESSAGE,
            EXCEPTION_STACK_TRACE);

    private DeadLetterHeaders() {
    }

    /**
     * The message to publish again to its original topic: {@code deadLetter}'s key, value and
     * headers (its {@code trace_id} among them) without the headers of this class.
     *
     * @throws IllegalArgumentException if {@code deadLetter} has no {@link #ORIGINAL_TOPIC}
     */
    public static Message replayOf(Message deadLetter) {
        String topic = deadLetter.headerAsString(ORIGINAL_TOPIC);
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("not a dead letter: message at " + deadLetter.topic() + "/"
                    + deadLetter.partition() + "@" + deadLetter.offset() + " has no " + ORIGINAL_TOPIC + " header");
        }
        return withoutProvenance(deadLetter, topic).build();
    }

    /**
     * A builder for {@code topic} holding {@code message}'s key, value and headers except those of
     * this class: where a dead letter, or a message to dead-letter, starts from.
     */
    public static Message.Builder withoutProvenance(Message message, String topic) {
        Message.Builder b = Message.builder(topic).key(message.key()).value(message.value());
        message.headers().forEach((name, value) -> {
            if (!name.startsWith(PREFIX)) {
                b.header(name, value);
            }
        });
        return b;
    }
}
