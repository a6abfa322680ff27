package io.gochat.mq.inmemory.junit;

import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.Producer;
import io.gochat.mq.inmemory.InMemoryBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("InMemoryMqExtension")
@TestClassOrder(ClassOrderer.OrderAnnotation.class) // "after a test" must run after the others
class InMemoryMqExtensionTest {
    private static final String BEFORE = "something-else";
    private static String original;

    @BeforeAll
    static void setTransportOutsideTests() {
        original = System.getProperty(Mq.TRANSPORT_PROPERTY);
        System.setProperty(Mq.TRANSPORT_PROPERTY, BEFORE);
    }

    @AfterAll
    static void restore() {
        if (original == null) {
            System.clearProperty(Mq.TRANSPORT_PROPERTY);
        } else {
            System.setProperty(Mq.TRANSPORT_PROPERTY, original);
        }
    }

    @Nested
    @Order(1)
    @DisplayName("with @ExtendWith")
    @ExtendWith(InMemoryMqExtension.class)
    class Default {
        @Test
        @DisplayName("lets Mq.newProducer work without options and shows the messages on the broker")
        void producerWithoutOptions(InMemoryBroker broker) {
            assertThat(System.getProperty(Mq.TRANSPORT_PROPERTY)).isEqualTo("inmemory");
            try (Producer producer = Mq.newProducer("svc")) {
                producer.sendSync(Message.of("greetings", "alice", "hello"));
            }
            assertThat(broker.messages("greetings")).singleElement()
                    .satisfies(m -> assertThat(m.keyAsString()).isEqualTo("alice"))
                    .satisfies(m -> assertThat(m.valueAsString()).isEqualTo("hello"));
        }

        @Test
        @DisplayName("gives every test a fresh, empty default broker")
        void freshBroker(InMemoryBroker broker) {
            assertThat(broker).isSameAs(InMemoryBroker.getDefault());
            assertThat(broker.topics()).isEmpty();
            try (Producer producer = Mq.newProducer("svc")) {
                producer.sendSync(Message.of("greetings", "bob", "hi"));
            }
            assertThat(broker.messages("greetings")).hasSize(1);
        }
    }

    @Nested
    @Order(2)
    @DisplayName("with a builder")
    class WithBuilder {
        @RegisterExtension
        final InMemoryMqExtension mq = InMemoryMqExtension.with(InMemoryBroker.builder().defaultPartitions(1));

        @Test
        @DisplayName("runs the test on a broker built from it")
        void builtBroker(InMemoryBroker broker) {
            assertThat(broker.defaultPartitions()).isEqualTo(1);
            assertThat(InMemoryBroker.getDefault()).isSameAs(broker);
            try (Producer producer = Mq.newProducer("svc")) {
                for (int i = 0; i < 10; i++) {
                    producer.sendSync(Message.of("ordered", "k" + i, Integer.toString(i)));
                }
            }
            assertThat(broker.messages("ordered")).extracting(Message::valueAsString)
                    .containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        }
    }

    @Nested
    @Order(3)
    @DisplayName("after a test")
    class After {
        @Test
        @DisplayName("the system property is restored for code outside the extension")
        void restored() {
            assertThat(System.getProperty(Mq.TRANSPORT_PROPERTY)).isEqualTo(BEFORE);
        }
    }
}
