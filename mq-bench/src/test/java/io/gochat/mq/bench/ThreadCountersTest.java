package io.gochat.mq.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThreadCountersTest {

    @Test
    @DisplayName("perMessage divides what the thread allocated since start by the message count")
    void allocationPerMessage() {
        List<byte[]> kept = new ArrayList<>(1000);
        ThreadCounters counters = ThreadCounters.start(Thread.currentThread());
        for (int i = 0; i < 1000; i++) {
            kept.add(new byte[4096]);
        }
        ThreadCounters.Usage usage = counters.perMessage(1000);

        assertThat(kept).hasSize(1000);
        assertThat(usage.allocBytes).isBetween(4096.0, 4096.0 + 1024);
        assertThat(usage.cpuNanos).isPositive();
    }

    @Test
    @DisplayName("a thread that ended while measured is an error naming it, not a figure")
    void endedThread() throws InterruptedException {
        Thread thread = new Thread(() -> { }, "short-lived");
        thread.start();
        ThreadCounters counters = ThreadCounters.start(thread);
        thread.join();

        assertThatThrownBy(() -> counters.perMessage(1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("thread " + thread.getId() + " ended");
    }

    @Test
    @DisplayName("named finds the one live thread of that name and says so when there is none")
    void named() {
        assertThat(ThreadCounters.named(Thread.currentThread().getName())).isSameAs(Thread.currentThread());
        assertThatThrownBy(() -> ThreadCounters.named("no such thread"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("expected one live thread named [no such thread] but found 0");
    }

    @Test
    @DisplayName("median takes the last rounds only: the warm-ups come first")
    void medianOfMeasuredRounds() {
        List<ThreadCounters.Usage> usages = List.of(new ThreadCounters.Usage(1000, 1000),
                new ThreadCounters.Usage(10, 1), new ThreadCounters.Usage(30, 3), new ThreadCounters.Usage(20, 2));

        ThreadCounters.Usage median = ThreadCounters.median(usages, 3);

        assertThat(median.allocBytes).isEqualTo(20);
        assertThat(median.cpuNanos).isEqualTo(2);
    }
}
