package dev.abortguard.benchmarks;

import dev.abortguard.client.TimeoutRecoveryException;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import dev.abortguard.server.AbortCounters;
import dev.abortguard.server.ClientAbortFilter;
import org.apache.hc.client5.http.classic.methods.HttpGet;
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
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loopback load runs against embedded Tomcat 11, each writing a {@code .properties} file of
 * results: {@code throughput OUT_FILE}, {@code storm OUT_FILE LOG_FILE}, {@code deadline OUT_FILE},
 * {@code overload OUT_FILE} (a fasthttp-like upstream over its connection limit, see {@link OverloadLoad}).
 * Durations scale with the system property {@code bench.scale} (default 1.0).
 */
public final class LoadMain {

    private static final double SCALE = Double.parseDouble(System.getProperty("bench.scale", "1.0"));

    private LoadMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> results = new LinkedHashMap<>();
        switch (args[0]) {
            case "throughput":
                throughput(results);
                break;
            case "storm":
                storm(results, Path.of(args[2]));
                break;
            case "deadline":
                deadline(results);
                break;
            case "client":
                client(results);
                break;
            case "overload":
                OverloadLoad.run(results, SCALE);
                break;
            default:
                throw new IllegalArgumentException("unknown run " + args[0]);
        }
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(args[1]), StandardCharsets.UTF_8))) {
            results.forEach((k, v) -> w.println(k + "=" + v));
        }
        results.forEach((k, v) -> System.out.println("  " + k + " = " + v));
        System.exit(0);
    }

    private static long millis(double seconds) {
        return Math.max(200, (long) (seconds * 1000 * SCALE));
    }

    private static CloseableHttpClient client(int connections, Timeout responseTimeout) {
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(connections).setMaxConnPerRoute(connections)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofSeconds(5)).setSocketTimeout(responseTimeout).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(responseTimeout).build())
                .disableAutomaticRetries()
                .build();
    }

    /** One closed-loop (or paced) run of GETs. */
    static final class Run {
        final Latencies latencies = new Latencies();
        long requests;
        long errors;
        long nanos;
        /** CPU time of the whole process (load generator and server) during the run. */
        long cpuNanos;

        double rps() {
            return requests / (nanos / 1e9);
        }

        /** Process CPU microseconds per request: what one request costs, client and server together. */
        double cpuMicrosPerRequest() {
            return requests == 0 ? Double.NaN : cpuNanos / 1000.0 / requests;
        }
    }

    /**
     * {@code threads} threads GET {@code url} for {@code durationMs}; each thread sends its next
     * request as soon as the previous one ends, or, with {@code pacingMicros > 0}, on a fixed
     * schedule of one request per {@code pacingMicros} (late requests go at once).
     */
    static Run load(CloseableHttpClient client, String url, int threads, long durationMs, long pacingMicros)
            throws InterruptedException {
        Run run = new Run();
        AtomicLong requests = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long cpu0 = cpu();
        long start = System.nanoTime();
        long end = start + TimeUnit.MILLISECONDS.toNanos(durationMs);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                Latencies mine = new Latencies();
                long next = System.nanoTime();
                while (true) {
                    if (pacingMicros > 0) {
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            sleepNanos(wait);
                        }
                        next += pacingMicros * 1000;
                    }
                    long t0 = System.nanoTime();
                    if (t0 >= end) {
                        break;
                    }
                    try {
                        client.execute(new HttpGet(url), response -> EntityUtils.toByteArray(response.getEntity()));
                        mine.add(System.nanoTime() - t0);
                        requests.incrementAndGet();
                    } catch (IOException e) {
                        errors.incrementAndGet();
                    }
                }
                run.latencies.addAll(mine);
            }, "load-" + i);
            workers.add(t);
            t.start();
        }
        for (Thread t : workers) {
            t.join();
        }
        run.nanos = System.nanoTime() - start;
        run.cpuNanos = cpu() - cpu0;
        run.requests = requests.get();
        run.errors = errors.get();
        return run;
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    static long cpu() {
        return OS.getProcessCpuTime();
    }

    private static void sleepNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static String f(double v) {
        return String.format(java.util.Locale.ROOT, "%.3f", v);
    }

    // ------------------------------------------------------------------ throughput

    /** Tomcat without and with the filter (and a diagnostic variant), GET /hello, closed loop, rotating rounds. */
    static void throughput(Map<String, String> results) throws Exception {
        int threads = 4;
        int rounds = 12;
        long roundMs = millis(3);
        try (Servers.Running plain = Servers.start(null);
             Servers.Running guarded = Servers.start(ClientAbortFilter.builder().metrics(new AbortCounters()).build());
             Servers.Running noFlush = Servers.start(ClientAbortFilter.builder().metrics(new AbortCounters())
                     .flushOnChainReturn(false).build());
             CloseableHttpClient client = client(threads, Timeout.ofSeconds(10))) {
            String[] urls = {plain.url("/hello"), guarded.url("/hello"), noFlush.url("/hello")};
            // filterNoFlush is a diagnostic: which part of the filter costs what on a real container
            String[] names = {"noFilter", "filter", "filterNoFlush"};
            int n = urls.length;
            for (int i = 0; i < 2; i++) { // warm-up, all
                for (String url : urls) {
                    load(client, url, threads, millis(4), 0);
                }
            }
            double[][] rps = new double[n][rounds];
            double[][] p50 = new double[n][rounds];
            double[][] p99 = new double[n][rounds];
            double[][] cpu = new double[n][rounds];
            long errors = 0;
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < n; k++) {
                    int which = (k + r) % n; // rotate the order every round
                    Run run = load(client, urls[which], threads, roundMs, 0);
                    rps[which][r] = run.rps();
                    cpu[which][r] = run.cpuMicrosPerRequest();
                    p50[which][r] = run.latencies.quantileMs(0.50);
                    p99[which][r] = run.latencies.quantileMs(0.99);
                    errors += run.errors;
                    System.out.printf("  round %d %-13s %8.0f req/s p50 %.3f ms p99 %.3f ms cpu %.1f us/req%n",
                            r + 1, names[which], run.rps(), p50[which][r], p99[which][r], cpu[which][r]);
                }
            }
            results.put("threads", String.valueOf(threads));
            results.put("rounds", String.valueOf(rounds));
            results.put("roundSeconds", f(roundMs / 1000.0));
            results.put("errors", String.valueOf(errors));
            for (int k = 0; k < n; k++) {
                results.put(names[k] + ".rps.median", f(median(rps[k])));
                results.put(names[k] + ".p50.median", f(median(p50[k])));
                results.put(names[k] + ".p99.median", f(median(p99[k])));
                results.put(names[k] + ".cpuMicrosPerRequest.median", f(median(cpu[k])));
                results.put(names[k] + ".rps.rounds", Arrays.toString(rps[k]).replaceAll("[\\[\\] ]", ""));
                if (k > 0) {
                    double[] ratio = new double[rounds];
                    double[] cpuRatio = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        ratio[r] = rps[k][r] / rps[0][r];
                        cpuRatio[r] = cpu[0][r] / cpu[k][r]; // capacity: baseline CPU/request over candidate's
                    }
                    String prefix = k == 1 ? "" : names[k] + ".";
                    results.put(prefix + "ratio.rounds", Arrays.toString(ratio).replaceAll("[\\[\\] ]", ""));
                    results.put(prefix + "ratio.median", f(median(ratio)));
                    results.put(prefix + "cpuCapacityRatio.rounds", Arrays.toString(cpuRatio).replaceAll("[\\[\\] ]", ""));
                    results.put(prefix + "cpuCapacityRatio.median", f(median(cpuRatio)));
                }
            }
        }
    }

    // ------------------------------------------------------------------ client wrapper

    /**
     * POST /orders (covered by the policy) through a raw pooled HttpClient 5 vs the same client
     * built with policy.instrument(..) and wrapped with policy.wrap(..) (5 s exchange deadline),
     * 2 closed-loop threads, alternating rounds against one Tomcat.
     */
    static void client(Map<String, String> results) throws Exception {
        int threads = 2;
        int rounds = 10;
        long roundMs = millis(2);
        try (Servers.Running server = Servers.start(null)) {
            String url = server.url("/orders");
            TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                    .exchangeDeadline(java.time.Duration.ofSeconds(5))
                    .build();
            // diagnostics: the same wrapper without the deadline, and also without UUID keys
            TimeoutRecoveryPolicy noDeadline = TimeoutRecoveryPolicy.builder().build();
            AtomicLong keys = new AtomicLong();
            TimeoutRecoveryPolicy counterKey = TimeoutRecoveryPolicy.builder()
                    .idempotencyKeyGenerator(() -> "k-" + keys.incrementAndGet()).build();
            try (CloseableHttpClient raw = client(threads, Timeout.ofSeconds(10));
                 CloseableHttpClient wrapped = policy.wrap(policy.instrument(builder(threads)).build());
                 CloseableHttpClient wrappedNoDeadline = noDeadline.wrap(noDeadline.instrument(builder(threads)).build());
                 CloseableHttpClient wrappedCounterKey = counterKey.wrap(counterKey.instrument(builder(threads)).build())) {
                CloseableHttpClient[] clients = {raw, wrapped, wrappedNoDeadline, wrappedCounterKey};
                String[] names = {"raw", "wrapped", "wrappedNoDeadline", "wrappedNoDeadlineCounterKey"};
                int n = clients.length;
                for (int i = 0; i < 2; i++) {
                    for (CloseableHttpClient c : clients) {
                        postLoad(c, url, threads, millis(4));
                    }
                }
                double[][] rps = new double[n][rounds];
                double[][] p99 = new double[n][rounds];
                double[][] ratio = new double[n][rounds];
                double[][] cpu = new double[n][rounds];
                double[][] cpuRatio = new double[n][rounds];
                long errors = 0;
                for (int r = 0; r < rounds; r++) {
                    for (int k = 0; k < n; k++) {
                        int which = (k + r) % n; // rotate the order every round
                        Run run = postLoad(clients[which], url, threads, roundMs);
                        rps[which][r] = run.rps();
                        p99[which][r] = run.latencies.quantileMs(0.99);
                        cpu[which][r] = run.cpuMicrosPerRequest();
                        errors += run.errors;
                        System.out.printf("  round %d %-28s %8.0f req/s p99 %.3f ms cpu %.1f us/req%n",
                                r + 1, names[which], run.rps(), p99[which][r], cpu[which][r]);
                    }
                    for (int k = 0; k < n; k++) {
                        ratio[k][r] = rps[k][r] / rps[0][r];
                        cpuRatio[k][r] = cpu[0][r] / cpu[k][r];
                    }
                }
                results.put("threads", String.valueOf(threads));
                results.put("rounds", String.valueOf(rounds));
                results.put("roundSeconds", f(roundMs / 1000.0));
                results.put("errors", String.valueOf(errors));
                for (int k = 0; k < n; k++) {
                    results.put(names[k] + ".rps.median", f(median(rps[k])));
                    results.put(names[k] + ".p99.median", f(median(p99[k])));
                    results.put(names[k] + ".rps.rounds", Arrays.toString(rps[k]).replaceAll("[\\[\\] ]", ""));
                    results.put(names[k] + ".cpuMicrosPerRequest.median", f(median(cpu[k])));
                    if (k > 0) {
                        results.put(names[k] + ".cpuCapacityRatio.rounds", Arrays.toString(cpuRatio[k]).replaceAll("[\\[\\] ]", ""));
                        results.put(names[k] + ".cpuCapacityRatio.median", f(median(cpuRatio[k])));
                        results.put(names[k] + ".ratio.rounds", Arrays.toString(ratio[k]).replaceAll("[\\[\\] ]", ""));
                        results.put(names[k] + ".ratio.median", f(median(ratio[k])));
                    }
                }
                results.put("ratio.rounds", results.get("wrapped.ratio.rounds"));
                results.put("ratio.median", results.get("wrapped.ratio.median"));
                results.put("cpuCapacityRatio.rounds", results.get("wrapped.cpuCapacityRatio.rounds"));
                results.put("cpuCapacityRatio.median", results.get("wrapped.cpuCapacityRatio.median"));
            }
        }
    }

    private static HttpClientBuilder builder(int connections) {
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(connections).setMaxConnPerRoute(connections)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofSeconds(5)).setSocketTimeout(Timeout.ofSeconds(10)).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(10)).build())
                .disableAutomaticRetries();
    }

    private static Run postLoad(CloseableHttpClient client, String url, int threads, long durationMs)
            throws InterruptedException {
        Run run = new Run();
        AtomicLong requests = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long cpu0 = cpu();
        long start = System.nanoTime();
        long end = start + TimeUnit.MILLISECONDS.toNanos(durationMs);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                Latencies mine = new Latencies();
                while (true) {
                    long t0 = System.nanoTime();
                    if (t0 >= end) {
                        break;
                    }
                    try {
                        client.execute(post(url), response -> EntityUtils.toByteArray(response.getEntity()));
                        mine.add(System.nanoTime() - t0);
                        requests.incrementAndGet();
                    } catch (IOException e) {
                        errors.incrementAndGet();
                    }
                }
                run.latencies.addAll(mine);
            }, "post-" + i);
            workers.add(t);
            t.start();
        }
        for (Thread t : workers) {
            t.join();
        }
        run.nanos = System.nanoTime() - start;
        run.cpuNanos = cpu() - cpu0;
        run.requests = requests.get();
        run.errors = errors.get();
        return run;
    }

    // ------------------------------------------------------------------ abort storm

    /**
     * Healthy clients (4 threads, each one GET /hello every 5 ms) measure latency while storm
     * clients (24 threads, 100 ms read timeout) abort GET /stream over and over. Conditions, in
     * rotating order each round: no storm (filter, default limit); storm without the filter;
     * storm with the filter, log rate-limited (default 10/s); storm with the filter, unlimited.
     */
    static void storm(Map<String, String> results, Path logFile) throws Exception {
        int healthyThreads = 4;
        long pacingMicros = 5000;
        int stormThreads = 24;
        int rounds = 4;
        long roundMs = millis(6);
        AbortCounters limitedCounters = new AbortCounters();
        AbortCounters unlimitedCounters = new AbortCounters();
        try (Servers.Running plain = Servers.start(null);
             Servers.Running limited = Servers.start(ClientAbortFilter.builder().metrics(limitedCounters).build());
             Servers.Running unlimited = Servers.start(ClientAbortFilter.builder().metrics(unlimitedCounters)
                     .maxLogLinesPerSecond(Integer.MAX_VALUE).build());
             CloseableHttpClient healthy = client(healthyThreads, Timeout.ofSeconds(10));
             CloseableHttpClient storm = client(stormThreads, Timeout.ofMilliseconds(100))) {
            String[] names = {"noStorm", "stormNoFilter", "stormLimited", "stormUnlimited"};
            Servers.Running[] servers = {limited, plain, limited, unlimited};
            AbortCounters[] counters = {null, null, limitedCounters, unlimitedCounters};
            boolean[] stormOn = {false, true, true, true};
            Latencies[] pooled = new Latencies[4];
            double[][] p50 = new double[4][rounds];
            double[][] p99 = new double[4][rounds];
            long[] aborts = new long[4];
            long[] logLines = new long[4];
            long[] stormRequests = new long[4];
            for (int i = 0; i < 4; i++) {
                pooled[i] = new Latencies();
            }
            for (int i = 0; i < 4; i++) { // warm-up
                stormPhase(healthy, storm, servers[i], stormOn[i], healthyThreads, pacingMicros, stormThreads, millis(3));
            }
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < 4; k++) {
                    int c = (k + r) % 4;
                    long abortsBefore = counters[c] == null ? 0 : counters[c].total();
                    long linesBefore = countLines(logFile);
                    long[] stormCount = new long[1];
                    Run run = stormPhase(healthy, storm, servers[c], stormOn[c], healthyThreads, pacingMicros,
                            stormThreads, roundMs, stormCount);
                    Thread.sleep(400); // aborts of the last storm requests land after the phase
                    long abortsDelta = counters[c] == null ? 0 : counters[c].total() - abortsBefore;
                    long linesDelta = countLines(logFile) - linesBefore;
                    aborts[c] += abortsDelta;
                    logLines[c] += linesDelta;
                    stormRequests[c] += stormCount[0];
                    pooled[c].addAll(run.latencies);
                    p50[c][r] = run.latencies.quantileMs(0.50);
                    p99[c][r] = run.latencies.quantileMs(0.99);
                    System.out.printf("  round %d %-15s healthy p50 %.3f ms p99 %.3f ms (%d req, %d err), storm %d, aborts %d, log lines %d%n",
                            r + 1, names[c], p50[c][r], p99[c][r], run.requests, run.errors, stormCount[0], abortsDelta, linesDelta);
                }
            }
            double seconds = rounds * roundMs / 1000.0;
            results.put("healthyThreads", String.valueOf(healthyThreads));
            results.put("healthyIntervalMs", f(pacingMicros / 1000.0));
            results.put("stormThreads", String.valueOf(stormThreads));
            results.put("stormReadTimeoutMs", "100");
            results.put("rounds", String.valueOf(rounds));
            results.put("roundSeconds", f(roundMs / 1000.0));
            for (int c = 0; c < 4; c++) {
                results.put(names[c] + ".healthy.requests", String.valueOf(pooled[c].size()));
                results.put(names[c] + ".p50", f(pooled[c].quantileMs(0.50)));
                results.put(names[c] + ".p99", f(pooled[c].quantileMs(0.99)));
                results.put(names[c] + ".mean", f(pooled[c].meanMs()));
                results.put(names[c] + ".p50.median", f(median(p50[c])));
                results.put(names[c] + ".p99.median", f(median(p99[c])));
                results.put(names[c] + ".stormRequestsPerSecond", f(stormRequests[c] / seconds));
                results.put(names[c] + ".abortsPerSecond", f(aborts[c] / seconds));
                results.put(names[c] + ".logLinesPerSecond", f(logLines[c] / seconds));
            }
        }
    }

    private static Run stormPhase(CloseableHttpClient healthy, CloseableHttpClient storm, Servers.Running server,
                                  boolean stormOn, int healthyThreads, long pacingMicros, int stormThreads, long ms)
            throws InterruptedException {
        return stormPhase(healthy, storm, server, stormOn, healthyThreads, pacingMicros, stormThreads, ms, new long[1]);
    }

    private static Run stormPhase(CloseableHttpClient healthy, CloseableHttpClient storm, Servers.Running server,
                                  boolean stormOn, int healthyThreads, long pacingMicros, int stormThreads, long ms,
                                  long[] stormCount) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong stormed = new AtomicLong();
        List<Thread> stormers = new ArrayList<>();
        if (stormOn) {
            String url = server.url("/stream");
            for (int i = 0; i < stormThreads; i++) {
                Thread t = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            storm.execute(new HttpGet(url), response -> EntityUtils.toByteArray(response.getEntity()));
                        } catch (IOException expected) {
                            // the 100 ms read timeout: the client gives up and closes the connection
                        }
                        stormed.incrementAndGet();
                    }
                }, "storm-" + i);
                t.setDaemon(true);
                stormers.add(t);
                t.start();
            }
            Thread.sleep(300); // let the storm build up
        }
        Run run = load(healthy, server.url("/hello"), healthyThreads, ms, pacingMicros);
        stop.set(true);
        for (Thread t : stormers) {
            t.join();
        }
        stormCount[0] = stormed.get();
        return run;
    }

    private static long countLines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.count();
        }
    }

    // ------------------------------------------------------------------ deadline overshoot

    /** A server that answers 200 with a 1 MB Content-Length and drips one byte every 50 ms. */
    static final class DripServer implements AutoCloseable {
        private final ServerSocket socket;
        private final Thread acceptor;

        DripServer() throws IOException {
            socket = new ServerSocket(0, 2048, InetAddress.getLoopbackAddress()); // room for 1,000 connects at once
            acceptor = new Thread(this::accept, "drip-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    Thread t = new Thread(() -> drip(s), "drip");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void drip(Socket s) {
            try (s) {
                InputStream in = s.getInputStream();
                byte[] buf = new byte[8192];
                int n = in.read(buf); // the request (head and small body) arrives in one segment on loopback
                if (n < 0) {
                    return;
                }
                OutputStream out = s.getOutputStream();
                out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000000\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                while (true) {
                    Thread.sleep(50);
                    out.write('.');
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the client went away
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /**
     * Whole-exchange deadline 200 ms, responseTimeout 300 ms, against the drip server: overshoot =
     * end - start - 200 ms over 200 sequential calls. Then raw HttpClient 5 with the same
     * responseTimeout: 3 calls in parallel, cancelled by the benchmark at a 3 s safety cap.
     */
    static void deadline(Map<String, String> results) throws Exception {
        int calls = (int) Math.max(20, Math.round(200 * Math.min(1.0, SCALE)));
        long deadlineMs = 200;
        long capMs = 3000;
        Timeout responseTimeout = Timeout.ofMilliseconds(300);
        try (DripServer server = new DripServer()) {
            String url = "http://127.0.0.1:" + server.port() + "/report";
            TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                    .exchangeDeadline(java.time.Duration.ofMillis(deadlineMs))
                    .unresolvedOutcomeHandler(unresolved -> { })
                    .build();
            HttpClientBuilder builder = HttpClients.custom()
                    .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(responseTimeout).build())
                    .disableAutomaticRetries();
            Latencies overshoot = new Latencies();
            Map<String, Integer> outcomes = new LinkedHashMap<>();
            try (CloseableHttpClient wrapped = policy.wrap(policy.instrument(builder).build())) {
                for (int i = 0; i < calls + 10; i++) { // first 10: warm-up, not counted
                    HttpPost post = post(url);
                    long t0 = System.nanoTime();
                    String outcome;
                    try {
                        wrapped.execute(post, response -> EntityUtils.toByteArray(response.getEntity()));
                        outcome = "completed";
                    } catch (TimeoutRecoveryException e) {
                        outcome = "TimeoutRecoveryException";
                    } catch (IOException e) {
                        outcome = e.getClass().getSimpleName();
                    }
                    long elapsed = System.nanoTime() - t0;
                    if (i >= 10) {
                        overshoot.add(Math.max(0, elapsed - TimeUnit.MILLISECONDS.toNanos(deadlineMs)));
                        outcomes.merge(outcome, 1, Integer::sum);
                    }
                }
            }
            results.put("calls", String.valueOf(overshoot.size()));
            results.put("deadlineMs", String.valueOf(deadlineMs));
            results.put("responseTimeoutMs", "300");
            results.put("wrapped.overshoot.p50", f(overshoot.quantileMs(0.50)));
            results.put("wrapped.overshoot.p99", f(overshoot.quantileMs(0.99)));
            results.put("wrapped.overshoot.max", f(overshoot.quantileMs(1.0)));
            results.put("wrapped.outcomes", outcomes.toString().replace("=", ":"));

            // issue 16, item 5: the same deadline with many exchanges in flight at once, all due together
            int concurrent = (int) Math.max(100, Math.round(1000 * Math.min(1.0, SCALE)));
            Latencies concurrentOvershoot = new Latencies();
            Map<String, Integer> concurrentOutcomes = new java.util.concurrent.ConcurrentHashMap<>();
            try (CloseableHttpClient wrapped = policy.wrap(policy.instrument(HttpClients.custom()
                    .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(responseTimeout).build())
                    .setConnectionManager(org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder.create()
                            .setMaxConnTotal(concurrent).setMaxConnPerRoute(concurrent).build())
                    .disableAutomaticRetries()).build())) {
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(concurrent);
                List<Thread> callers = new ArrayList<>();
                long[] overshoots = new long[concurrent];
                for (int i = 0; i < concurrent; i++) {
                    int index = i;
                    Thread t = new Thread(() -> {
                        String outcome;
                        long t0 = 0;
                        try {
                            start.await();
                            t0 = System.nanoTime();
                            wrapped.execute(post(url), response -> EntityUtils.toByteArray(response.getEntity()));
                            outcome = "completed";
                        } catch (TimeoutRecoveryException e) {
                            outcome = "TimeoutRecoveryException";
                        } catch (Exception e) {
                            outcome = e.getClass().getSimpleName();
                        }
                        overshoots[index] = Math.max(0, System.nanoTime() - t0 - TimeUnit.MILLISECONDS.toNanos(deadlineMs));
                        concurrentOutcomes.merge(outcome, 1, Integer::sum);
                    }, "deadline-caller-" + i);
                    t.setDaemon(true);
                    callers.add(t);
                    t.start();
                }
                for (Thread t : callers) {
                    t.join();
                }
                for (long o : overshoots) {
                    concurrentOvershoot.add(o);
                }
            }
            results.put("concurrent.calls", String.valueOf(concurrent));
            results.put("concurrent.overshoot.p50", f(concurrentOvershoot.quantileMs(0.50)));
            results.put("concurrent.overshoot.p99", f(concurrentOvershoot.quantileMs(0.99)));
            results.put("concurrent.overshoot.max", f(concurrentOvershoot.quantileMs(1.0)));
            results.put("concurrent.outcomes", new java.util.TreeMap<>(concurrentOutcomes).toString().replace("=", ":"));

            // raw HttpClient 5: responseTimeout never fires against a drip
            int rawCalls = 3;
            long[] rawElapsed = new long[rawCalls];
            String[] rawOutcome = new String[rawCalls];
            try (CloseableHttpClient raw = HttpClients.custom()
                    .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(responseTimeout).build())
                    .disableAutomaticRetries().build()) {
                List<Thread> threads = new ArrayList<>();
                for (int i = 0; i < rawCalls; i++) {
                    int index = i;
                    Thread t = new Thread(() -> {
                        HttpPost post = post(url);
                        AtomicBoolean capped = new AtomicBoolean();
                        Thread watchdog = new Thread(() -> {
                            try {
                                Thread.sleep(capMs);
                                capped.set(true);
                                post.cancel();
                            } catch (InterruptedException e) {
                                // the call ended first
                            }
                        });
                        watchdog.setDaemon(true);
                        watchdog.start();
                        long t0 = System.nanoTime();
                        try {
                            raw.execute(post, response -> EntityUtils.toByteArray(response.getEntity()));
                            rawOutcome[index] = "completed";
                        } catch (IOException e) {
                            rawOutcome[index] = capped.get() ? "still running at the cap" : e.getClass().getSimpleName();
                        }
                        rawElapsed[index] = System.nanoTime() - t0;
                        watchdog.interrupt();
                    });
                    threads.add(t);
                    t.start();
                }
                for (Thread t : threads) {
                    t.join();
                }
            }
            long stillRunning = Arrays.stream(rawOutcome).filter("still running at the cap"::equals).count();
            results.put("raw.calls", String.valueOf(rawCalls));
            results.put("raw.capMs", String.valueOf(capMs));
            results.put("raw.stillRunningAtCap", String.valueOf(stillRunning));
            results.put("raw.elapsedMs", Arrays.toString(Arrays.stream(rawElapsed).map(n -> n / 1_000_000).toArray()).replaceAll("[\\[\\] ]", ""));
            results.put("raw.outcomes", String.join(";", rawOutcome));
        }
    }

    private static HttpPost post(String url) {
        HttpPost post = new HttpPost(url);
        post.setEntity(new StringEntity("{\"report\":\"q3\"}", ContentType.APPLICATION_JSON));
        return post;
    }
}
