package io.gochat.mq.spi;

import io.gochat.mq.Message;
import io.gochat.mq.observe.ClientInfo;
import io.gochat.mq.observe.ClientObserver;
import io.gochat.mq.observe.ConsumeObservation;
import io.gochat.mq.observe.MqObserver;
import io.gochat.mq.observe.SendObservation;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The observers of one client, combined and guarded. */
class ObserversTest {
    private static final ClientInfo INFO = new ClientInfo(ClientInfo.Kind.PRODUCER, "im-gateway", "gochat-im-gateway",
            null, "inmemory", null);
    private final RecordingLogger log = new RecordingLogger();

    @Test
    @DisplayName("without observers, or with one that ignores the client, it is NONE")
    void noneWhenNothingObserves() {
        assertThat(Observers.forClient(List.of(), INFO, log)).isSameAs(ClientObserver.NONE);
        assertThat(Observers.forClient(List.of(client -> ClientObserver.NONE), INFO, log)).isSameAs(ClientObserver.NONE);
    }

    @Test
    @DisplayName("every observer hears each event; headers of all are merged; consume observations complete last-first")
    void combined() {
        List<String> heard = new CopyOnWriteArrayList<>();
        MqObserver a = named("a", heard);
        MqObserver b = named("b", heard);
        ClientObserver both = Observers.forClient(List.of(a, b), INFO, log);
        SendObservation send = both.sendStarted(Message.of("t", "k", "v"));
        assertThat(send.headers()).containsOnlyKeys("from-a", "from-b");
        send.completed(null);
        both.consumeStarted(Message.of("t", "k", "v"), 2).completed(ConsumeObservation.Outcome.SUCCESS, null);
        both.closed();
        assertThat(heard).containsExactly("a:send", "b:send", "a:consume 2", "b:consume 2", "b:consumed SUCCESS",
                "a:consumed SUCCESS", "a:closed", "b:closed");
    }

    @Test
    @DisplayName("what an observer throws — creating its client observer, or in any event — is logged at WARN and the"
            + " others still hear the event")
    void failuresAreContained() {
        List<String> heard = new CopyOnWriteArrayList<>();
        MqObserver broken = client -> new ClientObserver() {
            @Override
            public SendObservation sendStarted(Message message) {
                throw new IllegalStateException("observer bug (test)");
            }

            @Override
            public void polled() {
                throw new IllegalStateException("observer bug (test)");
            }
        };
        MqObserver refusing = client -> {
            throw new IllegalStateException("cannot observe (test)");
        };
        ClientObserver observer = Observers.forClient(List.of(refusing, broken, named("ok", heard)), INFO, log);
        SendObservation send = observer.sendStarted(Message.of("t", "k", "v"));
        send.completed(null);
        observer.polled();
        assertThat(heard).containsExactly("ok:send");
        assertThat(log.events).extracting(e -> e.getLevel() + " " + RecordingLogger.keyValues(e).get("event"))
                .containsExactly("WARN client", "WARN sendStarted", "WARN polled");
    }

    private static MqObserver named(String name, List<String> heard) {
        return client -> new ClientObserver() {
            @Override
            public SendObservation sendStarted(Message message) {
                heard.add(name + ":send");
                return new SendObservation() {
                    @Override
                    public Map<String, byte[]> headers() {
                        return Map.of("from-" + name, name.getBytes(StandardCharsets.UTF_8));
                    }
                };
            }

            @Override
            public ConsumeObservation consumeStarted(Message message, int attempt) {
                heard.add(name + ":consume " + attempt);
                return new ConsumeObservation() {
                    @Override
                    public void completed(Outcome outcome, Throwable failure) {
                        heard.add(name + ":consumed " + outcome);
                    }
                };
            }

            @Override
            public void closed() {
                heard.add(name + ":closed");
            }
        };
    }
}
