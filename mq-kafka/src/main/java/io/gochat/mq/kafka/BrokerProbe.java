package io.gochat.mq.kafka;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Tells why no bootstrap broker can be reached, with a plain TCP connect to each address: Kafka's
 * clients only log a refused connection and retry until their timeout (60 s by default), so a
 * wrong port or host name would otherwise be a minute of silence and a timeout naming no cause.
 * Each address gets at most {@code connectTimeoutMs}; the first one that accepts ends the probe.
 * Stateless; any thread.
 */
final class BrokerProbe {
    /** The connect bound per address unless {@code socket.connection.setup.timeout.ms} is set lower. */
    static final int DEFAULT_CONNECT_TIMEOUT_MS = 2000;

    private BrokerProbe() {
    }

    /**
     * Empty when some address of {@code bootstrap} accepts a TCP connection; otherwise each
     * address with why it failed, e.g. {@code localhost:1: connection refused}.
     *
     * @param bootstrap Kafka's {@code bootstrap.servers}: {@code host:port} separated by commas
     */
    static Optional<String> unreachable(String bootstrap, int connectTimeoutMs) {
        List<String> failures = new ArrayList<>();
        for (String server : bootstrap.split(",")) {
            String address = server.trim();
            int colon = address.lastIndexOf(':');
            if (address.isEmpty() || colon < 0) {
                continue;
            }
            String host = address.substring(0, colon).replace("[", "").replace("]", "");
            int port = Integer.parseInt(address.substring(colon + 1));
            InetAddress[] ips;
            try {
                ips = InetAddress.getAllByName(host);
            } catch (UnknownHostException e) {
                failures.add(address + ": the host name cannot be resolved");
                continue;
            }
            String why = null;
            for (InetAddress ip : ips) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(ip, port), connectTimeoutMs);
                    return Optional.empty();
                } catch (ConnectException e) {
                    why = "connection refused";
                } catch (SocketTimeoutException e) {
                    why = "no answer within " + connectTimeoutMs + " ms";
                } catch (IOException e) {
                    why = KafkaErrors.describe(e);
                }
            }
            failures.add(address + ": " + why);
        }
        return failures.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", failures));
    }
}
