package dev.abortguard.idempotency.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.abortguard.idempotency.InMemoryIdempotencyStore;
import dev.abortguard.idempotency.IdempotencyStoreOptions;
import dev.abortguard.idempotency.MutableClock;
import dev.abortguard.server.containers.EmbeddedServer;
import dev.abortguard.server.containers.TomcatServer;
import jakarta.servlet.http.HttpServlet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A handler that outlives its lease: the status endpoint says lease-expired, a repeat takes the key
 * over (its handler sees {@code tookOver}), and the late handler's outcome is delivered to its own
 * client but never overwrites the newer one.
 */
class LeaseExpiryTest {

    @Test
    void theLateWriterIsFencedAndTheNewerOutcomeStands() throws Exception {
        MutableClock clock = new MutableClock(java.time.Instant.parse("2026-12-04T12:00:00Z"));
        InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(
                IdempotencyStoreOptions.defaults().withClock(clock), 1000, 1 << 24);
        PaymentsServlet payments = new PaymentsServlet();
        HttpServlet tookOver = new HttpServlet() {
            @Override
            protected void doPost(jakarta.servlet.http.HttpServletRequest req, jakarta.servlet.http.HttpServletResponse resp)
                    throws java.io.IOException, jakarta.servlet.ServletException {
                IdempotencyClaim claim = (IdempotencyClaim) req.getAttribute(IdempotencyClaim.ATTRIBUTE);
                resp.setHeader("X-Took-Over", Boolean.toString(claim.tookOver()));
                payments.service(req, resp);
            }
        };
        IdempotencyFilter filter = IdempotencyFilter.builder(store).clock(clock).lease(Duration.ofSeconds(30))
                .route("POST", "/payments").statusEndpoint("/idempotency/status").build();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger filterLog = (Logger) LoggerFactory.getLogger(IdempotencyFilter.class);
        filterLog.addAppender(logs);
        HttpClient http = HttpClient.newHttpClient();
        try (EmbeddedServer server = TomcatServer.start(filter, Map.of("/payments", tookOver,
                "/idempotency/status", new HttpServlet() {
                }))) {
            String base = "http://127.0.0.1:" + server.port();
            String key = "\"" + UUID.randomUUID() + "\"";
            String body = "pay-" + UUID.randomUUID();
            String gate = UUID.randomUUID().toString();
            CompletableFuture<HttpResponse<String>> late = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/payments"))
                    .header("Idempotency-Key", key).header("X-Hold", gate)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(payments.started(gate).await(10, TimeUnit.SECONDS)).isTrue();

            clock.advance(Duration.ofSeconds(31)); // the first handler is still running: its lease ends
            HttpResponse<String> expired = http.send(HttpRequest.newBuilder(URI.create(base + "/idempotency/status"))
                    .header("Idempotency-Key", key).GET().build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> takeover = http.send(HttpRequest.newBuilder(URI.create(base + "/payments"))
                    .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            payments.gate(gate).countDown();
            HttpResponse<String> lateAnswer = late.get(20, TimeUnit.SECONDS);
            HttpResponse<String> stands = http.send(HttpRequest.newBuilder(URI.create(base + "/payments"))
                    .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(expired.statusCode()).isEqualTo(409);
            assertThat(expired.headers().firstValue(IdempotencyHeaders.STATUS)).hasValue("lease-expired");
            assertThat(takeover.statusCode()).isEqualTo(201);
            assertThat(takeover.headers().firstValue("X-Took-Over")).hasValue("true");
            assertThat(lateAnswer.statusCode()).as("the late handler's own client still gets its answer").isEqualTo(201);
            assertThat(lateAnswer.headers().firstValue("X-Took-Over")).hasValue("false");
            assertThat(lateAnswer.body()).isNotEqualTo(takeover.body());
            assertThat(stands.headers().firstValue(IdempotencyHeaders.REPLAYED)).hasValue("true");
            assertThat(stands.body()).as("the newer outcome stands").isEqualTo(takeover.body());
            assertThat(payments.runsOf(body)).as("both ran: the lease was shorter than the handler").isEqualTo(2);
            await().atMost(Duration.ofSeconds(5)).until(() -> logs.list.stream().anyMatch(e -> e.getLevel() == Level.WARN
                    && e.getFormattedMessage().contains("finished after its lease ended")));
        } finally {
            filterLog.detachAppender(logs);
        }
    }
}
