package io.gochat.mq.spi;

import io.gochat.mq.Message;
import io.gochat.mq.observe.ClientInfo;
import io.gochat.mq.observe.ClientObserver;
import io.gochat.mq.observe.ConsumeObservation;
import io.gochat.mq.observe.MqObserver;
import io.gochat.mq.observe.Partition;
import io.gochat.mq.observe.SendObservation;
import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the observers of a client into one {@link ClientObserver} for its transport to call:
 * {@link ClientObserver#NONE} when there are none (a transport may compare with it to skip work),
 * otherwise one that calls each in turn and logs, at WARN, and ignores what any of them throws.
 * Stateless.
 */
public final class Observers {
    private Observers() {
    }

    /**
     * The observer of the client {@code info} for {@code observers}; logs observer failures to
     * {@code log}. An observer whose {@link MqObserver#client} throws is left out (logged).
     */
    public static ClientObserver forClient(List<MqObserver> observers, ClientInfo info, Logger log) {
        List<ClientObserver> each = new ArrayList<>(observers.size());
        for (MqObserver observer : observers) {
            try {
                ClientObserver client = observer.client(info);
                if (client != null && client != ClientObserver.NONE) {
                    each.add(client);
                }
            } catch (RuntimeException e) {
                failed(log, observer, "client", e);
            }
        }
        if (each.isEmpty()) {
            return ClientObserver.NONE;
        }
        return each.size() == 1 ? new GuardedOne(each.get(0), log) : new Guarded(List.copyOf(each), log);
    }

    private static void failed(Logger log, Object observer, String event, RuntimeException e) {
        log.atWarn().setMessage("observer failed; ignored, delivery goes on")
                .addKeyValue("observer", observer.getClass().getName()).addKeyValue("event", event).setCause(e).log();
    }

    /**
     * One observer, each failure logged and ignored: the usual case, without the lists and merged
     * maps of {@link Guarded} (one small object per send or callback run, and only when the
     * observer follows it).
     */
    private static final class GuardedOne extends Guarded {
        private final ClientObserver observer;

        GuardedOne(ClientObserver observer, Logger log) {
            super(List.of(observer), log);
            this.observer = observer;
        }

        @Override
        public SendObservation sendStarted(Message message) {
            SendObservation observation;
            try {
                observation = observer.sendStarted(message);
            } catch (RuntimeException e) {
                failed(log(), observer, "sendStarted", e);
                return SendObservation.NONE;
            }
            return observation == null || observation == SendObservation.NONE ? SendObservation.NONE
                    : new GuardedSend(observation, log());
        }

        @Override
        public ConsumeObservation consumeStarted(Message message, int attempt) {
            ConsumeObservation observation;
            try {
                observation = observer.consumeStarted(message, attempt);
            } catch (RuntimeException e) {
                failed(log(), observer, "consumeStarted", e);
                return ConsumeObservation.NONE;
            }
            return observation == null || observation == ConsumeObservation.NONE ? ConsumeObservation.NONE
                    : new GuardedConsume(observation, log());
        }
    }

    /** One send observation, guarded. */
    private record GuardedSend(SendObservation observation, Logger log) implements SendObservation {
        @Override
        public Map<String, byte[]> headers() {
            try {
                Map<String, byte[]> headers = observation.headers();
                return headers == null ? Map.of() : headers;
            } catch (RuntimeException e) {
                failed(log, observation, "headers", e);
                return Map.of();
            }
        }

        @Override
        public void acknowledged(int partition, long offset) {
            guard(log, observation, "sendAcknowledged", () -> observation.acknowledged(partition, offset));
        }

        @Override
        public void completed(Throwable error) {
            guard(log, observation, "sendCompleted", () -> observation.completed(error));
        }
    }

    /** One consume observation, guarded. */
    private record GuardedConsume(ConsumeObservation observation, Logger log) implements ConsumeObservation {
        @Override
        public void completed(Outcome outcome, Throwable failure) {
            guard(log, observation, "consumeCompleted", () -> observation.completed(outcome, failure));
        }
    }

    /** Runs {@code call}; what it throws is logged at WARN as {@code observation}'s failure at {@code event}, and ignored. */
    private static void guard(Logger log, Object observation, String event, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            failed(log, observation, event, e);
        }
    }

    /** Calls every observer, each failure logged and ignored. */
    private static class Guarded implements ClientObserver {
        private final List<ClientObserver> observers;
        private final Logger log;

        Guarded(List<ClientObserver> observers, Logger log) {
            this.observers = observers;
            this.log = log;
        }

        final Logger log() {
            return log;
        }

        private void each(String event, java.util.function.Consumer<ClientObserver> call) {
            for (ClientObserver observer : observers) {
                try {
                    call.accept(observer);
                } catch (RuntimeException e) {
                    failed(log, observer, event, e);
                }
            }
        }

        private <T> List<T> started(String event, java.util.function.Function<ClientObserver, T> call, T none) {
            List<T> started = new ArrayList<>(observers.size());
            for (ClientObserver observer : observers) {
                try {
                    T observation = call.apply(observer);
                    if (observation != null && observation != none) {
                        started.add(observation);
                    }
                } catch (RuntimeException e) {
                    failed(log, observer, event, e);
                }
            }
            return started;
        }

        @Override
        public SendObservation sendStarted(Message message) {
            List<SendObservation> started = started("sendStarted", o -> o.sendStarted(message), SendObservation.NONE);
            if (started.isEmpty()) {
                return SendObservation.NONE;
            }
            return new SendObservation() {
                @Override
                public Map<String, byte[]> headers() {
                    Map<String, byte[]> all = new LinkedHashMap<>();
                    for (SendObservation observation : started) {
                        guard(observation, "headers", () -> {
                            Map<String, byte[]> some = observation.headers();
                            if (some != null) {
                                all.putAll(some);
                            }
                        });
                    }
                    return all;
                }

                @Override
                public void acknowledged(int partition, long offset) {
                    started.forEach(observation -> guard(observation, "sendAcknowledged",
                            () -> observation.acknowledged(partition, offset)));
                }

                @Override
                public void completed(Throwable error) {
                    started.forEach(observation -> guard(observation, "sendCompleted", () -> observation.completed(error)));
                }
            };
        }

        @Override
        public ConsumeObservation consumeStarted(Message message, int attempt) {
            List<ConsumeObservation> started = started("consumeStarted", o -> o.consumeStarted(message, attempt),
                    ConsumeObservation.NONE);
            if (started.isEmpty()) {
                return ConsumeObservation.NONE;
            }
            return new ConsumeObservation() {
                @Override
                public void completed(Outcome outcome, Throwable failure) {
                    // the last started completes first, as nested scopes close
                    for (int i = started.size() - 1; i >= 0; i--) {
                        ConsumeObservation observation = started.get(i);
                        guard(observation, "consumeCompleted", () -> observation.completed(outcome, failure));
                    }
                }
            };
        }

        private void guard(Object observation, String event, Runnable call) {
            Observers.guard(log, observation, event, call);
        }

        @Override
        public void polled() {
            each("polled", ClientObserver::polled);
        }

        @Override
        public void subscribed(Collection<String> topics) {
            each("subscribed", o -> o.subscribed(topics));
        }

        @Override
        public void committed(Partition partition, long offset, long logEndOffset) {
            each("committed", o -> o.committed(partition, offset, logEndOffset));
        }

        @Override
        public void partitions(PartitionChange change, Collection<Partition> partitions) {
            each("partitions", o -> o.partitions(change, partitions));
        }

        @Override
        public void retryScheduled(Message message, int attempt, long delayNanos, Throwable failure) {
            each("retryScheduled", o -> o.retryScheduled(message, attempt, delayNanos, failure));
        }

        @Override
        public void deadLettered(Message message, String deadLetterTopic, int attempts, Throwable failure) {
            each("deadLettered", o -> o.deadLettered(message, deadLetterTopic, attempts, failure));
        }

        @Override
        public void closed() {
            each("closed", ClientObserver::closed);
        }
    }
}
