package io.gochat.mq.inmemory;

import org.apache.kafka.common.errors.InvalidTopicException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Topic names")
class TopicTest {

    @Test
    @DisplayName("a name is refused exactly when Kafka's own rule refuses it, with a reason that shows it")
    void namesFollowKafkasRule() {
        List<String> names = List.of("orders", "gochat.messages.upstream", "a_b-C.9", "...", "-", "_",
                "x".repeat(249), "x".repeat(250), ".", "..", "a b", "a/b", "a:b", "ä", "tab\t", "trailing ");
        for (String name : names) {
            String reason = Topic.invalidNameReason(name);
            if (kafkaAccepts(name)) {
                assertThat(reason).as("reason to refuse [%s], which Kafka accepts", name).isNull();
            } else {
                assertThat(reason).as("reason to refuse [%s], which Kafka refuses", name).isNotNull()
                        .satisfiesAnyOf(r -> assertThat(r).contains("[" + name + "]"),
                                r -> assertThat(r).contains(name.length() + " characters: expected at most 249"));
            }
        }
    }

    private static boolean kafkaAccepts(String name) {
        try {
            org.apache.kafka.common.internals.Topic.validate(name);
            return true;
        } catch (InvalidTopicException e) {
            return false;
        }
    }
}
