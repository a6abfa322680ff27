package io.gochat.mq.observe;

import java.util.Objects;

/** A partition of a topic, as observers see it. */
public record Partition(String topic, int partition) {
    public Partition {
        Objects.requireNonNull(topic, "topic");
    }

    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}
