package io.gochat.mq.observe;

import io.gochat.mq.Message;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ConsumerHealth on a clock of its own: what is live, ready, and why not. */
class ConsumerHealthTest {
    private static final Duration STUCK = Duration.ofSeconds(10);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ConsumerHealth health = new ConsumerHealth(STUCK, now::get);

    private ClientObserver consumer(String id) {
        return health.client(new ClientInfo(ClientInfo.Kind.CONSUMER, "im-logic", id, "g", "inmemory", null));
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    @DisplayName("producers are not tracked; with no consumer it is live and not ready")
    void onlyConsumers() {
        assertThat(health.client(new ClientInfo(ClientInfo.Kind.PRODUCER, "s", "c", null, "inmemory", null)))
                .isSameAs(ClientObserver.NONE);
        assertThat(health.isLive()).isTrue();
        assertThat(health.isReady()).isFalse();
    }

    @Test
    @DisplayName("ready once subscribed and assigned; not ready again when its partitions are revoked")
    void readiness() {
        ClientObserver c = consumer("c-1");
        assertThat(health.isReady()).as("before subscribe").isFalse();
        c.subscribed(List.of("t"));
        assertThat(health.isReady()).as("subscribed, nothing assigned").isFalse();
        c.partitions(ClientObserver.PartitionChange.ASSIGNED, List.of(new Partition("t", 0), new Partition("t", 1)));
        assertThat(health.isReady()).isTrue();
        c.partitions(ClientObserver.PartitionChange.PAUSED, List.of(new Partition("t", 0)));
        assertThat(health.isReady()).as("a paused partition is still held").isTrue();
        c.partitions(ClientObserver.PartitionChange.REVOKED, List.of(new Partition("t", 0), new Partition("t", 1)));
        assertThat(health.isReady()).as("after revocation").isFalse();
    }

    @Test
    @DisplayName("an idle consumer whose loop turns stays live however long; a loop still past stuckAfter is not live")
    void idleVersusStillLoop() {
        ClientObserver c = consumer("c-1");
        c.subscribed(List.of("t"));
        for (int i = 0; i < 10; i++) {
            advance(STUCK.dividedBy(2));
            c.polled();
            assertThat(health.isLive()).as("idle, turn %d", i).isTrue();
        }
        advance(STUCK.plusMillis(1));
        assertThat(health.isLive()).isFalse();
        assertThat(health.statuses()).singleElement().satisfies(s ->
                assertThat(s.reason()).isEqualTo("the consumer loop has not turned for 10001 ms (stuck after 10000 ms)"));
        c.polled();
        assertThat(health.isLive()).isTrue();
    }

    @Test
    @DisplayName("a callback running past stuckAfter makes the consumer not live, naming its thread; live again when it returns")
    void stuckCallback() {
        ClientObserver c = consumer("c-1");
        c.subscribed(List.of("t"));
        ConsumeObservation running = c.consumeStarted(Message.of("t", "k", "v"), 1);
        advance(STUCK);
        c.polled();
        assertThat(health.isLive()).as("exactly stuckAfter").isTrue();
        advance(Duration.ofMillis(1));
        assertThat(health.isLive()).isFalse();
        assertThat(health.statuses().get(0).reason()).startsWith("a callback on thread " + Thread.currentThread().getName()
                + " has run for 10001 ms");
        running.completed(ConsumeObservation.Outcome.SUCCESS, null);
        c.polled();
        assertThat(health.isLive()).isTrue();
    }

    @Test
    @DisplayName("a closed consumer is forgotten; stuckAfter must be positive")
    void closedAndBadInput() {
        ClientObserver c = consumer("c-1");
        c.subscribed(List.of("t"));
        advance(STUCK.multipliedBy(2));
        assertThat(health.isLive()).isFalse();
        c.closed();
        assertThat(health.statuses()).isEmpty();
        assertThat(health.isLive()).isTrue();
        assertThatThrownBy(() -> new ConsumerHealth(Duration.ZERO))
                .hasMessage("stuckAfter: expected a positive duration but was PT0S");
    }
}
