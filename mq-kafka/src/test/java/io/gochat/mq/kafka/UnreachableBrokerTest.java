package io.gochat.mq.kafka;

import io.gochat.mq.AdminClient;
import io.gochat.mq.Consumer;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.MqException;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.TestNames;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A cluster that was never reachable fails within seconds, naming the address and the cause,
 * instead of Kafka's silent 60 s: nothing listening on the port fails the first call; a host name
 * that does not resolve fails already when the client is created (Kafka refuses to build it).
 */
class UnreachableBrokerTest {
    private static final long BOUND_MS = 15_000;

    static Stream<List<String>> unreachable() throws IOException {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0)) {
            freePort = socket.getLocalPort();
        }
        return Stream.of(List.of("127.0.0.1:" + freePort, "connection refused"),
                List.of("no-such-host.invalid:9092", "cannot be resolved"));
    }

    private static Option[] options(String address) {
        MqConfig config = MqConfig.builder().source("test config").common(c -> c.brokers(address)).build();
        return new Option[] {Option.withTransport("kafka"), Option.withConfig(config)};
    }

    /** Creating the client and making the call; either may fail. */
    private static void assertFailsFast(String address, String cause, Runnable call) {
        long started = System.nanoTime();
        Throwable error = catchThrowable(call::run);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(error).isInstanceOf(MqException.class).hasMessageContaining(address)
                .hasMessageContaining(cause.equals("cannot be resolved") ? "the host name cannot be resolved"
                        : "no broker reachable at common.brokers " + address + ": " + address + ": " + cause);
        assertThat(tookMs).as("ms until the error").isLessThan(BOUND_MS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unreachable")
    @DisplayName("createTopic fails within seconds, naming the address and the cause")
    void createTopic(List<String> c) {
        assertFailsFast(c.get(0), c.get(1), () -> {
            try (AdminClient admin = Mq.newAdminClient("unreachable", options(c.get(0)))) {
                admin.createTopic(TestNames.topic("unreachable"), 1, 1);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unreachable")
    @DisplayName("sendSync fails within seconds, naming the address and the cause")
    void sendSync(List<String> c) {
        assertFailsFast(c.get(0), c.get(1), () -> {
            try (Producer producer = Mq.newProducer("unreachable", options(c.get(0)))) {
                producer.sendSync(Message.of("orders", "k", "v"));
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unreachable")
    @DisplayName("the first subscribe of a consumer fails within seconds, naming the address and the cause")
    void subscribe(List<String> c) {
        assertFailsFast(c.get(0), c.get(1), () -> {
            try (Consumer consumer = Mq.newConsumer("unreachable", TestNames.group("unreachable"), options(c.get(0)))) {
                consumer.subscribe(List.of("orders"), m -> { });
            }
        });
    }
}
