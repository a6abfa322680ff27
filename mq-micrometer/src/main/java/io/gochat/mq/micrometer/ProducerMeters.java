package io.gochat.mq.micrometer;

import io.gochat.mq.Message;
import io.gochat.mq.observe.ClientInfo;
import io.gochat.mq.observe.SendObservation;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one producer: {@code mq.send} per topic and outcome. Thread-safe: sends start on
 * the callers' threads and end on the transport's.
 */
final class ProducerMeters extends ClientMeters {
    static final String SEND = "mq.send";

    private final Map<String, SendTimers> byTopic = new ConcurrentHashMap<>();

    ProducerMeters(ClientInfo client, MeterRegistry registry, SharedMeters shared, ClientTags clientTags) {
        super(client, registry, shared, clientTags);
    }

    /** {@code mq.send} of one topic, by outcome. */
    private record SendTimers(Timer success, Timer failure) {
    }

    @Override
    public SendObservation sendStarted(Message message) {
        if (!recording()) {
            return SendObservation.NONE;
        }
        SendTimers timers = perTopic(byTopic, message.topic(), this::timers);
        return timers == null ? SendObservation.NONE : new Send(timers, clock);
    }

    private SendTimers timers(Tags topic) {
        String description = "sends, from the call to the broker's acknowledgement or the failure";
        return new SendTimers(timer(SEND, description, topic.and("outcome", "success")),
                timer(SEND, description, topic.and("outcome", "failure")));
    }

    /** One send: when it started. */
    private static final class Send implements SendObservation {
        private final SendTimers timers;
        private final Clock clock;
        private final long started;

        Send(SendTimers timers, Clock clock) {
            this.timers = timers;
            this.clock = clock;
            this.started = clock.monotonicTime();
        }

        @Override
        public void completed(Throwable error) {
            (error == null ? timers.success : timers.failure).record(clock.monotonicTime() - started, TimeUnit.NANOSECONDS);
        }
    }
}
