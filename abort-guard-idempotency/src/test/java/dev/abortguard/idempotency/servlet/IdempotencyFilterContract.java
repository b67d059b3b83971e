package dev.abortguard.idempotency.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.abortguard.idempotency.ClaimResult;
import dev.abortguard.idempotency.CompleteResult;
import dev.abortguard.idempotency.IdempotencyKey;
import dev.abortguard.idempotency.IdempotencyStore;
import dev.abortguard.idempotency.IdempotencyStoreException;
import dev.abortguard.idempotency.InMemoryIdempotencyStore;
import dev.abortguard.idempotency.ReleaseResult;
import dev.abortguard.idempotency.RequestFingerprint;
import dev.abortguard.idempotency.StatusResult;
import dev.abortguard.idempotency.StoredResponse;
import dev.abortguard.server.containers.EmbeddedServer;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * The filter in a real container, asked by a real HTTP client over loopback: one contract, run on
 * Tomcat, Jetty and Undertow.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class IdempotencyFilterContract {

    private static final int MAX_RESPONSE = 10_000;

    abstract EmbeddedServer start(Filter filter, Map<String, HttpServlet> servlets) throws Exception;

    private final PaymentsServlet payments = new PaymentsServlet();
    private final FailingStore store = new FailingStore(new InMemoryIdempotencyStore());
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private EmbeddedServer server;
    private EmbeddedServer releasing;

    @BeforeAll
    void startServers() throws Exception {
        HttpServlet notIntercepted = new HttpServlet() {
            @Override
            protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                resp.sendError(418, "the filter should have answered");
            }
        };
        Filter filter = IdempotencyFilter.builder(store)
                .route("POST", "/payments")
                .statusEndpoint("/idempotency/status")
                .maxRequestBodyBytes(2_000)
                .maxResponseBodyBytes(MAX_RESPONSE)
                .build();
        server = start(filter, Map.of("/payments", payments, "/idempotency/status", notIntercepted));
        Filter release = IdempotencyFilter.builder(store).route("POST", "/payments")
                .serverErrors(ServerErrorRule.RELEASE).build();
        releasing = start(release, Map.of("/payments", payments));
        logs.start();
        ((Logger) LoggerFactory.getLogger(IdempotencyFilter.class)).addAppender(logs);
    }

    @AfterAll
    void stopServers() throws Exception {
        ((Logger) LoggerFactory.getLogger(IdempotencyFilter.class)).detachAppender(logs);
        server.close();
        releasing.close();
    }

    @BeforeEach
    void clearLogs() {
        synchronized (logs.list) {
            logs.list.clear();
        }
        store.down.set(false);
    }

    private List<ILoggingEvent> lines(Level level) {
        synchronized (logs.list) {
            return logs.list.stream().filter(e -> e.getLevel() == level).toList();
        }
    }

    private HttpRequest.Builder post(EmbeddedServer target, String key, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.port() + "/payments"))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return key == null ? b : b.header("Idempotency-Key", key);
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> status(String key) throws Exception {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/idempotency/status"))
                .timeout(Duration.ofSeconds(20)).header("Idempotency-Key", key).GET().build());
    }

    private static String key() {
        return "\"" + UUID.randomUUID() + "\"";
    }

    private static String body() {
        return "pay-" + UUID.randomUUID();
    }

    @Test
    void aRepeatGetsTheStoredResponseByteForByteAndTheHandlerRunsOnce() throws Exception {
        String key = key();
        String body = body();
        HttpResponse<String> first = send(post(server, key, body).build());
        HttpResponse<String> repeat = send(post(server, key, body).build());

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(first.body()).startsWith("{\"payment\":").endsWith("\"body\":\"" + body + "\"}");
        assertThat(first.headers().firstValue(IdempotencyHeaders.REPLAYED)).isEmpty();
        assertThat(repeat.statusCode()).isEqualTo(201);
        assertThat(repeat.body()).isEqualTo(first.body());
        assertThat(repeat.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
        assertThat(repeat.headers().allValues("X-Tag")).containsExactly("one", "two");
        assertThat(repeat.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        assertThat(repeat.headers().firstValue(IdempotencyHeaders.REPLAYED)).hasValue("true");
        assertThat(payments.runsOf(body)).as("handler runs").isEqualTo(1);
    }

    @Test
    void aRepeatWhileTheFirstRunsGets409WithRetryAfterAndTheStatusEndpointSays202() throws Exception {
        String key = key();
        String body = body();
        String gate = UUID.randomUUID().toString();
        CompletableFuture<HttpResponse<String>> first = http.sendAsync(post(server, key, body).header("X-Hold", gate).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(payments.started(gate).await(10, TimeUnit.SECONDS)).isTrue();

        HttpResponse<String> repeat = send(post(server, key, body).build());
        HttpResponse<String> inProgress = status(key);
        payments.gate(gate).countDown();

        assertThat(repeat.statusCode()).isEqualTo(409);
        assertThat(repeat.headers().firstValue("Retry-After").map(Long::parseLong).orElseThrow()).isBetween(1L, 30L);
        assertThat(repeat.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(repeat.headers().firstValue(IdempotencyHeaders.STATUS)).hasValue("in-progress");
        assertThat(inProgress.statusCode()).isEqualTo(202);
        assertThat(inProgress.headers().firstValue(IdempotencyHeaders.STATUS)).hasValue("in-progress");
        assertThat(inProgress.headers().firstValue(IdempotencyHeaders.LEASE_UNTIL)).isPresent();
        assertThat(first.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
        assertThat(payments.runsOf(body)).isEqualTo(1);
    }

    @Test
    void theOutcomeIsStoredThoughTheClientGaveUpAndTheStatusEndpointHandsItOver() throws Exception {
        String key = key();
        String body = body();
        String gate = UUID.randomUUID().toString();
        HttpRequest impatient = post(server, key, body).header("X-Hold", gate).timeout(Duration.ofMillis(300)).build();
        CompletableFuture<HttpResponse<String>> first = http.sendAsync(impatient, HttpResponse.BodyHandlers.ofString());
        assertThat(payments.started(gate).await(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(first::isDone);
        assertThat(first).failsWithin(Duration.ZERO).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(HttpTimeoutException.class);

        payments.gate(gate).countDown(); // the handler finishes after its client left
        await().atMost(Duration.ofSeconds(10)).until(() -> status(key).statusCode() == 200);
        HttpResponse<String> completed = status(key);
        HttpResponse<String> repeat = send(post(server, key, body).build());

        assertThat(completed.headers().firstValue(IdempotencyHeaders.STATUS)).hasValue("completed");
        assertThat(completed.headers().firstValue(IdempotencyHeaders.RESPONSE_STATUS)).hasValue("201");
        assertThat(completed.body()).endsWith("\"body\":\"" + body + "\"}");
        assertThat(repeat.statusCode()).isEqualTo(201);
        assertThat(repeat.body()).isEqualTo(completed.body());
        assertThat(payments.runsOf(body)).as("handler runs").isEqualTo(1);
        assertThat(lines(Level.ERROR)).isEmpty();
    }

    @Test
    void theStatusEndpointSays404WithItsMarkerForAKeyNeverSeen() throws Exception {
        HttpResponse<String> unknown = status(key());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue(IdempotencyHeaders.STATUS)).hasValue("unknown");
        assertThat(unknown.headers().firstValue("Cache-Control")).hasValue("no-store");
        HttpResponse<String> post = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/idempotency/status"))
                .header("Idempotency-Key", key()).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET");
    }

    @Test
    void theSameKeyForAnotherBodyGets422AndChangesNothing() throws Exception {
        String key = key();
        String body = body();
        HttpResponse<String> first = send(post(server, key, body).build());
        HttpResponse<String> other = send(post(server, key, body + "-changed").build());

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(other.statusCode()).isEqualTo(422);
        assertThat(other.body()).contains("POST /payments");
        assertThat(payments.runsOf(body + "-changed")).isZero();
        assertThat(send(post(server, key, body).build()).body()).isEqualTo(first.body());
    }

    @Test
    void missingInvalidAndDoubledKeysGet400AndTheHandlerNeverRuns() throws Exception {
        String body = body();
        HttpResponse<String> missing = send(post(server, null, body).build());
        HttpResponse<String> tooLong = send(post(server, "k".repeat(300), body).build());
        HttpResponse<String> unclosed = send(post(server, "\"abc", body).build());
        HttpResponse<String> badEscape = send(post(server, "\"a\\nb\"", body).build());
        HttpResponse<String> doubled = send(post(server, "a", body).header("Idempotency-Key", "b").build());

        List<HttpResponse<String>> all = List.of(missing, tooLong, unclosed, badEscape, doubled);
        for (int i = 0; i < all.size(); i++) {
            HttpResponse<String> r = all.get(i);
            assertThat(r.statusCode()).as("case %d: %s", i, r.body()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        }
        assertThat(missing.body()).contains("needs an Idempotency-Key header");
        assertThat(tooLong.body()).contains("longer than 255");
        assertThat(doubled.body()).contains("more than one");
        assertThat(tooLong.body()).doesNotContain("kkkk");
        assertThat(payments.runsOf(body)).isZero();
    }

    @Test
    void aKeyWithBytesOutsidePrintableAsciiIsRefusedByTheContainerOrTheFilter() throws Exception {
        String body = body();
        // sent by hand: the JDK's client will not put such bytes in a header
        for (byte[] bad : List.of(new byte[] {'c', 'a', 'f', (byte) 0xE9}, new byte[] {'"', 'a', 0x7f, '"'},
                new byte[] {'"', 'a', 0x01, 'b', '"'})) {
            int status = rawPost(bad, body);
            assertThat(status).as("status for %s", java.util.HexFormat.of().formatHex(bad)).isEqualTo(400);
        }
        assertThat(payments.runsOf(body)).isZero();
    }

    private int rawPost(byte[] keyBytes, String body) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            var out = new java.io.ByteArrayOutputStream();
            out.write(("POST /payments HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: " + body.length()
                    + "\r\nIdempotency-Key: ").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(keyBytes);
            out.write(("\r\n\r\n" + body).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().write(out.toByteArray());
            String statusLine = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.ISO_8859_1)).readLine();
            if (statusLine == null) {
                return -1;
            }
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    @Test
    void aBodyOverTheLimitGets413AndNothingIsClaimed() throws Exception {
        String key = key();
        String body = "x".repeat(2_001);
        HttpResponse<String> tooBig = send(post(server, key, body).build());
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(payments.runsOf(body)).isZero();
        assertThat(status(key).statusCode()).isEqualTo(404);
    }

    @Test
    void aServerErrorIsStoredByDefaultAndReleasedUnderTheReleaseRule() throws Exception {
        String key = key();
        String body = body();
        HttpResponse<String> failed = send(post(server, key, body).header("X-Mode", "fail").build());
        HttpResponse<String> replayed = send(post(server, key, body).header("X-Mode", "fail").build());
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(replayed.statusCode()).isEqualTo(500);
        assertThat(replayed.body()).isEqualTo(failed.body()).contains("\"run\":1");
        assertThat(replayed.headers().firstValue(IdempotencyHeaders.REPLAYED)).hasValue("true");
        assertThat(payments.runsOf(body)).isEqualTo(1);

        String key2 = key();
        String body2 = body();
        HttpResponse<String> again1 = send(post(releasing, key2, body2).header("X-Mode", "fail").build());
        HttpResponse<String> again2 = send(post(releasing, key2, body2).header("X-Mode", "fail").build());
        assertThat(again1.body()).contains("\"run\":1");
        assertThat(again2.body()).contains("\"run\":2");
        assertThat(again2.headers().firstValue(IdempotencyHeaders.REPLAYED)).isEmpty();
        assertThat(payments.runsOf(body2)).isEqualTo(2);
    }

    @Test
    void aHandlerThatThrowsPropagatesAsWithoutTheFilterAndIsStoredAsA500() throws Exception {
        String key = key();
        String body = body();
        HttpResponse<String> failed = send(post(server, key, body).header("X-Mode", "throw").build());
        HttpResponse<String> repeat = send(post(server, key, body).header("X-Mode", "throw").build());
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(repeat.statusCode()).isEqualTo(500);
        assertThat(repeat.headers().firstValue(IdempotencyHeaders.REPLAYED)).hasValue("true");
        assertThat(payments.runsOf(body)).isEqualTo(1);
    }

    @Test
    void aResponseBodyOverTheLimitReachesItsClientWholeAndOnlyItsHeadIsStored() throws Exception {
        String key = key();
        String body = body();
        HttpResponse<byte[]> big = http.send(post(server, key, body).header("X-Mode", "big").header("X-Size", "25000").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> repeat = http.send(post(server, key, body).header("X-Mode", "big").header("X-Size", "25000").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(big.statusCode()).isEqualTo(200);
        assertThat(big.body()).hasSize(25_000);
        assertThat(repeat.statusCode()).isEqualTo(200);
        assertThat(repeat.body()).isEmpty();
        assertThat(repeat.headers().firstValue(IdempotencyHeaders.REPLAYED)).hasValue("true");
        assertThat(payments.runsOf(body)).isEqualTo(1);
        assertThat(lines(Level.WARN)).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(m -> assertThat(m).contains("outgrew maxResponseBodyBytes (" + MAX_RESPONSE + " bytes)"));
    }

    @Test
    void aStoreThatIsDownAnswers503AndTheHandlerNeverRuns() throws Exception {
        store.down.set(true);
        String body = body();
        HttpResponse<String> down = send(post(server, key(), body).build());
        HttpResponse<String> statusDown = status(key());
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(statusDown.statusCode()).isEqualTo(503);
        assertThat(payments.runsOf(body)).isZero();
    }

    @Test
    void formParametersReachTheHandlerFromTheHeldBody() throws Exception {
        String key = key();
        String a = UUID.randomUUID().toString();
        HttpRequest form = post(server, key, "a=" + a + "&b=x%20y&b=%C3%A9")
                .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8").header("X-Mode", "form").build();
        HttpResponse<String> first = send(form);
        HttpResponse<String> repeat = send(form);
        assertThat(first.body()).isEqualTo("a=" + a + " b=x y,\u00e9");
        assertThat(repeat.body()).isEqualTo(first.body());
        assertThat(payments.runsOf("form:" + a)).isEqualTo(1);
    }

    @Test
    void anAsyncHandlersResponseIsDeliveredAndStored() throws Exception {
        String key = key();
        String body = body();
        HttpResponse<String> first = send(post(server, key, body).header("X-Mode", "async").build());
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(first.body()).startsWith("{\"async\":");
        await().atMost(Duration.ofSeconds(10)).until(() -> status(key).statusCode() == 200);
        HttpResponse<String> repeat = send(post(server, key, body).header("X-Mode", "async").build());
        assertThat(repeat.body()).isEqualTo(first.body());
        assertThat(repeat.headers().firstValue(IdempotencyHeaders.REPLAYED)).hasValue("true");
        assertThat(payments.runsOf(body)).isEqualTo(1);
    }

    @Test
    void ofSixteenConcurrentRequestsWithOneKeyOneRunsAndFifteenGet409() throws Exception {
        String key = key();
        String body = body();
        String gate = UUID.randomUUID().toString();
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            // all are held at the same gate: whichever claims the key waits there, the others never reach it
            all.add(http.sendAsync(post(server, key, body).header("X-Hold", gate).build(), HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> all.stream().filter(CompletableFuture::isDone).count() == 15);
        payments.gate(gate).countDown();
        List<Integer> codes = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : all) {
            codes.add(f.get(20, TimeUnit.SECONDS).statusCode());
        }
        assertThat(codes).filteredOn(c -> c == 409).hasSize(15);
        assertThat(codes).filteredOn(c -> c == 201).hasSize(1);
        assertThat(payments.runsOf(body)).isEqualTo(1);
    }

    /** A real store that can be switched off: its backend "fails" with the store's own exception. */
    static final class FailingStore implements IdempotencyStore {
        final AtomicBoolean down = new AtomicBoolean();
        private final IdempotencyStore delegate;

        FailingStore(IdempotencyStore delegate) {
            this.delegate = delegate;
        }

        private void check() {
            if (down.get()) {
                throw new IdempotencyStoreException("backend unreachable (test)", new IOException("connection refused"));
            }
        }

        @Override
        public ClaimResult claim(IdempotencyKey key, RequestFingerprint fingerprint, Duration lease) {
            check();
            return delegate.claim(key, fingerprint, lease);
        }

        @Override
        public CompleteResult complete(IdempotencyKey key, long fencingToken, StoredResponse response) {
            check();
            return delegate.complete(key, fencingToken, response);
        }

        @Override
        public ReleaseResult release(IdempotencyKey key, long fencingToken) {
            check();
            return delegate.release(key, fencingToken);
        }

        @Override
        public StatusResult status(IdempotencyKey key) {
            check();
            return delegate.status(key);
        }

        @Override
        public int purgeExpired() {
            return delegate.purgeExpired();
        }
    }
}
