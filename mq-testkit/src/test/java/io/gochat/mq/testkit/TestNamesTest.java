package io.gochat.mq.testkit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestNamesTest {

    @Test
    @DisplayName("every call gives a new name")
    void namesAreUnique() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            names.add(TestNames.topic("orders"));
            names.add(TestNames.group("orders"));
        }
        assertThat(names).hasSize(2000);
    }

    @Test
    @DisplayName("names keep the purpose readable and use only characters Kafka allows")
    void namesAreLegalKafkaNames() {
        String topic = TestNames.topic("Orders placed/EU #1");
        assertThat(topic).startsWith("mq-test-orders-placed-eu--1-").matches("[a-z0-9._-]+").hasSizeLessThan(249);
        assertThat(TestNames.group("billing")).startsWith("mq-test-billing-g-");
        assertThat(TestNames.topic("x".repeat(500))).hasSizeLessThan(120);
    }

    @Test
    @DisplayName("a null purpose is rejected, naming it")
    void nullPurpose() {
        assertThatThrownBy(() -> TestNames.topic(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("purpose");
    }
}
