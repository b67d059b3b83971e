package dev.abortguard.client.overload;

import dev.abortguard.client.AsyncTimeoutRecovery;
import dev.abortguard.client.FailurePhase;
import dev.abortguard.client.RecoveryContext;
import dev.abortguard.client.RecoveryCounters;
import dev.abortguard.client.RecoveryListener;
import dev.abortguard.client.RecoveryMode;
import dev.abortguard.client.RecoveryOutcome;
import dev.abortguard.client.TimeoutRecoveryException;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import dev.abortguard.client.overload.ScriptedH2Server.Fate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http2.H2Error;
import org.apache.hc.core5.http2.H2StreamResetException;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * HTTP/2 {@code REFUSED_STREAM} (RFC 9113 section 8.7) through the async client, against a real
 * HTTP/2 server over loopback ({@link ScriptedH2Server}) that really resets streams: a refused
 * stream was not processed, so the policy sends it again under the same key after the backoff and
 * counts a not-applied answer; any other reset code stays an unknown outcome.
 */
class RefusedStreamTest {

    private static final String KEY = "Idempotency-Key";

    private ScriptedH2Server server;
    private final RecoveryCounters counters = new RecoveryCounters();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** An async client builder that speaks HTTP/2 over cleartext (prior knowledge). */
    private static HttpAsyncClientBuilder h2c() {
        return HttpAsyncClients.custom().setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                .setDefaultTlsConfig(TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_2).build())
                .build());
    }

    private static AsyncTimeoutRecovery wrap(TimeoutRecoveryPolicy policy, HttpAsyncClientBuilder builder) {
        CloseableHttpAsyncClient client = builder.build();
        client.start();
        return policy.wrapAsync(client);
    }

    private SimpleHttpRequest order(String method, String key) {
        return SimpleRequestBuilder.create(method).setUri(server.uri("/orders")).addHeader(KEY, key)
                .setBody("{\"order\":\"" + key + "\"}", ContentType.APPLICATION_JSON).build();
    }

    private TimeoutRecoveryPolicy.Builder policy() {
        return TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.REPORT_ONLY) // nothing but the refusal may send a request twice
                .maxAttempts(3)
                .retryBackoff(Duration.ofMillis(100), Duration.ofMillis(400))
                .addListener(counters);
    }

    @Test
    void refusedStreamsAreSentAgainUnderTheSameKeyAfterTheBackoffAndProcessedOnce() throws Exception {
        server = new ScriptedH2Server(KEY, (key, stream) -> stream == 1 ? Fate.REFUSE : Fate.SERVE);
        List<String> notApplied = new CopyOnWriteArrayList<>();
        TimeoutRecoveryPolicy policy = policy().addListener(new RecoveryListener() {
            @Override
            public void onNotApplied(RecoveryContext context) {
                notApplied.add(context.idempotencyKey() + " " + context.phase());
            }
        }).build();
        int orders = 8;
        List<String> keys = new ArrayList<>();
        try (AsyncTimeoutRecovery recovery = wrap(policy, policy.instrument(h2c()))) {
            List<CompletableFuture<SimpleHttpResponse>> answers = new ArrayList<>();
            for (int i = 0; i < orders; i++) {
                String key = "h2-order-" + i;
                keys.add(key);
                answers.add(recovery.execute(order("POST", key)));
            }
            for (int i = 0; i < orders; i++) {
                SimpleHttpResponse response = answers.get(i).get(10, TimeUnit.SECONDS);
                assertThat(response.getCode()).isEqualTo(200);
                assertThat(response.getBodyText()).isEqualTo("placed " + keys.get(i));
            }
        }
        for (String key : keys) {
            assertThat(server.streams(key)).as("streams of %s: the refused one and its resend", key).isEqualTo(2);
            assertThat(server.processed(key)).as("%s processed", key).isEqualTo(1);
        }
        assertThat(server.duplicates()).isZero();
        assertThat(server.refused()).isEqualTo(orders);
        assertThat(counters.notApplied()).isEqualTo(orders);
        assertThat(counters.retries()).isEqualTo(orders);
        assertThat(counters.outcomes(RecoveryOutcome.RETRIED)).isEqualTo(orders);
        assertThat(counters.failures(FailurePhase.OUTCOME_UNKNOWN)).isZero();
        assertThat(notApplied).hasSize(orders).allMatch(line -> line.endsWith(" NEVER_SENT"));
    }

    /**
     * Measured: HttpClient 5's async pool (the one {@code HttpAsyncClientBuilder} builds) leases an
     * HTTP/2 connection to one exchange at a time and closes it when the exchange fails, a stream
     * reset included ({@code HttpAsyncMainClientExec} marks it not reusable): every refused stream
     * costs a connection, so the server sees at least one per refusal plus the one that served last.
     */
    @Test
    void everyRefusedStreamCostsItsConnection() throws Exception {
        server = new ScriptedH2Server(KEY, (key, stream) -> stream == 1 ? Fate.REFUSE : Fate.SERVE);
        TimeoutRecoveryPolicy policy = policy().build();
        int orders = 5;
        try (AsyncTimeoutRecovery recovery = wrap(policy, policy.instrument(h2c()))) {
            for (int i = 0; i < orders; i++) {
                assertThat(recovery.execute(order("POST", "h2-seq-" + i)).get(10, TimeUnit.SECONDS).getCode()).isEqualTo(200);
            }
        }
        assertThat(server.refused()).isEqualTo(orders);
        assertThat(server.duplicates()).isZero();
        assertThat(server.connections()).isGreaterThanOrEqualTo(orders + 1);
    }

    @Test
    void theResendWaitsTheRetryBackoff() throws Exception {
        server = new ScriptedH2Server(KEY, (key, stream) -> stream == 1 ? Fate.REFUSE : Fate.SERVE);
        TimeoutRecoveryPolicy policy = policy().jitter(0).build();
        try (AsyncTimeoutRecovery recovery = wrap(policy, policy.instrument(h2c()))) {
            assertThat(recovery.execute(order("POST", "h2-timed")).get(10, TimeUnit.SECONDS).getCode()).isEqualTo(200);
        }
        List<Long> times = server.streamTimes();
        assertThat(times).hasSize(2);
        assertThat(Duration.ofNanos(times.get(1) - times.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(100));
    }

    @Test
    void anotherResetCodeAfterTheRequestWasReadIsAnUnknownOutcomeAndNotSentAgain() throws Exception {
        server = new ScriptedH2Server(KEY, (key, stream) -> Fate.PROCESS_THEN_RESET);
        TimeoutRecoveryPolicy policy = policy().build();
        Throwable failure;
        try (AsyncTimeoutRecovery recovery = wrap(policy, policy.instrument(h2c()))) {
            failure = catchThrowable(() -> recovery.execute(order("POST", "h2-internal")).get(10, TimeUnit.SECONDS));
        }
        assertThat(failure).isInstanceOf(ExecutionException.class);
        assertThat(failure.getCause()).isInstanceOf(TimeoutRecoveryException.class);
        TimeoutRecoveryException end = (TimeoutRecoveryException) failure.getCause();
        assertThat(end.phase()).isEqualTo(FailurePhase.OUTCOME_UNKNOWN);
        assertThat(end.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
        assertThat(end.getCause()).isInstanceOf(H2StreamResetException.class);
        assertThat(((H2StreamResetException) end.getCause()).getCode()).isEqualTo(H2Error.INTERNAL_ERROR.getCode());
        assertThat(server.streams("h2-internal")).isEqualTo(1);
        assertThat(server.processed("h2-internal")).isEqualTo(1);
        assertThat(counters.notApplied()).isZero();
        assertThat(counters.retries()).isZero();
    }

    @Test
    void withoutTheProofARefusedStreamIsAnUnknownOutcome() throws Exception {
        server = new ScriptedH2Server(KEY, (key, stream) -> stream == 1 ? Fate.REFUSE : Fate.SERVE);
        TimeoutRecoveryPolicy policy = policy().notAppliedAnswers(List.of()).build();
        Throwable failure;
        try (AsyncTimeoutRecovery recovery = wrap(policy, policy.instrument(h2c()))) {
            failure = catchThrowable(() -> recovery.execute(order("POST", "h2-off")).get(10, TimeUnit.SECONDS));
        }
        assertThat(failure.getCause()).isInstanceOf(TimeoutRecoveryException.class);
        assertThat(((TimeoutRecoveryException) failure.getCause()).phase()).isEqualTo(FailurePhase.OUTCOME_UNKNOWN);
        assertThat(server.streams("h2-off")).isEqualTo(1);
        assertThat(counters.notApplied()).isZero();
    }

    @Test
    void aSpentBudgetReturnsTheRefusalAndSaysSo() throws Exception {
        server = new ScriptedH2Server(KEY, (key, stream) -> stream == 1 ? Fate.REFUSE : Fate.SERVE);
        TimeoutRecoveryPolicy policy = policy().retryBudget(0.0, 0, Duration.ofSeconds(10)).build();
        Throwable failure;
        try (AsyncTimeoutRecovery recovery = wrap(policy, policy.instrument(h2c()))) {
            failure = catchThrowable(() -> recovery.execute(order("POST", "h2-budget")).get(10, TimeUnit.SECONDS));
        }
        // nothing was processed: the caller gets the refusal itself, not an unknown outcome
        assertThat(failure.getCause()).isInstanceOf(H2StreamResetException.class);
        assertThat(((H2StreamResetException) failure.getCause()).getCode()).isEqualTo(H2Error.REFUSED_STREAM.getCode());
        assertThat(server.streams("h2-budget")).isEqualTo(1);
        assertThat(server.processed("h2-budget")).isZero();
        assertThat(counters.notApplied()).isEqualTo(1);
        assertThat(counters.budgetExhausted()).isEqualTo(1);
        assertThat(counters.outcomes(RecoveryOutcome.FAILED)).isEqualTo(1);
        assertThat(counters.outcomes(RecoveryOutcome.UNRESOLVED)).isZero();
    }

    @Test
    void theLastAttemptRefusedEndsWithTheRefusal() throws Exception {
        server = new ScriptedH2Server(KEY, (key, stream) -> Fate.REFUSE);
        TimeoutRecoveryPolicy policy = policy().build();
        Throwable failure;
        try (AsyncTimeoutRecovery recovery = wrap(policy, policy.instrument(h2c()))) {
            failure = catchThrowable(() -> recovery.execute(order("POST", "h2-always")).get(10, TimeUnit.SECONDS));
        }
        assertThat(failure.getCause()).isInstanceOf(H2StreamResetException.class);
        assertThat(server.streams("h2-always")).isEqualTo(3); // maxAttempts
        assertThat(server.processed("h2-always")).isZero();
        assertThat(counters.notApplied()).isEqualTo(3);
        assertThat(counters.retries()).isEqualTo(2);
    }

    /**
     * What HttpClient 5 does by itself, measured: its default retry strategy resends a refused stream
     * of an idempotent method (any reset code: it looks at the method, not the code) and never a
     * POST's. Under {@code instrument(builder)} it leaves a covered request's refusal to the policy,
     * so that the two never both resend.
     */
    @Test
    void httpClientsOwnRetryResendsOnlyIdempotentMethodsAndLeavesCoveredOnesToThePolicy() throws Exception {
        server = new ScriptedH2Server(KEY, (key, stream) -> stream == 1 ? Fate.REFUSE : Fate.SERVE);
        try (CloseableHttpAsyncClient raw = h2c().build()) {
            raw.start();
            Throwable post = catchThrowable(() -> raw.execute(order("POST", "raw-post"), null).get(10, TimeUnit.SECONDS));
            assertThat(post.getCause()).isInstanceOf(H2StreamResetException.class);
            assertThat(raw.execute(order("PUT", "raw-put"), null).get(10, TimeUnit.SECONDS).getCode()).isEqualTo(200);
        }
        assertThat(server.streams("raw-post")).isEqualTo(1);
        assertThat(server.streams("raw-put")).isEqualTo(2);

        // a covered PUT (it carries a key) through an uninstrumented builder: HttpClient resent it
        // before the policy saw anything, so no not-applied answer was counted
        TimeoutRecoveryPolicy policy = policy().build();
        try (AsyncTimeoutRecovery recovery = wrap(policy, h2c())) {
            assertThat(recovery.execute(order("PUT", "plain-put")).get(10, TimeUnit.SECONDS).getCode()).isEqualTo(200);
        }
        assertThat(server.streams("plain-put")).isEqualTo(2);
        assertThat(counters.notApplied()).isZero();

        // instrumented: HttpClient leaves it to the policy, which resends once and counts it
        try (AsyncTimeoutRecovery recovery = wrap(policy, policy.instrument(h2c()))) {
            assertThat(recovery.execute(order("PUT", "covered-put")).get(10, TimeUnit.SECONDS).getCode()).isEqualTo(200);
        }
        assertThat(server.streams("covered-put")).isEqualTo(2);
        assertThat(server.processed("covered-put")).isEqualTo(1);
        assertThat(counters.notApplied()).isEqualTo(1);
        assertThat(server.duplicates()).isZero();
    }
}
