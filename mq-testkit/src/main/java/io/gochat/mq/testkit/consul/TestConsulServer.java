package io.gochat.mq.testkit.consul;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP server on {@code 127.0.0.1} that speaks the Consul KV API as documented, for tests of
 * code that reads its configuration from Consul. No Consul binary is needed; real Consul clients
 * talk to it over real HTTP.
 *
 * <p>What it answers:
 * <ul>
 *   <li>{@code GET /v1/kv/<key>}: a JSON array of {@code {LockIndex, Key, Flags, Value, CreateIndex,
 *       ModifyIndex}} with the value in base64 ({@code null} when empty), header
 *       {@code X-Consul-Index}; {@code ?raw} answers the bare value; {@code ?recurse} every key under
 *       the prefix; {@code ?keys} (with {@code separator}) the key names; 404 when nothing matches.</li>
 *   <li>Blocking queries: with {@code ?index=N} the answer waits until the result's index exceeds
 *       {@code N} or {@code wait} ({@code 10s}, {@code 100ms}, {@code 1m}; default 5m, at most 10m)
 *       elapses.</li>
 *   <li>{@code PUT /v1/kv/<key>} (body = value; {@code ?flags}, {@code ?cas}) and
 *       {@code DELETE /v1/kv/<key>} ({@code ?recurse}, {@code ?cas}) answer {@code true} or
 *       {@code false}.</li>
 *   <li>ACL: after {@link #requiredToken(String)} a request without that token in the
 *       {@code X-Consul-Token} header gets 403. A token in the URL ({@code ?token=}) is always
 *       refused with 400, whatever it is: URLs end up in access logs.</li>
 *   <li>Faults for the unhappy paths: {@link #failWith(int)} and {@link #stall(Duration)}.</li>
 * </ul>
 * Every request is recorded ({@link #requests()}).
 *
 * <p>Example usage:
 * <pre>{@code
 * try (TestConsulServer consul = new TestConsulServer().start()) {
 *     consul.requiredToken("s3cret");
 *     consul.put("config/dev/global/kafka.yaml", "common:\n  brokers: [\"localhost:9092\"]\n");
 *     System.setProperty("mq.consul.addr", consul.address());
 *     ...   // code under test reads Consul
 *     assertThat(consul.requests()).allSatisfy(r -> assertThat(r.query()).doesNotContain("token"));
 * }
 * }</pre>
 *
 * <p>Thread-safe: requests are served on a pool of daemon threads (so a blocking query does not
 * hold up others); the store is guarded by one lock.
 */
public final class TestConsulServer implements AutoCloseable {
    /** The header that carries the ACL token. */
    public static final String TOKEN_HEADER = "X-Consul-Token";
    /** Consul's default limit on the size of one value. */
    public static final int MAX_VALUE_BYTES = 512 * 1024;

    private static final String KV_PREFIX = "/v1/kv/";
    private static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    private static final Duration MAX_WAIT = Duration.ofMinutes(10);
    private static final Pattern WAIT = Pattern.compile("^(\\d+)(ms|s|m|h)?$");
    private static final AtomicInteger SERVERS = new AtomicInteger();

    private final Object lock = new Object();
    private final TreeMap<String, Entry> entries = new TreeMap<>();     // guarded by lock
    private final Map<String, Long> tombstones = new HashMap<>();        // guarded by lock: key -> delete index
    private long index = 1;                                              // guarded by lock
    private int failStatus;                                              // guarded by lock; 0: none
    private int failRemaining;                                           // guarded by lock; -1: forever
    private Duration stall = Duration.ZERO;                              // guarded by lock
    private boolean closed;                                              // guarded by lock

    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile String requiredToken;
    private volatile HttpServer server;
    private volatile ExecutorService executor;

    private static final class Entry {
        final byte[] value;
        final long flags;
        final long createIndex;
        final long modifyIndex;

        Entry(byte[] value, long flags, long createIndex, long modifyIndex) {
            this.value = value;
            this.flags = flags;
            this.createIndex = createIndex;
            this.modifyIndex = modifyIndex;
        }
    }

    /** A server that is not listening yet; call {@link #start()}. */
    public TestConsulServer() {
    }

    /**
     * Listens on {@code 127.0.0.1} on a free port.
     *
     * @return this
     * @throws IllegalStateException if already started or closed
     * @throws java.io.UncheckedIOException if no port can be bound
     */
    public TestConsulServer start() {
        synchronized (lock) {
            if (server != null || closed) {
                throw new IllegalStateException("TestConsulServer can be started once");
            }
            int id = SERVERS.incrementAndGet();
            AtomicInteger threads = new AtomicInteger();
            ExecutorService pool = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "test-consul-" + id + "-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            try {
                HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
                http.createContext("/", this::handle);
                http.setExecutor(pool);
                http.start();
                executor = pool;
                server = http;
            } catch (IOException e) {
                pool.shutdownNow();
                throw new java.io.UncheckedIOException("could not start the test Consul server", e);
            }
            return this;
        }
    }

    /** {@code 127.0.0.1:<port>}, the form of {@code CONSUL_HTTP_ADDR}. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://" + address();
    }

    /** The port it listens on. @throws IllegalStateException before {@link #start()} */
    public int port() {
        HttpServer http = server;
        if (http == null) {
            throw new IllegalStateException("TestConsulServer is not started");
        }
        return http.getAddress().getPort();
    }

    /**
     * Requires every request to carry {@code token} in the {@code X-Consul-Token} header; others get
     * 403 "Permission denied". {@code null} turns the check off (the default).
     */
    public TestConsulServer requiredToken(String token) {
        this.requiredToken = token;
        return this;
    }

    /** Stores a UTF-8 value, as a {@code PUT} would. */
    public TestConsulServer put(String key, String value) {
        return put(key, Objects.requireNonNull(value, "value").getBytes(StandardCharsets.UTF_8));
    }

    /** Stores a value, as a {@code PUT} would; wakes blocking queries that watch it. */
    public TestConsulServer put(String key, byte[] value) {
        requireKey(key);
        Objects.requireNonNull(value, "value");
        synchronized (lock) {
            store(key, value.clone(), 0);
        }
        return this;
    }

    /** The value of {@code key} as UTF-8, or empty when it does not exist. */
    public Optional<String> value(String key) {
        synchronized (lock) {
            Entry e = entries.get(key);
            return e == null ? Optional.empty() : Optional.of(new String(e.value, StandardCharsets.UTF_8));
        }
    }

    /** Deletes {@code key}, as a {@code DELETE} would; wakes blocking queries that watch it. */
    public TestConsulServer delete(String key) {
        synchronized (lock) {
            remove(List.of(key));
        }
        return this;
    }

    /** The current raft index: it grows with every write. */
    public long index() {
        synchronized (lock) {
            return index;
        }
    }

    /** Every request received so far, oldest first. */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    /** Forgets the recorded requests. */
    public void clearRequests() {
        requests.clear();
    }

    /**
     * Answers every following request with {@code status} (and a short text body) until
     * {@link #clearFaults()}; e.g. 500 for a Consul without a leader.
     */
    public TestConsulServer failWith(int status) {
        return failWith(status, -1);
    }

    /** Answers the next {@code times} requests with {@code status}, then serves normally again. */
    public TestConsulServer failWith(int status, int times) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status: expected 400..599 but was [" + status + "]");
        }
        if (times == 0 || times < -1) {
            throw new IllegalArgumentException("times: expected a positive number (or -1 for ever) but was [" + times + "]");
        }
        synchronized (lock) {
            failStatus = status;
            failRemaining = times;
        }
        return this;
    }

    /**
     * Holds every following request for {@code delay} before answering it, until
     * {@link #clearFaults()}: a Consul agent that hangs. {@link #close()} releases held requests.
     */
    public TestConsulServer stall(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay: expected zero or more but was [" + delay + "]");
        }
        synchronized (lock) {
            stall = delay;
        }
        return this;
    }

    /** Ends {@link #failWith} and {@link #stall}. */
    public TestConsulServer clearFaults() {
        synchronized (lock) {
            failStatus = 0;
            failRemaining = 0;
            stall = Duration.ZERO;
        }
        return this;
    }

    /** Stops listening and releases stalled and blocking requests. Idempotent. */
    @Override
    public void close() {
        HttpServer http;
        ExecutorService pool;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            http = server;
            pool = executor;
            lock.notifyAll();
        }
        closing.countDown();
        if (http != null) {
            http.stop(0);
        }
        if (pool != null) {
            pool.shutdownNow();
            try {
                pool.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        HttpServer http = server;
        return "TestConsulServer{" + (http == null ? "not started" : address()) + ", acl="
                + (requiredToken == null ? "off" : "on") + '}';
    }

    // ---- HTTP -------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) {
        try {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_VALUE_BYTES + 1);
            }
            String path = exchange.getRequestURI().getPath();
            String rawQuery = exchange.getRequestURI().getRawQuery();
            requests.add(new RecordedRequest(exchange.getRequestMethod(), path, rawQuery,
                    exchange.getRequestHeaders(), body));
            Duration delay;
            int fail;
            synchronized (lock) {
                delay = stall;
                fail = failStatus;
                if (failRemaining > 0 && --failRemaining == 0) {
                    failStatus = 0;
                }
            }
            if (!delay.isZero() && closing.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
            if (fail != 0) {
                text(exchange, fail, "injected failure " + fail);
                return;
            }
            Map<String, String> query = parseQuery(rawQuery);
            if (query.containsKey("token")) {
                text(exchange, 400, "token in the URL refused: send it in the " + TOKEN_HEADER + " header");
                return;
            }
            String required = requiredToken;
            if (required != null && !required.equals(exchange.getRequestHeaders().getFirst(TOKEN_HEADER))) {
                text(exchange, 403, "Permission denied");
                return;
            }
            if (path.startsWith(KV_PREFIX)) {
                kv(exchange, path.substring(KV_PREFIX.length()), query, body);
            } else if (path.equals("/v1/status/leader") && exchange.getRequestMethod().equals("GET")) {
                json(exchange, 200, "\"127.0.0.1:8300\"", null);
            } else {
                text(exchange, 404, "unsupported endpoint " + path + " (this test server speaks the KV API only)");
            }
        } catch (IOException e) {
            // the client went away (e.g. its read timed out); nothing to answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalArgumentException e) {
            try {
                text(exchange, 400, e.getMessage());
            } catch (IOException ignored) {
                // the client went away
            }
        } catch (RuntimeException e) {
            try {
                text(exchange, 500, "test Consul server error: " + e);
            } catch (IOException ignored) {
                // the client went away
            }
        } finally {
            exchange.close();
        }
    }

    private void kv(HttpExchange exchange, String key, Map<String, String> query, byte[] body)
            throws IOException, InterruptedException {
        switch (exchange.getRequestMethod()) {
            case "GET":
                get(exchange, key, query);
                break;
            case "PUT":
                if (body.length > MAX_VALUE_BYTES) {
                    text(exchange, 413, "Value exceeds " + MAX_VALUE_BYTES + " byte limit");
                    return;
                }
                json(exchange, 200, String.valueOf(putRequest(key, query, body)), null);
                break;
            case "DELETE":
                json(exchange, 200, String.valueOf(deleteRequest(key, query)), null);
                break;
            default:
                exchange.getResponseHeaders().set("Allow", "GET, PUT, DELETE");
                text(exchange, 405, "method " + exchange.getRequestMethod() + " not allowed");
        }
    }

    private void get(HttpExchange exchange, String key, Map<String, String> query)
            throws IOException, InterruptedException {
        boolean prefix = query.containsKey("recurse") || query.containsKey("keys");
        long wanted = parseLong(query.get("index"), "index");
        long waitMillis = parseWait(query.get("wait")).toMillis();
        List<Map.Entry<String, Entry>> found = new ArrayList<>();
        long resultIndex;
        synchronized (lock) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            while (wanted > 0 && !closed && queryIndex(key, prefix) <= wanted) {
                long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (remaining <= 0) {
                    break;
                }
                lock.wait(remaining);
            }
            resultIndex = queryIndex(key, prefix);
            if (prefix) {
                for (Map.Entry<String, Entry> e : entries.tailMap(key, true).entrySet()) {
                    if (!e.getKey().startsWith(key)) {
                        break;
                    }
                    found.add(Map.entry(e.getKey(), e.getValue()));
                }
            } else if (entries.containsKey(key)) {
                found.add(Map.entry(key, entries.get(key)));
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Consul-Index", String.valueOf(resultIndex));
        headers.put("X-Consul-Knownleader", "true");
        headers.put("X-Consul-Lastcontact", "0");
        if (found.isEmpty()) {
            headers.forEach(exchange.getResponseHeaders()::set);
            exchange.sendResponseHeaders(404, -1);
            return;
        }
        if (query.containsKey("keys")) {
            String separator = query.getOrDefault("separator", "");
            Set<String> names = new LinkedHashSet<>();
            for (Map.Entry<String, Entry> e : found) {
                String name = e.getKey();
                int cut = separator.isEmpty() ? -1 : name.indexOf(separator, key.length());
                names.add(cut < 0 ? name : name.substring(0, cut + separator.length()));
            }
            StringBuilder sb = new StringBuilder("[");
            for (String name : names) {
                sb.append(sb.length() > 1 ? "," : "").append(quote(name));
            }
            json(exchange, 200, sb.append(']').toString(), headers);
        } else if (query.containsKey("raw")) {
            headers.forEach(exchange.getResponseHeaders()::set);
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            byte[] value = found.get(0).getValue().value;
            exchange.sendResponseHeaders(200, value.length == 0 ? -1 : value.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(value);
            }
        } else {
            StringBuilder sb = new StringBuilder("[");
            for (Map.Entry<String, Entry> e : found) {
                Entry v = e.getValue();
                sb.append(sb.length() > 1 ? "," : "")
                        .append("{\"LockIndex\":0,\"Key\":").append(quote(e.getKey()))
                        .append(",\"Flags\":").append(v.flags)
                        .append(",\"Value\":").append(v.value.length == 0 ? "null"
                                : '"' + Base64.getEncoder().encodeToString(v.value) + '"')
                        .append(",\"CreateIndex\":").append(v.createIndex)
                        .append(",\"ModifyIndex\":").append(v.modifyIndex).append('}');
            }
            json(exchange, 200, sb.append(']').toString(), headers);
        }
    }

    private boolean putRequest(String key, Map<String, String> query, byte[] body) {
        requireKey(key);
        long flags = parseLong(query.get("flags"), "flags");
        synchronized (lock) {
            if (query.containsKey("cas") && !casMatches(key, parseLong(query.get("cas"), "cas"))) {
                return false;
            }
            store(key, body, flags);
            return true;
        }
    }

    private boolean deleteRequest(String key, Map<String, String> query) {
        synchronized (lock) {
            if (query.containsKey("recurse")) {
                List<String> doomed = new ArrayList<>();
                for (String k : entries.tailMap(key, true).keySet()) {
                    if (!k.startsWith(key)) {
                        break;
                    }
                    doomed.add(k);
                }
                remove(doomed);
                return true;
            }
            if (query.containsKey("cas") && !casMatches(key, parseLong(query.get("cas"), "cas"))) {
                return false;
            }
            remove(List.of(key));
            return true;
        }
    }

    // ---- store (callers hold lock) -----------------------------------------------------------

    private boolean casMatches(String key, long cas) {
        Entry e = entries.get(key);
        return cas == 0 ? e == null : e != null && e.modifyIndex == cas;
    }

    private void store(String key, byte[] value, long flags) {
        long next = ++index;
        Entry old = entries.get(key);
        entries.put(key, new Entry(value, flags, old == null ? next : old.createIndex, next));
        tombstones.remove(key);
        lock.notifyAll();
    }

    private void remove(List<String> keys) {
        boolean changed = false;
        for (String key : keys) {
            if (entries.containsKey(key)) {
                if (!changed) {
                    index++;
                    changed = true;
                }
                entries.remove(key);
                tombstones.put(key, index);
            }
        }
        if (changed) {
            lock.notifyAll();
        }
    }

    /** The X-Consul-Index of a query: the newest change among the keys it covers, else the store's index. */
    private long queryIndex(String key, boolean prefix) {
        long max = 0;
        if (prefix) {
            for (Map.Entry<String, Entry> e : entries.tailMap(key, true).entrySet()) {
                if (!e.getKey().startsWith(key)) {
                    break;
                }
                max = Math.max(max, e.getValue().modifyIndex);
            }
            for (Map.Entry<String, Long> t : tombstones.entrySet()) {
                if (t.getKey().startsWith(key)) {
                    max = Math.max(max, t.getValue());
                }
            }
        } else {
            Entry e = entries.get(key);
            max = e != null ? e.modifyIndex : tombstones.getOrDefault(key, 0L);
        }
        return max > 0 ? max : index;
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static void requireKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.startsWith("/")) {
            throw new IllegalArgumentException("key: expected a non-empty key without a leading '/' but was [" + key + "]");
        }
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String part : raw.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(name, value);
        }
        return params;
    }

    private static long parseLong(String value, String name) {
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": expected a number but was [" + value + "]");
        }
    }

    private static Duration parseWait(String value) {
        if (value == null || value.isEmpty()) {
            return DEFAULT_WAIT;
        }
        Matcher m = WAIT.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("wait: expected e.g. 10s, 100ms or 1m but was [" + value + "]");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = unit.equals("ms") ? Duration.ofMillis(n) : unit.equals("s") ? Duration.ofSeconds(n)
                : unit.equals("m") ? Duration.ofMinutes(n) : Duration.ofHours(n);
        return d.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : d;
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }

    private static void json(HttpExchange exchange, int status, String body, Map<String, String> headers)
            throws IOException {
        if (headers != null) {
            headers.forEach(exchange.getResponseHeaders()::set);
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        send(exchange, status, body);
    }

    private static void text(HttpExchange exchange, int status, String body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        send(exchange, status, body);
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
