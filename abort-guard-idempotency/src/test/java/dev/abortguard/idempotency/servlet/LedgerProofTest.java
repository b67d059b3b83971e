package dev.abortguard.idempotency.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abortguard.client.IdempotencyStatusCheck;
import dev.abortguard.client.RecoveryCounters;
import dev.abortguard.client.RecoveryMode;
import dev.abortguard.client.RecoveryOutcome;
import dev.abortguard.client.TimeoutRecoveryException;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import dev.abortguard.idempotency.ExternalServices;
import dev.abortguard.idempotency.IdempotencyStore;
import dev.abortguard.idempotency.InMemoryIdempotencyStore;
import dev.abortguard.idempotency.servlet.ChaosProxy.Fault;
import dev.abortguard.server.containers.EmbeddedServer;
import dev.abortguard.server.containers.TomcatServer;
import jakarta.servlet.http.HttpServlet;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ledger proof: abort-guard on both ends — the wrapped client with {@link IdempotencyStatusCheck},
 * a real Tomcat with {@link IdempotencyFilter} — with a {@link ChaosProxy} between them that
 * stalls, resets after the server recorded the payment, drops before it, drops twice, and holds a
 * request before it reaches the server for longer than the client's timeout. Every payment is
 * checked against the handler's own ledger: the same table for each store.
 */
class LedgerProofTest {

    static final int PAYMENTS = Integer.getInteger("ledger.payments", 1000);
    static final int CALLERS = 16;
    static final Duration CLIENT_TIMEOUT = Duration.ofMillis(200);
    static final Duration FAULT_HOLD = Duration.ofMillis(500);

    private static final List<String> TABLE = new CopyOnWriteArrayList<>();

    record Row(String store, int payments, Map<Fault, Integer> planned, int answered, int wrong, int duplicates,
            int lost, int unresolvedReported, int silentUnknowns, int serverRequests, RecoveryCounters steps) {
    }

    static List<Arguments> stores() {
        return List.of(
                Arguments.of("in-memory", (Supplier<IdempotencyStore>) InMemoryIdempotencyStore::new),
                Arguments.of("JDBC (PostgreSQL)", (Supplier<IdempotencyStore>) ExternalServices::postgresStore),
                Arguments.of("Redis", (Supplier<IdempotencyStore>) ExternalServices::redisStore));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void everyPaymentIsAnsweredOnceAndProcessedOnce(String name, Supplier<IdempotencyStore> stores) throws Exception {
        IdempotencyStore store = stores.get();
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, Fault> plan = new ConcurrentHashMap<>();
        Map<Fault, Integer> planned = new EnumMap<>(Fault.class);
        Random random = new Random(42);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < PAYMENTS; i++) {
            String key = "ledger-" + run + "-" + i;
            double r = random.nextDouble();
            Fault fault = r < 0.15 ? Fault.STALL : r < 0.30 ? Fault.RESET_AFTER_RECORD : r < 0.40 ? Fault.DROP
                    : r < 0.50 ? Fault.LATE : Fault.PASS;
            plan.put(key, fault);
            planned.merge(fault, 1, Integer::sum);
            keys.add(key);
        }
        // 5 % are dropped twice: the first two arrivals
        Map<String, Boolean> dropTwice = new ConcurrentHashMap<>();
        for (int i = 0; i < PAYMENTS; i += 20) {
            dropTwice.put(keys.get(i), true);
            plan.put(keys.get(i), Fault.DROP);
        }
        ChaosProxy.Script script = (key, arrival) -> arrival == 1 || (arrival == 2 && dropTwice.containsKey(key))
                ? plan.getOrDefault(key, Fault.PASS) : Fault.PASS;

        PaymentsServlet payments = new PaymentsServlet();
        IdempotencyFilter filter = IdempotencyFilter.builder(store)
                .route("POST", "/payments").statusEndpoint("/idempotency/status").build();
        List<TimeoutRecoveryException> reported = new CopyOnWriteArrayList<>();
        RecoveryCounters counters = new RecoveryCounters();
        try (EmbeddedServer server = TomcatServer.start(filter, Map.of("/payments", payments,
                        "/idempotency/status", new HttpServlet() {
                        }));
                ChaosProxy proxy = new ChaosProxy(server.port(), script, FAULT_HOLD);
                CloseableHttpClient statusClient = HttpClients.custom()
                        .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(2)).build())
                        .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                                .setMaxConnPerRoute(CALLERS).setMaxConnTotal(CALLERS).build())
                        .build()) {
            TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                    .mode(RecoveryMode.STATUS_CHECK)
                    .statusCheck(IdempotencyStatusCheck.of(statusClient, URI.create("http://127.0.0.1:" + server.port() + "/idempotency/status")))
                    .statusCheckBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
                    .recoveryTimeout(Duration.ofSeconds(20))
                    .noRetryBudget() // the chaos is the point here; the budget has its own tests
                    .unresolvedOutcomeHandler(reported::add)
                    .addListener(counters)
                    .build();
            List<String> seen;
            try (CloseableHttpClient client = policy.wrap(policy.instrument(HttpClients.custom()
                    .setDefaultRequestConfig(RequestConfig.custom()
                            .setResponseTimeout(Timeout.of(CLIENT_TIMEOUT)).build())
                    .setConnectionManager(policy.instrument(PoolingHttpClientConnectionManagerBuilder.create())
                            .setMaxConnPerRoute(CALLERS).setMaxConnTotal(CALLERS).build())).build())) {
                seen = pay(client, proxy.port(), keys);
            }
            Row row = tally(name, keys, seen, planned, payments, reported, counters, proxy);
            TABLE.add(format(row));
            System.out.println(format(row));

            assertThat(row.duplicates()).as("payments processed twice").isZero();
            assertThat(row.wrong()).as("answers that are not the payment's own 201").isZero();
            assertThat(row.lost()).as("payments neither answered nor reported").isZero();
            assertThat(row.silentUnknowns()).as("unknowns no handler was told about").isZero();
            assertThat(row.answered()).as("answered").isEqualTo(PAYMENTS);
            assertThat(counters.outcomes(RecoveryOutcome.COMPLETED)).as("recovered by the status endpoint").isPositive();
            assertThat(counters.outcomes(RecoveryOutcome.RESENT)).as("resent after a 404").isPositive();
        }
    }

    private static List<String> pay(CloseableHttpClient client, int port, List<String> keys) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (String key : keys) {
                futures.add(callers.submit(() -> {
                    HttpPost post = new HttpPost("http://127.0.0.1:" + port + "/payments");
                    post.setHeader("Idempotency-Key", key);
                    post.setEntity(new StringEntity("payment-" + key, ContentType.TEXT_PLAIN));
                    try {
                        return client.execute(post, r -> r.getCode() + " " + EntityUtils.toString(r.getEntity()));
                    } catch (TimeoutRecoveryException e) {
                        return "recovery " + e.outcome();
                    } catch (Exception e) {
                        return "failure " + e;
                    }
                }));
            }
            List<String> seen = new ArrayList<>();
            for (Future<String> f : futures) {
                seen.add(f.get());
            }
            return seen;
        } finally {
            callers.shutdownNow();
        }
    }

    private static Row tally(String name, List<String> keys, List<String> seen, Map<Fault, Integer> planned,
            PaymentsServlet payments, List<TimeoutRecoveryException> reported, RecoveryCounters counters, ChaosProxy proxy) {
        int answered = 0;
        int wrong = 0;
        int duplicates = 0;
        int lost = 0;
        int unknowns = 0;
        int requests = 0;
        for (int i = 0; i < keys.size(); i++) {
            String body = "payment-" + keys.get(i);
            String answer = seen.get(i);
            int runs = payments.runsOf(body);
            requests += proxy.arrivals(keys.get(i));
            if (runs > 1) {
                duplicates++;
            }
            if (answer.startsWith("201 ") && answer.endsWith("\"body\":\"" + body + "\"}")) {
                answered++;
                if (runs != 1) {
                    wrong++;
                }
            } else if (answer.startsWith("recovery ")) {
                unknowns++;
            } else {
                wrong++;
                System.out.println("not the payment's own answer: " + keys.get(i) + " -> " + answer);
            }
            if (!answer.startsWith("201 ") && !answer.startsWith("recovery ")) {
                lost++;
            }
        }
        int silent = Math.max(0, unknowns - reported.size());
        return new Row(name, keys.size(), planned, answered, wrong, duplicates, lost, reported.size(), silent, requests, counters);
    }

    private static String format(Row r) {
        return String.format("%-18s payments %5d (%s) | answered %5d | wrong %d | duplicates %d | lost %d | "
                        + "unresolved, reported %d | silent unknowns %d | requests at the proxy %d (%.2f per payment) | steps %s",
                r.store(), r.payments(), r.planned(), r.answered(), r.wrong(), r.duplicates(), r.lost(),
                r.unresolvedReported(), r.silentUnknowns(), r.serverRequests(), r.serverRequests() / (double) r.payments(),
                r.steps());
    }

    @AfterAll
    static void printTable() {
        System.out.printf("%nLedger proof, abort-guard on both ends, client timeout %d ms, faults held %d ms:%n%s%n",
                CLIENT_TIMEOUT.toMillis(), FAULT_HOLD.toMillis(), String.join("\n", TABLE));
    }
}
