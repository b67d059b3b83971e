package dev.abortguard.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abortguard.client.ledger.LedgerClients;
import dev.abortguard.client.ledger.LedgerServer.Behavior;
import dev.abortguard.client.ledger.LedgerServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The same chaotic traffic — about 30 % of payments stalled past the read timeout after being
 * recorded, 10 % reset after being recorded, 10 % dropped before being recorded — through the raw
 * client, a naive retry loop and the policy, each checked against the ledger.
 *
 * <p>N is 120 per client in the default build; {@code -Pchaos} runs 1,000.
 */
class LedgerChaosTest {

    static final int REQUESTS = Integer.getInteger("chaos.requests", 120);
    static final int THREADS = 8;
    static final Duration READ_TIMEOUT = Duration.ofMillis(300);

    LedgerServer server;
    CloseableHttpClient side;
    final Map<String, Behavior> plan = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        server = new LedgerServer();
        side = LedgerClients.sideChannel();
        // The first arrival of each key behaves as planned; resends are answered normally.
        server.script((key, arrival) -> arrival == 1 ? plan.getOrDefault(key, Behavior.ANSWER) : Behavior.ANSWER);
    }

    @AfterEach
    void stop() throws IOException {
        side.close();
        server.close();
    }

    /** What the caller saw for one logical request. */
    record Seen(String key, boolean answered, RecoveryOutcome recoveryOutcome, Throwable failure) {}

    /** One client's tally, checked against the ledger. */
    record Tally(String name, int requests, int answered, int unknownToCaller, int chargedButFailed,
            int duplicates, int disagreements, int silentUnknowns) {}

    @FunctionalInterface
    interface Sender {
        String send(HttpPost post) throws IOException;
    }

    @Test
    void policyLeavesNoDuplicateNoDisagreementAndNoSilentUnknown() throws Exception {
        List<Tally> tallies = new ArrayList<>();

        try (PoolingHttpClientConnectionManager pool = LedgerClients.pool();
                CloseableHttpClient raw = LedgerClients.builder(pool, READ_TIMEOUT).build()) {
            tallies.add(tally("raw client", run("raw", post -> raw.execute(post, LedgerChaosTest::text)), List.of()));
        }
        try (PoolingHttpClientConnectionManager pool = LedgerClients.pool();
                CloseableHttpClient naive = LedgerClients.builder(pool, READ_TIMEOUT).build()) {
            Sender retrying = post -> {
                IOException last = null;
                for (int attempt = 0; attempt < 3; attempt++) {
                    try {
                        return naive.execute(post, LedgerChaosTest::text);
                    } catch (IOException e) {
                        last = e;
                    }
                }
                throw last;
            };
            tallies.add(tally("naive retry (3 attempts)", run("naive", retrying), List.of()));
        }
        List<TimeoutRecoveryException> reported = new CopyOnWriteArrayList<>();
        RecoveryCounters counters = new RecoveryCounters();
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.STATUS_CHECK_THEN_CANCEL)
                .statusCheck(LedgerClients.statusCheck(side, server.baseUri()))
                .cancelAction(context -> CancelResult.FAILED)
                .unresolvedOutcomeHandler(reported::add)
                .addListener(counters)
                .build();
        List<Seen> policySeen;
        try (PoolingHttpClientConnectionManager pool = LedgerClients.pool();
                CloseableHttpClient wrapped = policy.wrap(policy.instrument(LedgerClients.builder(pool, READ_TIMEOUT)).build())) {
            policySeen = run("policy", post -> wrapped.execute(post, LedgerChaosTest::text));
            assertThat(pool.getTotalStats().getLeased()).as("leased connections after the run").isZero();
        }
        Tally policyTally = tally("TimeoutRecoveryPolicy", policySeen, reported);
        tallies.add(policyTally);

        print(tallies, counters);

        Tally raw = tallies.get(0);
        Tally naive = tallies.get(1);
        assertThat(raw.unknownToCaller()).as("the chaos is real: the raw client is left in the dark").isPositive();
        assertThat(naive.duplicates()).as("the chaos is real: naive retries pay twice").isPositive();

        assertThat(policyTally.duplicates()).as("duplicates").isZero();
        assertThat(policyTally.disagreements()).as("caller-visible outcomes that contradict the ledger").isZero();
        assertThat(policyTally.silentUnknowns()).as("unknowns not reported to the handler").isZero();
        assertThat(policyTally.unknownToCaller()).as("unknowns left after status checks").isZero();
        assertThat(policyTally.answered()).isEqualTo(REQUESTS);
        assertThat(counters.outcomes(RecoveryOutcome.COMPLETED)).isPositive();
        assertThat(counters.outcomes(RecoveryOutcome.RESENT)).isPositive();
    }

    private List<Seen> run(String prefix, Sender sender) throws Exception {
        Random random = new Random(42);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            String key = prefix + "-" + i;
            double r = random.nextDouble();
            plan.put(key, r < 0.30 ? Behavior.STALL_AFTER_RECORD
                    : r < 0.40 ? Behavior.RESET_AFTER_RECORD
                    : r < 0.50 ? Behavior.DROP_BEFORE_RECORD
                    : Behavior.ANSWER);
            keys.add(key);
        }
        ExecutorService callers = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Seen>> futures = new ArrayList<>();
            for (String key : keys) {
                futures.add(callers.submit(() -> {
                    HttpPost post = new HttpPost(server.baseUri() + "/payments");
                    post.setHeader("Idempotency-Key", key);
                    post.setEntity(new StringEntity("order=" + key + "&amount=100", ContentType.TEXT_PLAIN));
                    try {
                        String answer = sender.send(post);
                        return new Seen(key, answer.startsWith("2"), null, null);
                    } catch (TimeoutRecoveryException e) {
                        return new Seen(key, false, e.outcome(), e);
                    } catch (IOException e) {
                        return new Seen(key, false, null, e);
                    }
                }));
            }
            List<Seen> seen = new ArrayList<>();
            for (Future<Seen> future : futures) {
                seen.add(future.get());
            }
            return seen;
        } finally {
            callers.shutdownNow();
        }
    }

    private static String text(org.apache.hc.core5.http.ClassicHttpResponse response)
            throws IOException, org.apache.hc.core5.http.ParseException {
        return response.getCode() + " " + EntityUtils.toString(response.getEntity());
    }

    private Tally tally(String name, List<Seen> seen, List<TimeoutRecoveryException> reported) {
        int answered = 0;
        int unknown = 0;
        int disagreements = 0;
        int unresolved = 0;
        int chargedButFailed = 0;
        for (Seen s : seen) {
            int records = server.records(s.key());
            if (s.answered()) {
                answered++;
                if (records == 0) {
                    disagreements++;
                }
            } else if (s.recoveryOutcome() == RecoveryOutcome.NOT_APPLIED
                    || s.recoveryOutcome() == RecoveryOutcome.CANCELED) {
                if (records > 0 && !"CANCELED".equals(server.state(s.key()))) {
                    disagreements++;
                }
            } else if (s.recoveryOutcome() == RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE) {
                if (records == 0) {
                    disagreements++;
                }
            } else {
                // the caller has an exception and no idea what the server did
                unknown++;
                if (records > 0) {
                    chargedButFailed++;
                }
                if (s.recoveryOutcome() == RecoveryOutcome.UNRESOLVED) {
                    unresolved++;
                }
            }
        }
        int duplicates = (int) seen.stream().filter(s -> server.records(s.key()) > 1).count();
        int silent = unknown - Math.min(unresolved, reported.size());
        return new Tally(name, seen.size(), answered, unknown, chargedButFailed, duplicates, disagreements, silent);
    }

    private static void print(List<Tally> tallies, RecoveryCounters counters) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%nLedger chaos, %d payments per client, read timeout %d ms%n", REQUESTS, READ_TIMEOUT.toMillis()));
        out.append(String.format("%-26s %9s %9s %9s %17s %11s %14s %15s%n", "client", "requests",
                "answered", "unknowns", "charged, no answer", "duplicates", "disagreements", "silent unknowns"));
        for (Tally t : tallies) {
            out.append(String.format("%-26s %9d %9d %9d %17d %11d %14d %15d%n", t.name(), t.requests(),
                    t.answered(), t.unknownToCaller(), t.chargedButFailed(), t.duplicates(), t.disagreements(),
                    t.silentUnknowns()));
        }
        out.append("unknowns: the caller got an exception that says nothing about the ledger; ")
                .append("silent: unknowns no handler was told about\n");
        out.append("policy steps: ").append(counters).append('\n');
        System.out.println(out);
    }
}
