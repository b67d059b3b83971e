package dev.abortguard.examples.overload;

import dev.abortguard.client.TimeoutRecoveryPolicy;
import dev.abortguard.examples.overload.FastHttpLikeUpstream.ConnectionEnd;
import dev.abortguard.examples.overload.OrderMiddleware.Outcome;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The second source document in one command: callers send orders to a middleware (embedded Tomcat
 * 11 with an HttpClient 5), which fans them out to an upstream that behaves like Go fasthttp under
 * its {@code Server.Concurrency} limit. The same load runs against raw HttpClient 5 with its default
 * retry, against the seed author's fix (the same client with a timeout shorter than the upstream's
 * latency), and against HttpClient 5 wrapped by abort-guard; then a before/after table of what the
 * callers, the upstream's ledger and the host's sockets saw.
 *
 * <pre>{@code mvn -B -q -DskipTests package && java -jar examples/overload-demo/target/overload-demo.jar}</pre>
 *
 * <p>{@code -Doverload.demo.scale=0.5} sends half the orders (the integration test's short run).
 */
public final class OverloadDemo {

    /** fasthttp's {@code Server.Concurrency} in the demo. */
    static final int UPSTREAM_LIMIT = 16;
    static final Duration UPSTREAM_MIN_LATENCY = Duration.ofSeconds(1);
    static final Duration UPSTREAM_MAX_LATENCY = Duration.ofSeconds(3);
    /** Callers sending at once: three times what the upstream serves. */
    static final int CALLERS = 48;
    /** The middleware's pool, sized for its callers as a service would size it. */
    static final int POOL_SIZE = 64;
    /** Longer than the upstream's slowest answer: these callers are willing to wait. */
    static final Timeout RESPONSE_TIMEOUT = Timeout.ofSeconds(5);
    /** The seed's fix: a timeout below the upstream's latency. */
    static final Timeout SHORT_RESPONSE_TIMEOUT = Timeout.ofSeconds(1);
    static final Duration QUEUE_WAIT = Duration.ofSeconds(20);
    private static final int FULL_SCALE_ORDERS = 96;
    private static final long LATENCY_SEED = 13;

    private OverloadDemo() {
    }

    public static void main(String[] args) throws Exception {
        double scale = Double.parseDouble(System.getProperty("overload.demo.scale", "1.0"));
        demo(System.out, Math.max(1, (int) Math.round(FULL_SCALE_ORDERS * scale)));
    }

    /** What one run measured. */
    record Run(String name, int orders, int placed, int refusedToCaller, int notSent, int unknown, int unknownProcessed,
               int upstream503s, int duplicates, double p50Ms, double p99Ms, int connectionsOpened,
               TimeWaitSockets timeWaitAfterLoad, TimeWaitSockets timeWaitAfterClose, int upstreamRequests,
               int maxConcurrentAtUpstream, int[] ends, long wallMillis) {

        double amplification() {
            return (double) upstreamRequests / orders;
        }

        int ended(ConnectionEnd end) {
            return ends[end.ordinal()];
        }
    }

    static Run[] demo(PrintStream out, int orders) throws Exception {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        out.printf("fasthttp-like upstream: Server.Concurrency %d connections, %d-%d s per request; %d orders from %d callers "
                        + "at once through a middleware (Tomcat 11 + HttpClient 5, pool of %d).%n",
                UPSTREAM_LIMIT, UPSTREAM_MIN_LATENCY.toSeconds(), UPSTREAM_MAX_LATENCY.toSeconds(), orders, CALLERS, POOL_SIZE);

        Run raw = run(out, "raw HttpClient 5", orders, upstream -> rawClient(RESPONSE_TIMEOUT));
        Run shortTimeout = run(out, "raw, 1 s timeout (seed's fix)", orders, upstream -> rawClient(SHORT_RESPONSE_TIMEOUT));
        Run guarded = run(out, "abort-guard", orders, upstream -> guardedClient());
        printTable(out, raw, shortTimeout, guarded);
        explain(out, raw, shortTimeout, guarded);
        return new Run[] {raw, shortTimeout, guarded};
    }

    private static HttpClientBuilder builder(Timeout responseTimeout) {
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(POOL_SIZE)
                        .setMaxConnPerRoute(POOL_SIZE)
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(2)).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(responseTimeout).build());
    }

    /** HttpClient 5 as the seed's middleware had it: its default retry strategy (one retry on 503, 1 s apart). */
    private static CloseableHttpClient rawClient(Timeout responseTimeout) {
        return builder(responseTimeout).build();
    }

    /**
     * The same client wrapped: at most the upstream's limit in flight (the rest wait, up to 20 s),
     * the concurrency-limit 503 taken as proof the order was not placed (sent again under its key),
     * one retry budget; HttpClient's own retry is off so that only the policy resends.
     */
    private static CloseableHttpClient guardedClient() {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .maxInFlightPerRoute(UPSTREAM_LIMIT, QUEUE_WAIT)
                // every unknown outcome is counted by the middleware, which answers its caller 504
                .unresolvedOutcomeHandler(unresolved -> { })
                .build();
        return policy.wrap(policy.instrument(builder(RESPONSE_TIMEOUT).disableAutomaticRetries()).build());
    }

    private static Run run(PrintStream out, String name, int orders,
                           Function<FastHttpLikeUpstream, CloseableHttpClient> clientFor) throws Exception {
        out.printf("%n- %s: sending %d orders...%n", name, orders);
        long start = System.nanoTime();
        try (FastHttpLikeUpstream upstream = new FastHttpLikeUpstream(UPSTREAM_LIMIT, UPSTREAM_MIN_LATENCY,
                UPSTREAM_MAX_LATENCY, LATENCY_SEED)) {
            OrderMiddleware middleware = new OrderMiddleware(clientFor.apply(upstream), upstream.baseUri(), CALLERS * 2);
            long[] latencies;
            try {
                latencies = callers(middleware.ordersUri(), name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-"), orders);
            } catch (Exception e) {
                middleware.close();
                throw e;
            }
            // a caller that gave up does not stop the upstream's work: let the ledger settle first
            long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (upstream.requestsInProgress() > 0 && System.nanoTime() < settle) {
                Thread.sleep(50);
            }
            TimeWaitSockets afterLoad = TimeWaitSockets.of(upstream.port());
            middleware.close();
            // the upstream sees the pool's closes as they arrive
            long closing = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (upstream.openConnections() > 0 && System.nanoTime() < closing) {
                Thread.sleep(20);
            }
            TimeWaitSockets afterClose = TimeWaitSockets.of(upstream.port());
            int unknownProcessed = 0;
            for (String order : middleware.unknownOrders()) {
                unknownProcessed += upstream.processed(order) > 0 ? 1 : 0;
            }
            int[] ends = new int[ConnectionEnd.values().length];
            for (ConnectionEnd end : ConnectionEnd.values()) {
                ends[end.ordinal()] = upstream.ended(end);
            }
            Arrays.sort(latencies);
            Run run = new Run(name, orders, middleware.count(Outcome.PLACED), middleware.count(Outcome.REFUSED),
                    middleware.count(Outcome.NOT_SENT), middleware.count(Outcome.UNKNOWN), unknownProcessed,
                    upstream.refusedConnections(), upstream.keysProcessedMoreThanOnce(), quantile(latencies, 0.50),
                    quantile(latencies, 0.99), upstream.connectionsAccepted(), afterLoad, afterClose,
                    upstream.upstreamRequests(), upstream.maxConcurrentRequests(), ends,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            out.printf("  done in %.1f s: %d placed, %d refused, %d unknown; the upstream accepted %d connections%n",
                    run.wallMillis / 1000.0, run.placed, run.refusedToCaller + run.notSent, run.unknown, run.connectionsOpened);
            return run;
        }
    }

    /** {@link #CALLERS} callers in a closed loop until {@code orders} were sent; each order's latency in nanoseconds. */
    private static long[] callers(String middlewareUri, String prefix, int orders) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        long[] latencies = new long[orders];
        AtomicInteger next = new AtomicInteger();
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                done.add(callers.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < orders; ) {
                        String orderId = prefix + i;
                        HttpRequest order = HttpRequest.newBuilder(URI.create(middlewareUri))
                                .timeout(Duration.ofSeconds(60))
                                .header("X-Order-Id", orderId)
                                .POST(HttpRequest.BodyPublishers.ofString("{\"order\":\"" + orderId + "\"}"))
                                .build();
                        long t0 = System.nanoTime();
                        http.send(order, HttpResponse.BodyHandlers.discarding());
                        latencies[i] = System.nanoTime() - t0;
                    }
                    return null;
                }));
            }
            for (Future<?> caller : done) {
                caller.get(2, TimeUnit.MINUTES);
            }
            return latencies;
        } finally {
            callers.shutdownNow();
        }
    }

    private static double quantile(long[] sortedNanos, double q) {
        int rank = (int) Math.ceil(q * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank))] / 1e6;
    }

    private static void printTable(PrintStream out, Run... runs) {
        out.println();
        out.println("=== Summary ===");
        String row = "  %-58s" + " | %-30s".repeat(runs.length) + "%n";
        row(out, row, "", runs, Run::name);
        row(out, row, "-".repeat(58), runs, r -> "-".repeat(30));
        row(out, row, "requests served (order placed, caller told so)", runs, r -> r.placed + " of " + r.orders);
        row(out, row, "upstream 503s (concurrency limit)", runs, r -> String.valueOf(r.upstream503s));
        row(out, row, "POSTs processed twice at the upstream", runs, r -> String.valueOf(r.duplicates));
        row(out, row, "unknown outcomes (caller told 504)", runs, r -> String.valueOf(r.unknown));
        row(out, row, "  of which the upstream did process", runs, r -> String.valueOf(r.unknownProcessed));
        row(out, row, "known not placed (caller told 503)", runs, r -> String.valueOf(r.refusedToCaller + r.notSent));
        row(out, row, "latency at the caller p50 / p99", runs,
                r -> String.format(Locale.ROOT, "%.0f / %.0f ms", r.p50Ms, r.p99Ms));
        row(out, row, "connections opened (upstream's accept)", runs, r -> String.valueOf(r.connectionsOpened));
        row(out, row, "TIME_WAIT on the upstream's port after the load (a)", runs, r -> timeWait(r.timeWaitAfterLoad));
        row(out, row, "TIME_WAIT after the middleware closed its pool (a)", runs, r -> timeWait(r.timeWaitAfterClose));
        row(out, row, "closes the upstream began: 503 refusals / idle", runs,
                r -> (r.ended(ConnectionEnd.REFUSED_THEN_CALLER_CLOSED) + r.ended(ConnectionEnd.REFUSED_THEN_CALLER_RESET))
                        + " / " + r.ended(ConnectionEnd.UPSTREAM_IDLE_CLOSE));
        row(out, row, "  refusals the middleware then closed: FIN / reset", runs,
                r -> r.ended(ConnectionEnd.REFUSED_THEN_CALLER_CLOSED) + " / " + r.ended(ConnectionEnd.REFUSED_THEN_CALLER_RESET));
        row(out, row, "served connections the middleware closed: FIN / reset", runs,
                r -> r.ended(ConnectionEnd.CALLER_CLOSED) + " / " + r.ended(ConnectionEnd.CALLER_RESET));
        row(out, row, "most requests at the upstream at once", runs, r -> String.valueOf(r.maxConcurrentAtUpstream));
        row(out, row, "upstream requests per client request", runs,
                r -> String.format(Locale.ROOT, "%.2f", r.amplification()));
        out.println("  (a) upstream's side / middleware's side, from /proc/net/tcp and /proc/net/tcp6 (state 06)");
    }

    private static void row(PrintStream out, String format, String label, Run[] runs, Function<Run, String> cell) {
        Object[] cells = new Object[runs.length + 1];
        cells[0] = label;
        for (int i = 0; i < runs.length; i++) {
            cells[i + 1] = cell.apply(runs[i]);
        }
        out.printf(format, cells);
    }

    private static String timeWait(TimeWaitSockets sockets) {
        return sockets.readable() ? sockets.serverSide() + " / " + sockets.callerSide() : "n/a (no /proc/net/tcp)";
    }

    /** Sentences built from the figures above: nothing here is claimed that the runs did not measure. */
    private static void explain(PrintStream out, Run raw, Run shortTimeout, Run guarded) {
        out.println();
        int rawNotPlaced = raw.refusedToCaller + raw.notSent;
        out.printf(Locale.ROOT, "Raw HttpClient 5 opened %d connections for %d orders; the upstream refused %d of them with "
                        + "fasthttp's 503 before reading the request, and %d orders (%.0f%%) were never placed. With its "
                        + "default retry (one more try of a 503, 1 s later) the upstream got %.2f requests per order.%n",
                raw.connectionsOpened, raw.orders, raw.upstream503s, rawNotPlaced, 100.0 * rawNotPlaced / raw.orders,
                raw.amplification());
        out.printf(Locale.ROOT, "With abort-guard at most %d requests were let through to the upstream at once (it counted "
                        + "at most %d), the rest waited in the middleware: %d of %d orders placed, %d upstream 503s, %d "
                        + "processed twice, %d unknown, %d connections opened, %.2f upstream requests per order. %s%n",
                UPSTREAM_LIMIT, guarded.maxConcurrentAtUpstream, guarded.placed, guarded.orders, guarded.upstream503s,
                guarded.duplicates, guarded.unknown, guarded.connectionsOpened, guarded.amplification(),
                guarded.p99Ms > raw.p99Ms
                        ? String.format(Locale.ROOT, "The price is the wait: p99 %.0f ms against %.0f ms raw.", guarded.p99Ms, raw.p99Ms)
                        : String.format(Locale.ROOT, "Its p99 was %.0f ms against %.0f ms raw.", guarded.p99Ms, raw.p99Ms));
        out.printf(Locale.ROOT, "The seed's shorter timeout (1 s, below the upstream's 1-3 s): %d of %d orders ended unknown "
                        + "and the upstream's ledger shows it processed %d of those: the order is placed when the request "
                        + "arrives, and giving up early only stops the middleware from hearing the answer. The upstream kept "
                        + "working on them (up to %d requests at once, %d with the 5 s timeout) and refused %d connections "
                        + "(%d with the 5 s timeout).%n",
                shortTimeout.unknown, shortTimeout.orders, shortTimeout.unknownProcessed, shortTimeout.maxConcurrentAtUpstream,
                raw.maxConcurrentAtUpstream, shortTimeout.upstream503s, raw.upstream503s);
        out.println("TIME_WAIT stays with the side that closes first in an orderly close (FIN); a reset leaves none. "
                + "HttpClient 5 resets a connection it discards after a response timeout or cancel (SO_LINGER 0).");
        int refusedFin = 0;
        int refusedReset = 0;
        for (Run r : new Run[] {raw, shortTimeout, guarded}) {
            refusedFin += r.ended(ConnectionEnd.REFUSED_THEN_CALLER_CLOSED);
            refusedReset += r.ended(ConnectionEnd.REFUSED_THEN_CALLER_RESET);
        }
        if (refusedReset > 0 && refusedFin == 0) {
            out.println("Here it also reset every connection it discarded after the 503 with Connection: close, so the "
                    + "refusals left no TIME_WAIT on either side; what TIME_WAIT there was came from orderly closes:");
        } else {
            out.printf("Of the refused connections the middleware closed %d with a FIN and %d with a reset:%n",
                    refusedFin, refusedReset);
        }
        for (Run r : new Run[] {raw, shortTimeout, guarded}) {
            if (!r.timeWaitAfterClose.readable()) {
                out.println("  (this host has no /proc/net/tcp: TIME_WAIT could not be counted)");
                break;
            }
            int refusals = r.ended(ConnectionEnd.REFUSED_THEN_CALLER_CLOSED) + r.ended(ConnectionEnd.REFUSED_THEN_CALLER_RESET);
            out.printf("  %s: %d closes began at the upstream (%d refusals, %d idle); the middleware answered the refusals "
                            + "with %d FIN and %d resets -> %d TIME_WAIT on the upstream's side after the load. The middleware "
                            + "reset %d served connections and closed %d with a FIN -> %d TIME_WAIT on its side once its "
                            + "pool was closed.%n",
                    r.name, refusals + r.ended(ConnectionEnd.UPSTREAM_IDLE_CLOSE), refusals,
                    r.ended(ConnectionEnd.UPSTREAM_IDLE_CLOSE), r.ended(ConnectionEnd.REFUSED_THEN_CALLER_CLOSED),
                    r.ended(ConnectionEnd.REFUSED_THEN_CALLER_RESET), r.timeWaitAfterLoad.serverSide(),
                    r.ended(ConnectionEnd.CALLER_RESET), r.ended(ConnectionEnd.CALLER_CLOSED), r.timeWaitAfterClose.callerSide());
        }
    }
}
