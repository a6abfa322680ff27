package io.gochat.mq.inmemory;

import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.MqTimeoutException;
import io.gochat.mq.Producer;
import io.gochat.mq.inmemory.junit.InMemoryMqExtension;
import io.gochat.mq.testkit.RecordingConsumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.gochat.mq.inmemory.Clients.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@DisplayName("InMemoryBroker.awaitAssigned")
@ExtendWith(InMemoryMqExtension.class)
class AwaitAssignedTest {

    @Test
    @DisplayName("with the default autoOffsetReset (latest), a message sent right after awaitAssigned is always received:"
            + " 200 subscribers started on a thread, each followed at once by one send")
    void sendAfterAwaitAssignedIsNeverSkipped(InMemoryBroker broker) throws Exception {
        for (int i = 0; i < 200; i++) {
            String topic = "await.latest." + i;
            String group = "await-group-" + i;
            BlockingQueue<Message> received = new LinkedBlockingQueue<>();
            // no options: the extension's transport and MqConfig.defaults(), whose autoOffsetReset is latest
            try (Consumer consumer = Mq.newConsumer("svc", group); Producer producer = Mq.newProducer("svc")) {
                Thread subscriber = new Thread(() -> consumer.subscribe(List.of(topic), received::add), "subscriber-" + i);
                subscriber.start();
                broker.awaitAssigned(group);
                producer.sendSync(Message.of(topic, "user-" + i, "hello"));
                Message message = received.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(message).as("the message sent after awaitAssigned, round %d", i).isNotNull();
                assertThat(message.keyAsString()).isEqualTo("user-" + i);
                consumer.close();
                subscriber.join(TIMEOUT.toMillis());
                assertThat(subscriber.isAlive()).as("subscribe returned after close").isFalse();
            }
        }
    }

    @Test
    @DisplayName("returns once a joining member has taken its share: every partition has its target owner")
    void settlesAfterARebalance(InMemoryBroker broker) {
        Clients.createTopic("await.rebalance", 4);
        try (RecordingConsumer first = Clients.start("g", Clients.earliest(), "await.rebalance")) {
            broker.awaitAssigned("g");
            assertThat(broker.assignment("g").values()).singleElement().asList().hasSize(4);
            try (RecordingConsumer second = Clients.start("g", Clients.earliest(), "await.rebalance")) {
                // awaitAssigned knows the members that joined; the second joins on its own thread
                await().atMost(TIMEOUT).until(() -> broker.members("g").size() == 2);
                broker.awaitAssigned("g");
                assertThat(broker.assignment("g")).hasSize(2)
                        .allSatisfy((member, partitions) -> assertThat(partitions).hasSize(2));
            }
        }
    }

    @Test
    @DisplayName("times out with an MqTimeoutException naming the group and saying it has no member")
    void timesOutWithoutAMember() {
        InMemoryBroker broker = InMemoryBroker.getDefault();
        assertThatThrownBy(() -> broker.awaitAssigned("nobody-here", Duration.ofMillis(50)))
                .isInstanceOf(MqTimeoutException.class)
                .hasMessageContaining("'nobody-here'")
                .hasMessageContaining("within 50 ms")
                .hasMessageContaining("has no member");
    }

    @Test
    @DisplayName("rejects a null group and a negative timeout")
    void badArguments(InMemoryBroker broker) {
        assertThatThrownBy(() -> broker.awaitAssigned(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("group");
        assertThatThrownBy(() -> broker.awaitAssigned("g", Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
    }
}
