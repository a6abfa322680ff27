package io.gochat.mq.kafka;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gochat.mq.Message;
import io.gochat.mq.Mq;
import io.gochat.mq.MqException;
import io.gochat.mq.Option;
import io.gochat.mq.Producer;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.testkit.TestNames;
import io.gochat.mq.testkit.kafka.KafkaBrokerExtension;
import io.gochat.mq.testkit.kafka.KafkaBrokerSpec;
import io.gochat.mq.testkit.kafka.TlsMaterial;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** TLS with the seed's PEM files against a broker whose listener requires client certificates. */
class TlsTest {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.dedicated(KafkaBrokerSpec.tls());

    private static MqConfig withSsl(java.util.function.Consumer<io.gochat.mq.config.SslConfig.Builder> ssl) {
        return MqConfig.builder().source("tls test")
                .common(c -> c.brokers(KAFKA.broker().bootstrapServers()).ssl(ssl))
                .consumer(c -> c.sessionTimeoutMs(6000).heartbeatIntervalMs(1000))
                .build();
    }

    @Test
    @DisplayName("CA, client certificate and PKCS#8 key from PEM files: admin, producer and consumer round trip")
    void mutualTlsRoundTrip() throws Exception {
        TlsMaterial tls = KAFKA.inProcess().tls();
        SecureRoundTrip.roundTrip(withSsl(s -> s.caCertFile(tls.caCertFile().toString())
                .clientCertFile(tls.clientCertFile().toString()).clientKeyFile(tls.clientKeyFile().toString())), "tls");
    }

    @Test
    @DisplayName("a broker certificate from an untrusted CA fails within seconds with a TLS error, not a hang")
    void untrustedCertificate(@TempDir Path dir) throws Exception {
        TlsMaterial tls = KAFKA.inProcess().tls();
        TlsMaterial stranger = TlsMaterial.generate(dir);
        MqConfig config = withSsl(s -> s.caCertFile(stranger.caCertFile().toString())
                .clientCertFile(tls.clientCertFile().toString()).clientKeyFile(tls.clientKeyFile().toString()));
        try (Producer producer = Mq.newProducer("tls", Option.withTransport("kafka"), Option.withConfig(config))) {
            long t0 = System.nanoTime();
            Throwable error = catchThrowable(() -> producer.sendSync(Message.of(TestNames.topic("untrusted"), "k", "v")));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

            assertThat(error).isInstanceOf(MqException.class)
                    .hasMessageContaining("TLS handshake")
                    .hasMessageContaining("ca_cert_file");
            assertThat(tookMs).as("ms until the error").isLessThan(10_000);
        }
        Throwable subscribe = SecureRoundTrip.subscribeFailure(config, TestNames.topic("untrusted"), Duration.ofSeconds(30));
        assertThat(subscribe).isInstanceOf(MqException.class).hasMessageContaining("TLS handshake");
    }

    @Test
    @DisplayName("insecure_skip_verify connects without the CA and logs a loud WARN")
    void insecureSkipVerify() throws Exception {
        TlsMaterial tls = KAFKA.inProcess().tls();
        Logger security = (Logger) LoggerFactory.getLogger("io.gochat.mq.kafka.security");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        security.addAppender(events);
        try {
            SecureRoundTrip.roundTrip(withSsl(s -> s.insecureSkipVerify(true)
                    .clientCertFile(tls.clientCertFile().toString()).clientKeyFile(tls.clientKeyFile().toString())), "insecure");
        } finally {
            security.detachAppender(events);
        }
        assertThat(events.list).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains("verification is OFF").contains("insecure_skip_verify");
        });
    }
}
