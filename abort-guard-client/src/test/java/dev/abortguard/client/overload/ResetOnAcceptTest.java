package dev.abortguard.client.overload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abortguard.client.FailurePhase;
import dev.abortguard.client.RecoveryContext;
import dev.abortguard.client.RecoveryListener;
import dev.abortguard.client.RecoveryMode;
import dev.abortguard.client.RecoveryOutcome;
import dev.abortguard.client.StatusDecision;
import dev.abortguard.client.TimeoutRecoveryException;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import dev.abortguard.client.ledger.LedgerClients;
import dev.abortguard.client.ledger.LedgerServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A server that resets on accept: it accepts the connection, then closes it with SO_LINGER 0 before
 * reading a byte. What the client sees is a reset after it wrote the request (or while writing it):
 * that proves nothing, so a POST is never sent again blindly. Every order ends in a defined outcome,
 * and the ledger at the server counts what was processed.
 */
class ResetOnAcceptTest {

    private static final int ORDERS = 30;
    private static final int CALLERS = 3;

    LedgerServer server;
    CloseableHttpClient side;
    ExecutorService callers;
    final Queue<TimeoutRecoveryException> unresolved = new ConcurrentLinkedQueue<>();
    final AtomicInteger resends = new AtomicInteger();
    final AtomicInteger notAppliedChecks = new AtomicInteger();
    /** The phase of every failed attempt, by key. */
    final Map<String, List<FailurePhase>> failures = new ConcurrentHashMap<>();

    final RecoveryListener counting = new RecoveryListener() {
        @Override
        public void onFailure(RecoveryContext context) {
            failures.computeIfAbsent(context.idempotencyKey(), k -> new CopyOnWriteArrayList<>()).add(context.phase());
        }

        @Override
        public void onResend(RecoveryContext context) {
            resends.incrementAndGet();
        }

        @Override
        public void onStatusCheck(RecoveryContext context, StatusDecision decision) {
            if (decision.kind() == StatusDecision.Kind.NOT_APPLIED) {
                notAppliedChecks.incrementAndGet();
            }
        }
    };

    @BeforeEach
    void start() throws IOException {
        server = new LedgerServer();
        // every other accepted connection is reset before it is read, status checks' included
        server.resetOnAccept(connection -> connection % 2 == 1);
        side = LedgerClients.sideChannel();
        callers = Executors.newFixedThreadPool(CALLERS);
    }

    @AfterEach
    void stop() throws IOException {
        callers.shutdownNow();
        side.close();
        server.close();
    }

    /** A client that opens a new connection per request, so that the server's resets keep coming. */
    CloseableHttpClient client(TimeoutRecoveryPolicy policy) {
        return policy.wrap(policy.instrument(LedgerClients.builder(LedgerClients.pool(), Duration.ofMillis(500))
                .setConnectionReuseStrategy((request, response, context) -> false)).build());
    }

    /** The order's outcome as the caller saw it: 201, or the exception. */
    Map<String, Object> orders(CloseableHttpClient client) throws Exception {
        Map<String, Future<Object>> futures = new ConcurrentHashMap<>();
        for (int i = 0; i < ORDERS; i++) {
            String key = "reset-" + i;
            futures.put(key, callers.submit(() -> {
                HttpPost post = new HttpPost(server.baseUri() + "/payments");
                post.setHeader("Idempotency-Key", key);
                post.setEntity(new StringEntity("order " + key, ContentType.TEXT_PLAIN));
                try {
                    return (Object) client.execute(post, response -> response.getCode());
                } catch (IOException e) {
                    return e;
                }
            }));
        }
        Map<String, Object> outcomes = new ConcurrentHashMap<>();
        for (Map.Entry<String, Future<Object>> f : futures.entrySet()) {
            outcomes.put(f.getKey(), f.getValue().get(60, TimeUnit.SECONDS));
        }
        return outcomes;
    }

    @Test
    void reportOnlyNeverResendsAfterAResetAndHandsEveryResetOrderToTheHandler() throws Exception {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.REPORT_ONLY)
                .unresolvedOutcomeHandler(unresolved::add)
                .addListener(counting)
                .build();
        Map<String, Object> outcomes;
        try (CloseableHttpClient client = client(policy)) {
            outcomes = orders(client);
        }
        int placed = 0;
        int unknownFailures = 0;
        int neverSentFailures = 0;
        int failedUnsent = 0;
        List<String> silent = new ArrayList<>();
        for (Map.Entry<String, Object> e : outcomes.entrySet()) {
            String key = e.getKey();
            Object outcome = e.getValue();
            List<FailurePhase> phases = failures.getOrDefault(key, List.of());
            long unknown = phases.stream().filter(p -> p == FailurePhase.OUTCOME_UNKNOWN).count();
            unknownFailures += (int) unknown;
            neverSentFailures += (int) phases.stream().filter(p -> p == FailurePhase.NEVER_SENT).count();
            if (unknown > 0) {
                // the reset came after the request was written: it proves nothing, so nothing is resent
                assertThat(phases).as(key).endsWith(FailurePhase.OUTCOME_UNKNOWN);
                if (outcome instanceof TimeoutRecoveryException
                        && ((TimeoutRecoveryException) outcome).outcome() == RecoveryOutcome.UNRESOLVED
                        && ((TimeoutRecoveryException) outcome).phase() == FailurePhase.OUTCOME_UNKNOWN
                        && unresolved.contains(outcome)) {
                    assertThat(server.arrivals(key)).as(key + " arrivals").isZero();
                } else {
                    silent.add(key + ": " + outcome);
                }
            } else if (Integer.valueOf(201).equals(outcome)) {
                // placed, possibly after resets during connect (nothing written: retried as never sent)
                placed++;
                assertThat(server.records(key)).as(key).isEqualTo(1);
            } else if (outcome instanceof IOException && !(outcome instanceof TimeoutRecoveryException)
                    && phases.size() == 3) {
                // reset during connect on every attempt: the caller's exception is the connect failure
                failedUnsent++;
                assertThat(server.arrivals(key)).as(key).isZero();
            } else {
                silent.add(key + ": " + outcome + " " + phases);
            }
        }
        System.out.printf("reset on accept, REPORT_ONLY: %d orders, %d connections reset (%d during connect: never sent,"
                        + " retried; %d after the request was written: unknown), placed %d, failed unsent %d, unresolved at the"
                        + " handler %d, resends %d, duplicates %d, silent unknowns %d%n",
                ORDERS, server.resetOnAcceptConnections(), neverSentFailures, unknownFailures, placed, failedUnsent,
                unresolved.size(),
                resends.get(), server.duplicates().size(), silent.size());
        assertThat(silent).isEmpty();
        assertThat(unknownFailures).as("resets after the request was written").isPositive();
        // every reset reached the policy as one failed attempt (HttpClient did not retry the POST itself)
        assertThat(unknownFailures + neverSentFailures).isEqualTo(server.resetOnAcceptConnections());
        // every unknown reached the handler once
        assertThat(unresolved).hasSize(unknownFailures);
        assertThat(placed + failedUnsent + unresolved.size()).isEqualTo(ORDERS);
        assertThat(resends.get()).isZero();
        assertThat(server.duplicates()).isEmpty();
    }

    @Test
    void statusCheckResendsOnlyWhatTheServerSaysWasNotAppliedAndNothingIsProcessedTwice() throws Exception {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.STATUS_CHECK)
                .statusCheck(LedgerClients.statusCheck(side, server.baseUri()))
                .statusCheckBackoff(Duration.ofMillis(20), Duration.ofMillis(100))
                .maxAttempts(5)
                .unresolvedOutcomeHandler(unresolved::add)
                .addListener(counting)
                .build();
        Map<String, Object> outcomes;
        try (CloseableHttpClient client = client(policy)) {
            outcomes = orders(client);
        }
        int placed = 0;
        int notApplied = 0;
        int unknown = 0;
        List<String> silent = new ArrayList<>();
        for (Map.Entry<String, Object> e : outcomes.entrySet()) {
            String key = e.getKey();
            Object outcome = e.getValue();
            if (Integer.valueOf(201).equals(outcome) || Integer.valueOf(200).equals(outcome)) {
                placed++;
                assertThat(server.records(key)).as(key).isEqualTo(1);
            } else if (outcome instanceof TimeoutRecoveryException) {
                TimeoutRecoveryException end = (TimeoutRecoveryException) outcome;
                if (end.outcome() == RecoveryOutcome.NOT_APPLIED) {
                    notApplied++;
                    assertThat(server.records(key)).as(key).isZero();
                } else if (end.outcome() == RecoveryOutcome.UNRESOLVED && unresolved.contains(end)) {
                    unknown++;
                } else {
                    silent.add(key + ": " + end.outcome() + " " + end.trail());
                }
            } else {
                silent.add(key + ": " + outcome);
            }
        }
        System.out.printf("reset on accept, STATUS_CHECK: %d orders, %d connections reset, placed %d, not applied %d,"
                        + " unresolved at the handler %d, resends %d after %d NOT_APPLIED answers, duplicates %d,"
                        + " silent unknowns %d%n",
                ORDERS, server.resetOnAcceptConnections(), placed, notApplied, unknown, resends.get(),
                notAppliedChecks.get(), server.duplicates().size(), silent.size());
        assertThat(silent).isEmpty();
        assertThat(server.duplicates()).isEmpty();
        assertThat(unresolved).hasSize(unknown);
        assertThat(placed + notApplied + unknown).isEqualTo(ORDERS);
        assertThat(resends.get()).isPositive();
        // every resend followed the server's own "not applied", never the reset alone
        assertThat(resends.get()).isLessThanOrEqualTo(notAppliedChecks.get());
        assertThat(placed).isGreaterThan(ORDERS / 2);
    }
}
