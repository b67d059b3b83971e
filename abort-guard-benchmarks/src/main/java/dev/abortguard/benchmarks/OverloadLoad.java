package dev.abortguard.benchmarks;

import dev.abortguard.client.FailurePhase;
import dev.abortguard.client.InFlightLimitExceededException;
import dev.abortguard.client.RecoveryOutcome;
import dev.abortguard.client.TimeoutRecoveryException;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import dev.abortguard.examples.overload.FastHttpLikeUpstream;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The second source document's overload as a load run: callers three times the upstream's
 * connection limit send orders (POST with an {@code Idempotency-Key}) straight to the demo's
 * {@link FastHttpLikeUpstream} (16 connections, 1-3 s per order), through four clients in turn, each
 * against a fresh upstream with the same latencies: raw HttpClient 5 (retries disabled), HttpClient 5
 * with its default retry, a naive retry loop (resend at once on any IOException or 503, up to 4
 * sends) and abort-guard ({@code maxInFlightPerRoute} at the upstream's limit). Goodput counts orders
 * the caller saw placed and the upstream's ledger processed exactly once, per second of the run.
 */
final class OverloadLoad {

    static final String[] CLIENTS = {"raw", "defaultRetry", "naiveRetry", "abortGuard"};
    private static final int LIMIT = 16;
    private static final int CALLERS = 48;
    private static final int POOL_SIZE = 64;
    private static final int NAIVE_SENDS = 4;
    private static final Timeout RESPONSE_TIMEOUT = Timeout.ofSeconds(5);

    private OverloadLoad() {
    }

    /** What one client did with the orders. */
    private static final class Outcomes {
        final AtomicInteger placed = new AtomicInteger();
        final AtomicInteger unknown = new AtomicInteger();
        final List<String> placedKeys = java.util.Collections.synchronizedList(new ArrayList<>());
        final Latencies latencies = new Latencies();
    }

    private interface Order {
        /** @return true when the caller saw the order placed; throws for an unknown outcome */
        boolean place(HttpPost post) throws IOException;
    }

    static void run(Map<String, String> results, double scale) throws Exception {
        int orders = (int) Math.max(CALLERS, Math.round(160 * scale));
        results.put("orders", String.valueOf(orders));
        results.put("callers", String.valueOf(CALLERS));
        results.put("limit", String.valueOf(LIMIT));
        results.put("responseTimeoutMs", String.valueOf(RESPONSE_TIMEOUT.toMilliseconds()));
        for (String name : CLIENTS) {
            try (FastHttpLikeUpstream upstream = new FastHttpLikeUpstream(LIMIT, Duration.ofSeconds(1), Duration.ofSeconds(3), 13);
                 CloseableHttpClient client = client(name)) {
                Order order = name.equals("naiveRetry") ? naive(client) : post -> send(client, post);
                Outcomes outcomes = new Outcomes();
                long start = System.nanoTime();
                drive(upstream, order, name, orders, outcomes);
                double seconds = (System.nanoTime() - start) / 1e9;
                int exactlyOnce = 0;
                for (String key : outcomes.placedKeys) {
                    exactlyOnce += upstream.processed(key) == 1 ? 1 : 0;
                }
                results.put(name + ".placed", String.valueOf(outcomes.placed.get()));
                results.put(name + ".placedExactlyOnce", String.valueOf(exactlyOnce));
                results.put(name + ".seconds", f(seconds));
                results.put(name + ".goodput", f(exactlyOnce / seconds));
                results.put(name + ".amplification", f((double) upstream.upstreamRequests() / orders));
                results.put(name + ".p50", f(outcomes.latencies.quantileMs(0.50)));
                results.put(name + ".p99", f(outcomes.latencies.quantileMs(0.99)));
                results.put(name + ".duplicates", String.valueOf(upstream.keysProcessedMoreThanOnce()));
                results.put(name + ".unknown", String.valueOf(outcomes.unknown.get()));
                results.put(name + ".upstream503s", String.valueOf(upstream.refusedConnections()));
                results.put(name + ".connections", String.valueOf(upstream.connectionsAccepted()));
            }
        }
        for (String name : CLIENTS) {
            for (String figure : new String[] {"goodput", "amplification", "p99", "duplicates", "unknown"}) {
                double base = Double.parseDouble(results.get("raw." + figure));
                double value = Double.parseDouble(results.get(name + "." + figure));
                results.put(name + ".ratio." + figure, base == 0 ? (value == 0 ? "1.000" : "NaN") : f(value / base));
            }
        }
    }

    private static HttpClientBuilder builder() {
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(POOL_SIZE).setMaxConnPerRoute(POOL_SIZE)
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(2)).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(RESPONSE_TIMEOUT).build());
    }

    private static CloseableHttpClient client(String name) {
        switch (name) {
            case "defaultRetry":
                return builder().build();
            case "abortGuard":
                TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                        .maxInFlightPerRoute(LIMIT, Duration.ofSeconds(20))
                        .unresolvedOutcomeHandler(unresolved -> { })
                        .build();
                return policy.wrap(policy.instrument(builder().disableAutomaticRetries()).build());
            default:
                return builder().disableAutomaticRetries().build();
        }
    }

    private static boolean send(CloseableHttpClient client, HttpPost post) throws IOException {
        return client.execute(post, response -> {
            EntityUtils.consume(response.getEntity());
            return response.getCode() == 201;
        });
    }

    /** What a hand-written retry does: send again at once on any IOException or 503 (the upstream's only non-201), same key, a few times. */
    private static Order naive(CloseableHttpClient client) {
        return post -> {
            IOException last = null;
            for (int send = 1; send <= NAIVE_SENDS; send++) {
                try {
                    if (send(client, post)) {
                        return true;
                    }
                    last = null;
                } catch (IOException e) {
                    last = e;
                }
                post.reset();
            }
            if (last != null) {
                throw last;
            }
            return false;
        };
    }

    private static void drive(FastHttpLikeUpstream upstream, Order order, String prefix, int orders, Outcomes outcomes)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                done.add(callers.submit(() -> {
                    Latencies mine = new Latencies();
                    for (int i; (i = next.getAndIncrement()) < orders; ) {
                        String key = prefix + "-" + i;
                        HttpPost post = new HttpPost(upstream.baseUri() + "/orders");
                        post.setHeader("Idempotency-Key", key);
                        post.setEntity(new StringEntity("{\"order\":\"" + key + "\"}", ContentType.APPLICATION_JSON));
                        long t0 = System.nanoTime();
                        try {
                            if (order.place(post)) {
                                outcomes.placed.incrementAndGet();
                                outcomes.placedKeys.add(key);
                            }
                        } catch (IOException e) {
                            if (unknown(e)) {
                                outcomes.unknown.incrementAndGet();
                            }
                        }
                        mine.add(System.nanoTime() - t0);
                    }
                    outcomes.latencies.addAll(mine);
                    return null;
                }));
            }
            for (Future<?> caller : done) {
                caller.get(5, TimeUnit.MINUTES);
            }
        } finally {
            callers.shutdownNow();
        }
        // a caller that gave up does not stop the upstream's work: let the ledger settle
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (upstream.requestsInProgress() > 0 && System.nanoTime() < settle) {
            Thread.sleep(50);
        }
    }

    /** The request may have been processed: anything but a failure before sending or a proven refusal. */
    private static boolean unknown(IOException e) {
        if (e instanceof InFlightLimitExceededException || e instanceof ConnectException || e instanceof ConnectTimeoutException) {
            return false;
        }
        if (e instanceof TimeoutRecoveryException) {
            TimeoutRecoveryException end = (TimeoutRecoveryException) e;
            return end.outcome() != RecoveryOutcome.NOT_APPLIED && end.outcome() != RecoveryOutcome.CANCELED
                    && end.phase() != FailurePhase.NEVER_SENT;
        }
        return true;
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
