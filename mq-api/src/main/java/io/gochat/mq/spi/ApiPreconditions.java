package io.gochat.mq.spi;

import io.gochat.mq.Message;
import io.gochat.mq.MqConfigException;
import io.gochat.mq.config.ConsumerConfig;

import java.util.List;
import java.util.Objects;

/**
 * The argument checks of the public API, so every transport rejects bad input the same way:
 * immediately, before anything is sent, with a message that names the argument.
 */
public final class ApiPreconditions {
    /** The longest topic name Kafka accepts. */
    private static final int MAX_TOPIC_LENGTH = 249;

    private ApiPreconditions() {
    }

    /** For {@code send}: the message and the callback. */
    public static void checkSend(Message message, Object callback) {
        Objects.requireNonNull(message, "message must not be null");
        Objects.requireNonNull(callback, "callback must not be null (pass error -> {} to ignore the outcome)");
    }

    /** For {@code sendSync}. */
    public static void checkSendSync(Message message) {
        Objects.requireNonNull(message, "message must not be null");
    }

    /**
     * For {@code subscribe}: a non-empty list of non-blank topics, and a callback.
     *
     * @return an immutable copy of {@code topics} without repeats, in order
     */
    public static List<String> checkSubscribe(List<String> topics, Object callback) {
        Objects.requireNonNull(topics, "topics must not be null");
        Objects.requireNonNull(callback, "callback must not be null");
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("topics must name at least one topic");
        }
        for (int i = 0; i < topics.size(); i++) {
            String topic = topics.get(i);
            Objects.requireNonNull(topic, "topics[" + i + "] must not be null");
            if (topic.isBlank()) {
                throw new IllegalArgumentException("topics[" + i + "] must not be blank");
            }
        }
        return List.copyOf(new java.util.LinkedHashSet<>(topics));
    }

    /**
     * For {@code subscribe} with the consumer's configuration: as
     * {@link #checkSubscribe(List, Object)}, and the dead-letter topic of each topic is a topic
     * name Kafka accepts (at most 249 characters) and none of the subscribed topics, whose dead
     * letters would come back to the same callback.
     *
     * @throws MqConfigException naming {@code consumer.deadLetter.topic}
     */
    public static List<String> checkSubscribe(List<String> topics, Object callback, ConsumerConfig config) {
        List<String> checked = checkSubscribe(topics, callback);
        for (String topic : checked) {
            String deadLetters = config.deadLetterTopicFor(topic);
            if (deadLetters == null) {
                continue;
            }
            if (deadLetters.length() > MAX_TOPIC_LENGTH) {
                throw new MqConfigException("consumer.deadLetter.topic: expected at most " + MAX_TOPIC_LENGTH
                        + " characters for topic " + topic + " but was [" + deadLetters + "] (" + deadLetters.length() + ")");
            }
            if (checked.contains(deadLetters)) {
                throw new MqConfigException("consumer.deadLetter.topic: expected a topic this consumer does not subscribe to,"
                        + " but for topic " + topic + " it is [" + deadLetters + "], subscribed too: its dead letters would"
                        + " be consumed again (write e.g. {topic}.dlt)");
            }
        }
        return checked;
    }

    /** For {@code createTopic}. */
    public static void checkCreateTopic(String topic, int partitions, int replicationFactor) {
        Objects.requireNonNull(topic, "topic must not be null");
        if (topic.isBlank()) {
            throw new IllegalArgumentException("topic must not be blank");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions of topic " + topic + ": expected at least 1 but was " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replicationFactor of topic " + topic + ": expected at least 1 but was "
                    + replicationFactor);
        }
    }
}
