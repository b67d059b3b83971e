package dev.abortguard.idempotency.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.abortguard.client.IdempotencyStatusCheck;
import dev.abortguard.client.RecoveryMode;
import dev.abortguard.client.RecoveryOutcome;
import dev.abortguard.client.TimeoutRecoveryException;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import dev.abortguard.idempotency.InMemoryIdempotencyStore;
import dev.abortguard.server.containers.EmbeddedServer;
import dev.abortguard.server.containers.TomcatServer;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * abort-guard on both ends: the wrapped client with {@link IdempotencyStatusCheck} against a real
 * Tomcat running {@link IdempotencyFilter}, no status-check code written. The client's timeout is
 * 300 ms; the server really holds requests longer.
 */
class BothEndsTest {

    private final PaymentsServlet payments = new PaymentsServlet();
    private final FrontDoor front = new FrontDoor();
    private EmbeddedServer server;
    private CloseableHttpClient statusClient;
    private CloseableHttpClient client;

    @BeforeEach
    void start() throws Exception {
        IdempotencyFilter idempotency = IdempotencyFilter.builder(new InMemoryIdempotencyStore())
                .route("POST", "/payments").statusEndpoint("/idempotency/status").build();
        front.next = idempotency;
        // a bare embedded Tomcat has no default servlet, and a request no servlet maps never reaches a filter
        server = TomcatServer.start(front, Map.of("/payments", payments, "/idempotency/status", new jakarta.servlet.http.HttpServlet() {
        }));
        statusClient = HttpClients.createDefault();
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.STATUS_CHECK)
                .statusCheck(IdempotencyStatusCheck.of(statusClient, URI.create(base() + "/idempotency/status")))
                .statusCheckBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .recoveryTimeout(Duration.ofSeconds(15))
                .build();
        RequestConfig timeouts = RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(300)).build();
        client = policy.wrap(policy.instrument(HttpClients.custom().setDefaultRequestConfig(timeouts)).build());
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        statusClient.close();
        server.close();
    }

    private String base() {
        return "http://127.0.0.1:" + server.port();
    }

    private HttpPost payment(String body) {
        HttpPost post = new HttpPost(base() + "/payments");
        post.setEntity(new StringEntity(body, ContentType.TEXT_PLAIN));
        return post;
    }

    @Test
    void aStalledPaymentReachesItsCallerFromTheStatusEndpointAndRunsOnce() throws Exception {
        String body = "pay-" + UUID.randomUUID();
        String gate = UUID.randomUUID().toString();
        HttpPost post = payment(body);
        post.setHeader("X-Hold", gate);
        // the handler is held until the client has timed out and asked the status endpoint (202) twice
        Thread opener = new Thread(() -> {
            await().atMost(Duration.ofSeconds(15)).until(() -> front.statusAnswers.get() >= 2);
            payments.gate(gate).countDown();
        });
        opener.start();

        String answer = client.execute(post, response -> response.getCode() + " " + EntityUtils.toString(response.getEntity()));
        opener.join(TimeUnit.SECONDS.toMillis(20));

        assertThat(answer).startsWith("201 {\"payment\":").endsWith("\"body\":\"" + body + "\"}");
        assertThat(payments.runsOf(body)).as("handler runs").isEqualTo(1);
        assertThat(front.paymentRequests.get()).as("payment requests the server saw").isEqualTo(1);
    }

    @Test
    void aPaymentHeldBeforeTheHandlerLongerThanTheTimeoutIsResentAndStillRunsOnce() throws Exception {
        String body = "pay-" + UUID.randomUUID();
        String gate = UUID.randomUUID().toString();
        HttpPost post = payment(body);
        // held in front of the filter (a load balancer, an accept queue): the status endpoint cannot
        // see it and says 404, the client resends under the same key, the resend runs the handler
        post.setHeader("X-Front-Hold", gate);

        String answer = client.execute(post, response -> response.getCode() + " " + EntityUtils.toString(response.getEntity()));
        front.gate(gate).countDown(); // now the held original reaches the filter: its key is taken
        await().atMost(Duration.ofSeconds(10)).until(() -> front.released.contains(gate));

        assertThat(answer).startsWith("201 {\"payment\":");
        assertThat(front.paymentRequests.get()).as("payment requests the server saw").isEqualTo(2);
        assertThat(payments.runsOf(body)).as("handler runs").isEqualTo(1);
        assertThat(front.replayedToTheHeldOriginal).containsExactly(gate);
    }

    @Test
    void aStatusUrlThatIsWrongAnswers404WithoutTheMarkerAndNeverCausesAResend() throws Exception {
        TimeoutRecoveryPolicy misconfigured = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.STATUS_CHECK)
                .statusCheck(IdempotencyStatusCheck.of(statusClient, URI.create(base() + "/no/such/status")))
                .statusCheckBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .recoveryTimeout(Duration.ofMillis(1500))
                .build();
        RequestConfig timeouts = RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(300)).build();
        String body = "pay-" + UUID.randomUUID();
        String gate = UUID.randomUUID().toString();
        HttpPost post = payment(body);
        post.setHeader("X-Front-Hold", gate);
        try (CloseableHttpClient wrong = misconfigured.wrap(misconfigured.instrument(
                HttpClients.custom().setDefaultRequestConfig(timeouts)).build())) {
            assertThatThrownBy(() -> wrong.execute(post, response -> response.getCode()))
                    .isInstanceOfSatisfying(TimeoutRecoveryException.class,
                            e -> assertThat(e.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED));
        } finally {
            front.gate(gate).countDown();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> front.released.contains(gate));
        assertThat(front.paymentRequests.get()).as("payment requests the server saw: no resend").isEqualTo(1);
        assertThat(payments.runsOf(body)).isEqualTo(1);
    }

    /**
     * In front of the idempotency filter: counts what reaches the server, and holds the first request
     * carrying {@code X-Front-Hold} (not its resend) until the test opens the gate.
     */
    static final class FrontDoor implements Filter {
        volatile Filter next;
        final AtomicInteger statusAnswers = new AtomicInteger();
        final AtomicInteger paymentRequests = new AtomicInteger();
        final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
        final Set<String> held = ConcurrentHashMap.newKeySet();
        final Set<String> released = ConcurrentHashMap.newKeySet();
        final Set<String> replayedToTheHeldOriginal = ConcurrentHashMap.newKeySet();

        CountDownLatch gate(String name) {
            return gates.computeIfAbsent(name, n -> new CountDownLatch(1));
        }

        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            HttpServletRequest request = (HttpServletRequest) req;
            if (request.getRequestURI().equals("/payments")) {
                paymentRequests.incrementAndGet();
            }
            String hold = request.getHeader("X-Front-Hold");
            boolean holding = hold != null && held.add(hold);
            if (holding) {
                try {
                    gate(hold).await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            next.doFilter(req, res, chain);
            if (holding) {
                if ("true".equals(((jakarta.servlet.http.HttpServletResponse) res).getHeader(IdempotencyHeaders.REPLAYED))) {
                    replayedToTheHeldOriginal.add(hold);
                }
                released.add(hold);
            }
            if (request.getRequestURI().equals("/idempotency/status")
                    && ((jakarta.servlet.http.HttpServletResponse) res).getStatus() == 202) {
                statusAnswers.incrementAndGet();
            }
        }
    }
}
