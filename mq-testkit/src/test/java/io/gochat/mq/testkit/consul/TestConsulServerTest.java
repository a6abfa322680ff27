package io.gochat.mq.testkit.consul;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class TestConsulServerTest {
    private static final String KEY = "config/dev/global/kafka.yaml";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private TestConsulServer consul;

    @BeforeEach
    void start() {
        consul = new TestConsulServer().start();
    }

    @AfterEach
    void stop() {
        consul.close();
    }

    private HttpResponse<String> send(String method, String pathAndQuery, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(consul.url() + pathAndQuery))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header(TestConsulServer.TOKEN_HEADER, token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return send("GET", pathAndQuery, null, null);
    }

    @Test
    @DisplayName("it listens on the loopback address and reports it in CONSUL_HTTP_ADDR form")
    void address() {
        assertThat(consul.address()).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(consul.url()).isEqualTo("http://" + consul.address());
    }

    @Nested
    @DisplayName("KV reads and writes")
    class Kv {
        @Test
        @DisplayName("a value put over HTTP is read back as JSON with a base64 value and X-Consul-Index")
        void putThenGet() throws Exception {
            HttpResponse<String> put = send("PUT", "/v1/kv/" + KEY, "common:\n  brokers: [a:1]\n", null);
            assertThat(put.statusCode()).isEqualTo(200);
            assertThat(put.body()).isEqualTo("true");

            HttpResponse<String> got = get("/v1/kv/" + KEY);
            assertThat(got.statusCode()).isEqualTo(200);
            assertThat(got.headers().firstValue("Content-Type")).hasValue("application/json");
            long index = Long.parseLong(got.headers().firstValue("X-Consul-Index").orElseThrow());
            String base64 = Base64.getEncoder().encodeToString("common:\n  brokers: [a:1]\n".getBytes(StandardCharsets.UTF_8));
            assertThat(got.body()).isEqualTo("[{\"LockIndex\":0,\"Key\":\"" + KEY + "\",\"Flags\":0,\"Value\":\""
                    + base64 + "\",\"CreateIndex\":" + index + ",\"ModifyIndex\":" + index + "}]");
            assertThat(consul.value(KEY)).hasValue("common:\n  brokers: [a:1]\n");
        }

        @Test
        @DisplayName("?raw answers the bare value")
        void raw() throws Exception {
            consul.put(KEY, "producer:\n  lingerMs: 7\n");
            HttpResponse<String> got = get("/v1/kv/" + KEY + "?raw");
            assertThat(got.statusCode()).isEqualTo(200);
            assertThat(got.body()).isEqualTo("producer:\n  lingerMs: 7\n");
        }

        @Test
        @DisplayName("a missing key answers 404 with an empty body and an index")
        void missing() throws Exception {
            HttpResponse<String> got = get("/v1/kv/config/dev/nobody/kafka.yaml");
            assertThat(got.statusCode()).isEqualTo(404);
            assertThat(got.body()).isEmpty();
            assertThat(got.headers().firstValue("X-Consul-Index")).isPresent();
        }

        @Test
        @DisplayName("an empty value is null in JSON")
        void emptyValue() throws Exception {
            consul.put(KEY, "");
            assertThat(get("/v1/kv/" + KEY).body()).contains("\"Value\":null");
        }

        @Test
        @DisplayName("DELETE removes a key, and a later GET answers 404")
        void delete() throws Exception {
            consul.put(KEY, "x: 1");
            HttpResponse<String> deleted = send("DELETE", "/v1/kv/" + KEY, null, null);
            assertThat(deleted.body()).isEqualTo("true");
            assertThat(get("/v1/kv/" + KEY).statusCode()).isEqualTo(404);
            assertThat(consul.value(KEY)).isEmpty();
        }

        @Test
        @DisplayName("?recurse lists every key under a prefix and ?keys with a separator lists names one level down")
        void recurseAndKeys() throws Exception {
            consul.put("config/dev/global/kafka.yaml", "a").put("config/dev/im-gateway/kafka.yaml", "b")
                    .put("config/prod/global/kafka.yaml", "c");
            HttpResponse<String> recurse = get("/v1/kv/config/dev/?recurse");
            assertThat(recurse.body()).contains("\"Key\":\"config/dev/global/kafka.yaml\"")
                    .contains("\"Key\":\"config/dev/im-gateway/kafka.yaml\"").doesNotContain("prod");
            assertThat(get("/v1/kv/config/?keys&separator=/").body()).isEqualTo("[\"config/dev/\",\"config/prod/\"]");
            send("DELETE", "/v1/kv/config/dev/?recurse", null, null);
            assertThat(consul.value("config/dev/global/kafka.yaml")).isEmpty();
            assertThat(consul.value("config/prod/global/kafka.yaml")).hasValue("c");
        }

        @Test
        @DisplayName("?cas=0 writes only a new key; ?cas=<ModifyIndex> only the version it names")
        void checkAndSet() throws Exception {
            assertThat(send("PUT", "/v1/kv/k?cas=0", "one", null).body()).isEqualTo("true");
            assertThat(send("PUT", "/v1/kv/k?cas=0", "two", null).body()).isEqualTo("false");
            long index = Long.parseLong(get("/v1/kv/k").headers().firstValue("X-Consul-Index").orElseThrow());
            assertThat(send("PUT", "/v1/kv/k?cas=" + (index + 100), "three", null).body()).isEqualTo("false");
            assertThat(send("PUT", "/v1/kv/k?cas=" + index, "four", null).body()).isEqualTo("true");
            assertThat(consul.value("k")).hasValue("four");
        }
    }

    @Nested
    @DisplayName("blocking queries")
    class Blocking {
        @Test
        @DisplayName("a query with index waits until the key changes, then answers the new value and a greater index")
        void wakesOnChange() throws Exception {
            consul.put(KEY, "v1");
            long index = Long.parseLong(get("/v1/kv/" + KEY).headers().firstValue("X-Consul-Index").orElseThrow());

            CompletableFuture<HttpResponse<String>> blocked = http.sendAsync(
                    HttpRequest.newBuilder(URI.create(consul.url() + "/v1/kv/" + KEY + "?raw&index=" + index + "&wait=30s"))
                            .timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(10)).until(() -> consul.requests().stream()
                    .anyMatch(r -> r.query().contains("index=" + index)));
            consul.put("unrelated/key", "x");   // a change elsewhere does not end the wait
            assertThat(blocked).isNotDone();

            consul.put(KEY, "v2");
            HttpResponse<String> answer = blocked.get(30, TimeUnit.SECONDS);
            assertThat(answer.body()).isEqualTo("v2");
            assertThat(Long.parseLong(answer.headers().firstValue("X-Consul-Index").orElseThrow())).isGreaterThan(index);
        }

        @Test
        @DisplayName("a query with index answers the unchanged value once wait has elapsed")
        void timesOut() throws Exception {
            consul.put(KEY, "v1");
            long index = consul.index();
            long started = System.nanoTime();
            HttpResponse<String> answer = get("/v1/kv/" + KEY + "?raw&index=" + index + "&wait=300ms");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
            assertThat(answer.body()).isEqualTo("v1");
            assertThat(answer.headers().firstValue("X-Consul-Index")).hasValue(String.valueOf(index));
        }

        @Test
        @DisplayName("a malformed wait is a 400")
        void badWait() throws Exception {
            assertThat(get("/v1/kv/" + KEY + "?index=1&wait=soon").statusCode()).isEqualTo(400);
        }
    }

    @Nested
    @DisplayName("ACL")
    class Acl {
        @Test
        @DisplayName("with a required token, a request without the X-Consul-Token header gets 403")
        void noHeader() throws Exception {
            consul.requiredToken("s3cret-token").put(KEY, "v");
            assertThat(get("/v1/kv/" + KEY).statusCode()).isEqualTo(403);
            assertThat(send("GET", "/v1/kv/" + KEY, null, "wrong").statusCode()).isEqualTo(403);
            assertThat(send("GET", "/v1/kv/" + KEY + "?raw", null, "s3cret-token").body()).isEqualTo("v");
        }

        @Test
        @DisplayName("a token in the URL is refused with 400, even next to the right header")
        void tokenInUrl() throws Exception {
            consul.requiredToken("s3cret-token").put(KEY, "v");
            HttpResponse<String> refused = send("GET", "/v1/kv/" + KEY + "?token=s3cret-token", null, "s3cret-token");
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("X-Consul-Token");
        }

        @Test
        @DisplayName("recorded requests show the token header to assertions but hide it in toString")
        void recorded() throws Exception {
            consul.requiredToken("s3cret-token");
            send("GET", "/v1/kv/" + KEY, null, "s3cret-token");
            RecordedRequest r = consul.requests().get(0);
            assertThat(r.method()).isEqualTo("GET");
            assertThat(r.path()).isEqualTo("/v1/kv/" + KEY);
            assertThat(r.header("x-consul-token")).hasValue("s3cret-token");
            assertThat(r.toString()).doesNotContain("s3cret-token").contains("/v1/kv/" + KEY);
            assertThat(consul.toString()).doesNotContain("s3cret-token");
        }
    }

    @Nested
    @DisplayName("faults")
    class Faults {
        @Test
        @DisplayName("failWith answers every request with the status until the faults are cleared")
        void failWith() throws Exception {
            consul.put(KEY, "v").failWith(500);
            assertThat(get("/v1/kv/" + KEY).statusCode()).isEqualTo(500);
            assertThat(get("/v1/kv/" + KEY).statusCode()).isEqualTo(500);
            consul.clearFaults();
            assertThat(get("/v1/kv/" + KEY).statusCode()).isEqualTo(200);
        }

        @Test
        @DisplayName("failWith(status, times) fails only that many requests")
        void failTimes() throws Exception {
            consul.put(KEY, "v").failWith(503, 2);
            assertThat(get("/v1/kv/" + KEY).statusCode()).isEqualTo(503);
            assertThat(get("/v1/kv/" + KEY).statusCode()).isEqualTo(503);
            assertThat(get("/v1/kv/" + KEY).statusCode()).isEqualTo(200);
        }

        @Test
        @DisplayName("stall holds requests past a client's timeout; close releases them")
        void stall() {
            consul.put(KEY, "v").stall(Duration.ofMinutes(5));
            HttpRequest request = HttpRequest.newBuilder(URI.create(consul.url() + "/v1/kv/" + KEY))
                    .timeout(Duration.ofMillis(300)).build();
            assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(HttpTimeoutException.class);
            long started = System.nanoTime();
            consul.close();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
        }

        @Test
        @DisplayName("a closed server refuses connections")
        void closed() {
            String url = consul.url();
            consul.close();
            assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(url + "/v1/kv/x")).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        }
    }
}
