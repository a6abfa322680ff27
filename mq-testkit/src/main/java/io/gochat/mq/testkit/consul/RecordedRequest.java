package io.gochat.mq.testkit.consul;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP request as {@link TestConsulServer} received it, for assertions such as "no request
 * carried the token in its URL". Immutable. {@link #toString()} hides the value of the
 * {@code X-Consul-Token} header.
 */
public final class RecordedRequest {
    private final String method;
    private final String path;
    private final String query;
    private final Map<String, List<String>> headers;
    private final byte[] body;

    RecordedRequest(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
        this.method = method;
        this.path = path;
        this.query = query == null ? "" : query;
        Map<String, List<String>> lower = new LinkedHashMap<>();
        headers.forEach((name, values) -> lower.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        this.headers = Collections.unmodifiableMap(lower);
        this.body = body.clone();
    }

    /** {@code GET}, {@code PUT}, {@code DELETE}, … */
    public String method() {
        return method;
    }

    /** The decoded path, e.g. {@code /v1/kv/config/dev/global/kafka.yaml}. */
    public String path() {
        return path;
    }

    /** The raw query string without {@code ?}; empty when there is none. */
    public String query() {
        return query;
    }

    /** Path and query as the client sent them: everything that ends up in access logs and proxies. */
    public String uri() {
        return query.isEmpty() ? path : path + '?' + query;
    }

    /** The first value of a header, by case-insensitive name. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** Every header, names in lower case. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The request body (empty for GET and DELETE). */
    public byte[] body() {
        return body.clone();
    }

    @Override
    public String toString() {
        Map<String, Object> shown = new LinkedHashMap<>(headers);
        shown.computeIfPresent(TestConsulServer.TOKEN_HEADER.toLowerCase(Locale.ROOT), (k, v) -> "******");
        return method + ' ' + uri() + ' ' + shown;
    }
}
