package io.gochat.mq.coord;

import com.ecwid.consul.ConsulException;
import com.ecwid.consul.transport.TransportException;
import com.ecwid.consul.v1.ConsulRawClient;
import com.ecwid.consul.v1.OperationException;
import com.ecwid.consul.v1.Response;
import com.ecwid.consul.v1.kv.KeyValueClient;
import com.ecwid.consul.v1.kv.KeyValueConsulClient;
import com.ecwid.consul.v1.kv.model.GetValue;
import io.gochat.mq.coord.ConsulUnavailableException.Reason;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.conn.ConnectTimeoutException;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClientBuilder;
import org.apache.http.message.BasicHeader;
import org.slf4j.Logger;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Reads one value from Consul KV. The only class that knows the Consul client library
 * ({@code com.ecwid.consul:consul-api}), so it can be swapped.
 *
 * <p>The ACL token travels only in the {@code X-Consul-Token} header: the library would put a
 * token given to its calls into the URL ({@code ?token=}), where access logs and proxies keep it,
 * so no call gets one; the HTTP client adds the header to every request instead. Redirects are not
 * followed (they could carry the header elsewhere). Connect and read timeouts are bounded; a
 * request that fails for want of an answer (unreachable, timed out, 5xx) is tried again, a few
 * times, with a short pause; 403 and 404 are answers and are not retried.
 *
 * <p>Thread-safe; {@link #close()} releases the connections.
 */
final class ConsulKvSource implements AutoCloseable {
    static final String TOKEN_HEADER = "X-Consul-Token";
    private static final Duration BACKOFF = Duration.ofMillis(100);

    private final URI address;
    private final boolean tokenSet;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final int attempts;
    private final Logger log;
    private final CloseableHttpClient http;
    private final KeyValueClient kv;

    /**
     * @param address {@code http(s)://host:port} of a Consul agent
     * @param token the ACL token, or {@code null}
     * @param retries extra attempts after a failure that had no answer
     */
    ConsulKvSource(URI address, String token, Duration connectTimeout, Duration readTimeout, int retries, Logger log) {
        this.address = address;
        this.tokenSet = token != null && !token.isEmpty();
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.attempts = 1 + retries;
        this.log = log;
        RequestConfig requests = RequestConfig.custom()
                .setConnectTimeout(Math.toIntExact(connectTimeout.toMillis()))
                .setConnectionRequestTimeout(Math.toIntExact(connectTimeout.toMillis()))
                .setSocketTimeout(Math.toIntExact(readTimeout.toMillis()))
                .setRedirectsEnabled(false)
                .build();
        HttpClientBuilder builder = HttpClientBuilder.create()
                .setDefaultRequestConfig(requests)
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .setMaxConnTotal(2)
                .setMaxConnPerRoute(2)
                .setUserAgent("gochat-mq-coord");
        if (tokenSet) {
            builder.setDefaultHeaders(List.of(new BasicHeader(TOKEN_HEADER, token)));
        }
        this.http = builder.build();
        this.kv = new KeyValueConsulClient(new ConsulRawClient(http, address.getScheme() + "://" + address.getHost(),
                address.getPort(), ""));
    }

    /** {@code http://host:port}, for messages. */
    String address() {
        return address.toString();
    }

    /**
     * Reads {@code key}.
     *
     * @return the value as UTF-8 text ({@code ""} for an empty value), or empty when the key does not exist
     * @throws ConsulUnavailableException when Consul gave no usable answer after the retries
     * @throws io.gochat.mq.MqConfigException when the value is too large or not UTF-8
     */
    Optional<String> read(String key) throws ConsulUnavailableException {
        ConsulUnavailableException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (attempt > 1 && !pause(attempt)) {
                break;
            }
            try {
                return once(key);
            } catch (ConsulUnavailableException e) {
                last = e;
                if (e.reason() == Reason.FORBIDDEN || e.reason() == Reason.BAD_ANSWER) {
                    throw e;
                }
                log.atDebug().setMessage("consul read failed")
                        .addKeyValue("consul", address())
                        .addKeyValue("key", key)
                        .addKeyValue("attempt", attempt)
                        .addKeyValue("of", attempts)
                        .addKeyValue("reason", e.detail())
                        .log();
            }
        }
        throw new ConsulUnavailableException(last.reason(), last.detail()
                + (attempts > 1 ? " (" + attempts + " attempts)" : ""));
    }

    private Optional<String> once(String key) throws ConsulUnavailableException {
        Response<GetValue> response;
        try {
            // no token argument on purpose: the library would put it in the URL
            response = kv.getKVValue(key);
        } catch (OperationException e) {
            throw status(e.getStatusCode(), e.getStatusMessage());
        } catch (TransportException e) {
            throw transport(e.getCause());
        } catch (ConsulException e) {
            throw new ConsulUnavailableException(Reason.BAD_ANSWER, "unexpected answer: " + e.getMessage());
        } catch (RuntimeException e) {
            // e.g. Gson on a body that is not JSON; the body is not quoted: it might hold anything
            throw new ConsulUnavailableException(Reason.BAD_ANSWER, "the answer is not Consul KV JSON ("
                    + e.getClass().getSimpleName() + ")");
        }
        GetValue value = response.getValue();
        if (value == null) {
            return Optional.empty();
        }
        if (value.getValue() == null) {
            return Optional.of("");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(value.getValue());
        } catch (IllegalArgumentException e) {
            throw new ConsulUnavailableException(Reason.BAD_ANSWER, "the value of " + key + " is not base64");
        }
        return Optional.of(KafkaYamlParser.decode(bytes, "consul " + key));
    }

    private ConsulUnavailableException status(int status, String message) {
        String text = "HTTP " + status + (message == null || message.isBlank() ? "" : " " + message);
        if (status == 401 || status == 403) {
            return new ConsulUnavailableException(Reason.FORBIDDEN, text + (tokenSet
                    ? ": the ACL token was refused; check CONSUL_HTTP_TOKEN (or -Dmq.consul.token)"
                    : ": no ACL token is set; set CONSUL_HTTP_TOKEN (or -Dmq.consul.token)"));
        }
        if (status >= 500) {
            return new ConsulUnavailableException(Reason.SERVER_ERROR, text);
        }
        return new ConsulUnavailableException(Reason.BAD_ANSWER, text);
    }

    private ConsulUnavailableException transport(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return new ConsulUnavailableException(Reason.TIMED_OUT,
                    "no connection within " + connectTimeout.toMillis() + " ms");
        }
        if (cause instanceof SocketTimeoutException) {
            return new ConsulUnavailableException(Reason.TIMED_OUT, "no answer within " + readTimeout.toMillis() + " ms");
        }
        if (cause instanceof ConnectException) {
            return new ConsulUnavailableException(Reason.UNREACHABLE, "connection refused");
        }
        if (cause instanceof UnknownHostException) {
            return new ConsulUnavailableException(Reason.UNREACHABLE, "unknown host " + address.getHost());
        }
        if (cause instanceof NoRouteToHostException) {
            return new ConsulUnavailableException(Reason.UNREACHABLE, "no route to host " + address.getHost());
        }
        String name = cause == null ? "unknown error" : cause.getClass().getSimpleName();
        return new ConsulUnavailableException(Reason.UNREACHABLE, "I/O error (" + name + ")");
    }

    private boolean pause(int attempt) {
        try {
            Thread.sleep(BACKOFF.toMillis() * (attempt - 1));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        try {
            http.close();
        } catch (IOException e) {
            log.atDebug().setMessage("closing the consul http client failed").addKeyValue("error", e.toString()).log();
        }
    }

    @Override
    public String toString() {
        return "ConsulKvSource{" + address + ", token=" + (tokenSet ? "******" : "none") + '}';
    }
}
