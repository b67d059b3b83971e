package dev.abortguard.server.containers;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.abortguard.server.AbortCounters;
import dev.abortguard.server.AbortKind;
import dev.abortguard.server.ClientAbortFilter;
import dev.abortguard.server.ClientAbortHandler;
import dev.abortguard.server.LogCapture;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.util.Timeout;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The seed's scenarios, run inside a real container with a real HttpClient 5 that really times
 * out (and, like every HttpClient 5 timeout, closes the connection with RST). Each concrete class
 * runs them on one container, against two deployments: one with {@link ClientAbortFilter}, one
 * without it (the baseline for "logged exactly as without the library").
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ContainerContract {

    private static final Logger APP_LOG = LoggerFactory.getLogger("test.app");
    private static final int FIVE_MB = 5 * 1024 * 1024;
    private static final byte[] CHUNK = new byte[64 * 1024];
    private static final int ABORT_TIMEOUT_MS = 300;
    private static final int STREAM_TIMEOUT_MS = 200;
    private static final String UTF8_TEXT = "héllo wörld ✓ 안녕";

    /**
     * What a hostile application throws: {@code getCause()}, {@code getMessage()} and {@code
     * getStackTrace()} throw when the library calls them (and only then, so that the container can
     * still log it as it would without the library).
     */
    static final class HostileException extends RuntimeException {
        HostileException() {
            super("hostile");
        }

        private static void refuseTheLibrary(String method) {
            boolean library = StackWalker.getInstance().walk(frames -> frames.anyMatch(f ->
                    f.getClassName().startsWith("dev.abortguard.server.")
                            && !f.getClassName().startsWith("dev.abortguard.server.containers.")));
            if (library) {
                throw new IllegalStateException(method + " of a hostile throwable");
            }
        }

        @Override
        public synchronized Throwable getCause() {
            refuseTheLibrary("getCause()");
            return super.getCause();
        }

        @Override
        public String getMessage() {
            refuseTheLibrary("getMessage()");
            return super.getMessage();
        }

        @Override
        public StackTraceElement[] getStackTrace() {
            refuseTheLibrary("getStackTrace()");
            return super.getStackTrace();
        }
    }

    private final AbortCounters counters = new AbortCounters();
    private final ClientAbortFilter filter = ClientAbortFilter.builder().metrics(counters).build();
    private final ExecutorService appExecutor = Executors.newCachedThreadPool();
    private LogCapture logs;
    private EmbeddedServer server;
    private EmbeddedServer baseline;
    private ResettingServer backend;
    private CloseableHttpClient client;
    private org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager pool;
    private volatile CountDownLatch clientGaveUp = new CountDownLatch(1);
    private volatile CountDownLatch servletDone = new CountDownLatch(1);
    private volatile Exception outboundFailure;
    private volatile CountDownLatch uploadStarted = new CountDownLatch(1);

    protected abstract EmbeddedServer.Factory factory();

    @BeforeAll
    void startContainers() throws Exception {
        logs = new LogCapture();
        backend = new ResettingServer();
        server = factory().start(filter, servlets(filter.handler()));
        baseline = factory().start(null, servlets(null));
        pool = PoolingHttpClientConnectionManagerBuilder.create().setMaxConnTotal(20).setMaxConnPerRoute(20).build();
        client = HttpClients.custom()
                .setConnectionManager(pool)
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .build();
        // a cold JVM can take longer than a 200 ms read timeout to serve its first request
        for (int i = 0; i < 20; i++) {
            call(server, "/fast", 10_000);
            call(baseline, "/fast", 10_000);
        }
    }

    @AfterAll
    void stopContainers() throws Exception {
        appExecutor.shutdownNow();
        client.close();
        server.close();
        baseline.close();
        backend.close();
        appExecutor.shutdownNow();
        logs.close();
    }

    @BeforeEach
    void resetScenario() {
        // a scenario may leave a kept-alive connection that the server closed: start each test fresh
        pool.closeIdle(org.apache.hc.core5.util.TimeValue.ZERO_MILLISECONDS);
        clientGaveUp = new CountDownLatch(1);
        servletDone = new CountDownLatch(1);
        uploadStarted = new CountDownLatch(1);
        logs.clear();
    }

    private Map<String, HttpServlet> servlets(ClientAbortHandler handler) {
        Map<String, HttpServlet> map = new LinkedHashMap<>();
        Runnable done = () -> servletDone.countDown();
        Runnable asyncCountsDownItself = () -> { };
        map.put("/slow-large", new ScenarioServlet((req, resp) -> {
            awaitClientGaveUp();
            writeFiveMegabytes(resp.getOutputStream());
        }, done));
        map.put("/slow-small-flushed", new ScenarioServlet((req, resp) -> {
            awaitClientGaveUp();
            resp.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            resp.getOutputStream().flush();
        }, done));
        map.put("/slow-small-declared-length", new ScenarioServlet((req, resp) -> {
            // what Spring's message converters do for every small answer: declare the length, write it
            awaitClientGaveUp();
            resp.setContentLength(5);
            resp.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
        }, done));
        map.put("/slow-small-unflushed", new ScenarioServlet((req, resp) -> {
            awaitClientGaveUp();
            resp.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
        }, done));
        map.put("/stream", new ScenarioServlet((req, resp) -> stream(resp.getOutputStream()), done));
        map.put("/stream-async", new ScenarioServlet((req, resp) -> {
            AsyncContext async = req.startAsync();
            async.setTimeout(30_000);
            appExecutor.execute(() -> {
                try {
                    stream(async.getResponse().getOutputStream());
                } catch (Exception e) {
                    // what the seed's executor did with log.error, done right
                    if (handler == null || !handler.handle(e, req)) {
                        APP_LOG.error("streaming failed", e);
                    }
                } finally {
                    servletDone.countDown();
                    try {
                        async.complete();
                    } catch (IllegalStateException alreadyCompleted) {
                        // some containers complete an async request themselves after a write error
                    }
                }
            });
        }, asyncCountsDownItself));
        map.put("/stream-async-late", new ScenarioServlet((req, resp) -> {
            AsyncContext async = req.startAsync();
            async.setTimeout(30_000);
            CountDownLatch containerNoticed = new CountDownLatch(1);
            async.addListener(new jakarta.servlet.AsyncListener() {
                @Override
                public void onComplete(jakarta.servlet.AsyncEvent event) {
                    containerNoticed.countDown();
                }

                @Override
                public void onTimeout(jakarta.servlet.AsyncEvent event) {
                }

                @Override
                public void onError(jakarta.servlet.AsyncEvent event) {
                    containerNoticed.countDown();
                }

                @Override
                public void onStartAsync(jakarta.servlet.AsyncEvent event) {
                }
            });
            appExecutor.execute(() -> {
                try {
                    ServletOutputStream out = resp.getOutputStream();
                    out.write("chunk-1\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    awaitClientGaveUp();
                    // the seed's 500 ms pause: long enough for the container to notice the reset
                    // by itself (Tomcat then errors and completes the async request) before the write
                    boolean noticed = containerNoticed.await(1, TimeUnit.SECONDS);
                    out.write("chunk-2\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    out.write("chunk-3\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (Exception e) {
                    if (handler == null || !handler.handle(e, req)) {
                        APP_LOG.error("streaming failed", e);
                    }
                } finally {
                    servletDone.countDown();
                    try {
                        async.complete();
                    } catch (IllegalStateException alreadyCompleted) {
                        // completed by the container after the error
                    }
                }
            });
        }, asyncCountsDownItself));
        map.put("/steady-large", new ScenarioServlet((req, resp) -> {
            ServletOutputStream out = resp.getOutputStream();
            byte[] chunk = new byte[FIVE_MB / 50];
            for (int i = 0; i < 50; i++) {
                out.write(chunk);
                out.flush();
                Thread.sleep(20);
            }
        }, done));
        map.put("/fast", new ScenarioServlet((req, resp) -> {
            resp.setContentType("text/plain");
            resp.getOutputStream().write("ok".getBytes(StandardCharsets.US_ASCII));
        }, done));
        map.put("/fast-writer", new ScenarioServlet((req, resp) -> {
            resp.setContentType("text/plain;charset=UTF-8");
            resp.getWriter().print(UTF8_TEXT);
        }, done));
        map.put("/two-failures", new ScenarioServlet((req, resp) -> {
            awaitClientGaveUp();
            try {
                writeFiveMegabytes(resp.getOutputStream());
            } catch (IOException first) {
                writeFiveMegabytes(resp.getOutputStream());
            }
        }, done));
        map.put("/upload", new ScenarioServlet((req, resp) -> {
            // what Spring MVC exposes for the matched handler: the route template, bounded
            req.setAttribute("org.springframework.web.servlet.HandlerMapping.bestMatchingPattern", "/upload/{id}");
            InputStream body = req.getInputStream();
            byte[] buffer = new byte[8192];
            body.read(buffer);
            uploadStarted.countDown();
            while (body.read(buffer) != -1) {
                // the client resets the connection mid-upload
            }
        }, done));
        map.put("/writer-async", new ScenarioServlet((req, resp) -> {
            AsyncContext async = req.startAsync();
            appExecutor.execute(() -> {
                try {
                    async.getResponse().setContentType("text/plain;charset=UTF-8");
                    async.getResponse().getWriter().print("hello-async ✓");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } finally {
                    servletDone.countDown();
                    async.complete();
                }
            });
        }, asyncCountsDownItself));
        map.put("/writer-head", new ScenarioServlet((req, resp) -> {
            resp.setContentType("text/plain");
            resp.getWriter().print("hello");
        }, done));
        map.put("/writer-redirect", new ScenarioServlet((req, resp) -> {
            resp.getWriter().print("moving");
            resp.sendRedirect("/fast");
        }, done));
        map.put("/past-length", new ScenarioServlet((req, resp) -> {
            resp.setContentLength(3);
            ServletOutputStream out = resp.getOutputStream();
            out.write("abc".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            out.write("defgh".getBytes(StandardCharsets.US_ASCII)); // the application's bug
            out.flush();
        }, done));
        map.put("/overrun-length", new ScenarioServlet((req, resp) -> {
            resp.setContentLength(3);
            resp.getOutputStream().write("abcdefgh".getBytes(StandardCharsets.US_ASCII)); // one write past it
        }, done));
        map.put("/short-length", new ScenarioServlet((req, resp) -> {
            resp.setContentLength(100);
            resp.getOutputStream().write("0123456789".getBytes(StandardCharsets.US_ASCII)); // 10 of 100
        }, done));
        map.put("/charset-after-writer", new ScenarioServlet((req, resp) -> {
            resp.setContentType("text/plain;charset=ISO-8859-1");
            java.io.PrintWriter writer = resp.getWriter();
            resp.setCharacterEncoding(StandardCharsets.UTF_8); // ignored after getWriter (Servlet 6.1 overload)
            resp.setCharacterEncoding("UTF-16");               // ignored too
            writer.print("café");
        }, done));
        map.put("/async-original", new ScenarioServlet((req, resp) -> {
            AsyncContext async = req.startAsync();
            async.getResponse().getWriter().print("original=" + async.hasOriginalRequestAndResponse());
            servletDone.countDown();
            async.complete();
        }, asyncCountsDownItself));
        map.put("/disk-full", new ScenarioServlet((req, resp) -> {
            throw new IOException("disk full");
        }, done));
        map.put("/nonblocking-own-failure", new ScenarioServlet((req, resp) -> {
            // a non-blocking writer whose own source fails: containers hand that to onError
            AsyncContext async = req.startAsync();
            ServletOutputStream out = resp.getOutputStream();
            out.setWriteListener(new jakarta.servlet.WriteListener() {
                @Override
                public void onWritePossible() throws IOException {
                    servletDone.countDown();
                    throw new IOException("disk full");
                }

                @Override
                public void onError(Throwable t) {
                    // Tomcat and Jetty call it with the IOException above; Undertow closes the exchange
                    APP_LOG.error("non-blocking write failed", t);
                    try {
                        async.complete();
                    } catch (IllegalStateException alreadyCompleted) {
                        // the container may have completed it after the error
                    }
                }
            });
        }, asyncCountsDownItself));
        map.put("/flush-after-send-error", new ScenarioServlet((req, resp) -> {
            resp.sendError(404);
            resp.getOutputStream().flush(); // Undertow treats the stream as closed now
        }, done));
        map.put("/abort-then-new-failure", new ScenarioServlet((req, resp) -> {
            awaitClientGaveUp();
            try {
                writeFiveMegabytes(resp.getOutputStream());
            } catch (IOException abort) {
                // the application's own, new failure: it must stay as loud as without the library
                throw new IllegalStateException("payment failed", abort);
            }
        }, done));
        map.put("/hostile-throwable", new ScenarioServlet((req, resp) -> {
            throw new HostileException();
        }, done));
        map.put("/runtime", new ScenarioServlet((req, resp) -> {
            throw new IllegalStateException("application bug");
        }, done));
        map.put("/outbound", new ScenarioServlet((req, resp) -> {
            try (CloseableHttpClient outbound = HttpClients.custom().disableAutomaticRetries().build()) {
                outbound.execute(new HttpGet("http://127.0.0.1:" + backend.port() + "/backend"), r -> null);
            } catch (IOException e) {
                outboundFailure = e;
                throw e;
            }
        }, done));
        return map;
    }

    private void awaitClientGaveUp() throws InterruptedException {
        if (!clientGaveUp.await(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("client never timed out");
        }
    }

    private static void writeFiveMegabytes(ServletOutputStream out) throws IOException {
        for (int written = 0; written < FIVE_MB; written += CHUNK.length) {
            out.write(CHUNK);
        }
    }

    /** The seed's /stream: chunks after 100, 100, (500: until the client gave up), 100 ms. */
    private void stream(ServletOutputStream out) throws Exception {
        for (int i = 1; i <= 4; i++) {
            if (i == 3) {
                awaitClientGaveUp();
            } else {
                Thread.sleep(100);
            }
            out.write(("chunk-" + i + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    // ---------------------------------------------------------------------------------------------

    @Test
    void slowThenLargeBodyIsOneInfoLine() throws Exception {
        long before = counters.total();
        long writesBefore = counters.count(AbortKind.RESPONSE_WRITE);
        Result result = call(server, "/slow-large", ABORT_TIMEOUT_MS);
        assertInstanceOf(SocketTimeoutException.class, result.failure, "client must time out");
        clientGaveUp.countDown();
        assertAborts(before, 1);
        String line = logs.abortLines().get(0).getFormattedMessage();
        assertTrue(line.contains("GET /slow-large") && line.contains("kind=response_write")
                && line.contains("status=200") && line.contains("silenceMs="), line);
        assertEquals(writesBefore + 1, counters.count(AbortKind.RESPONSE_WRITE), "counted as a response write abort");
        // the figures an operator acts on, as structured key-values
        ILoggingEvent event = logs.abortLines().get(0);
        assertEquals("GET", keyValue(event, "method"));
        assertEquals("/slow-large", keyValue(event, "path"));
        assertEquals(200, ((Number) keyValue(event, "status")).intValue());
        long bytes = ((Number) keyValue(event, "bytesWritten")).longValue();
        long elapsed = ((Number) keyValue(event, "elapsedMs")).longValue();
        long silence = ((Number) keyValue(event, "silenceMs")).longValue();
        assertTrue(bytes >= 0 && bytes < 5L * 1024 * 1024, "some of the 5 MB at most: " + bytes);
        // the servlet wrote only after the client's 300 ms timeout, which started a little before
        // the filter saw the request (sending and dispatch), hence the margin
        assertTrue(elapsed >= ABORT_TIMEOUT_MS / 2 && elapsed < 60_000, "elapsedMs=" + elapsed);
        assertTrue(silence >= 0 && silence <= elapsed, "silenceMs=" + silence + " elapsedMs=" + elapsed);
    }

    private static Object keyValue(ILoggingEvent event, String key) {
        return event.getKeyValuePairs().stream().filter(kv -> kv.key.equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no key-value " + key + " in " + event.getKeyValuePairs())).value;
    }

    @Test
    void slowThenSmallFlushedBodyIsOneInfoLine() throws Exception {
        long before = counters.total();
        Result result = call(server, "/slow-small-flushed", ABORT_TIMEOUT_MS);
        assertInstanceOf(SocketTimeoutException.class, result.failure);
        clientGaveUp.countDown();
        assertAborts(before, 1);
    }

    @Test
    void slowThenSmallBodyOfItsDeclaredLengthIsOneInfoLine() throws Exception {
        // Tomcat sends it from inside the write that completes the length and swallows the failure
        long before = counters.total();
        Result result = call(server, "/slow-small-declared-length", ABORT_TIMEOUT_MS);
        assertInstanceOf(SocketTimeoutException.class, result.failure);
        clientGaveUp.countDown();
        if (hidesTheFailureOfAWriteThatCompletesTheDeclaredLength()) {
            // a false negative, documented: quiet, as without the library, but not counted
            awaitServletDone();
            assertQuiet();
            assertEquals(before, counters.total());
            return;
        }
        assertAborts(before, 1);
    }

    /**
     * Undertow sends a body of a declared length from the write that completes it and swallows
     * that send's failure with nothing the servlet API can see (Tomcat at least records it in the
     * request's error attribute).
     */
    protected boolean hidesTheFailureOfAWriteThatCompletesTheDeclaredLength() {
        return false;
    }

    @Test
    void slowThenSmallUnflushedBodyIsCaughtByTheFinalFlush() throws Exception {
        long before = counters.total();
        Result result = call(server, "/slow-small-unflushed", ABORT_TIMEOUT_MS);
        assertInstanceOf(SocketTimeoutException.class, result.failure);
        clientGaveUp.countDown();
        assertAborts(before, 1);
    }

    @Test
    void streamPausingMidBodyOnTheRequestThread() throws Exception {
        long before = counters.total();
        Result result = call(server, "/stream", STREAM_TIMEOUT_MS);
        assertEquals(200, result.status, "status arrived before the pause");
        assertInstanceOf(SocketTimeoutException.class, result.failure, "timeout in the middle of the body");
        assertTrue(result.bytes > 0, "at least one chunk arrived");
        clientGaveUp.countDown();
        assertAborts(before, 1);
    }

    @Test
    void streamPausingMidBodyOnAnExecutorThread() throws Exception {
        long before = counters.total();
        Result result = call(server, "/stream-async", STREAM_TIMEOUT_MS);
        assertEquals(200, result.status);
        assertInstanceOf(SocketTimeoutException.class, result.failure);
        clientGaveUp.countDown();
        assertAborts(before, 1);
        String line = logs.abortLines().get(0).getFormattedMessage();
        // the write on the executor thread fails (response_write), or the container reports the
        // broken connection to the AsyncListener first (connection_lost: Tomcat's poller, Undertow)
        assertTrue(line.startsWith("Client aborted GET /stream-async: kind=response_write")
                || line.startsWith("Client aborted GET /stream-async: kind=connection_lost"), line);
    }

    @Test
    void executorWritingLongAfterTheClientLeftIsStillOneLineWithRequestContext() throws Exception {
        long before = counters.total();
        Result result = call(server, "/stream-async-late", STREAM_TIMEOUT_MS);
        assertEquals(200, result.status);
        assertInstanceOf(SocketTimeoutException.class, result.failure);
        clientGaveUp.countDown();
        assertAborts(before, 1);
        String line = logs.abortLines().get(0).getFormattedMessage();
        assertTrue(line.contains("GET /stream-async-late"), "the line knows its request: " + line);
    }

    @Test
    void steadyLargeResponseIsNotAnAbort() throws Exception {
        long before = counters.total();
        clientGaveUp.countDown();
        Result result = call(server, "/steady-large", ABORT_TIMEOUT_MS);
        assertNull(result.failure, "a 5 MB body in steady 20 ms packets never trips a 300 ms read timeout");
        assertEquals(200, result.status);
        assertEquals((FIVE_MB / 50) * 50L, result.bytes);
        awaitServletDone();
        assertQuiet();
        assertEquals(before, counters.total());
        assertTrue(logs.abortLines().isEmpty());
    }

    @Test
    void fastResponseKeepsContentLengthAndLogsNothing() throws Exception {
        long before = counters.total();
        Result result = call(server, "/fast", 5_000);
        assertNull(result.failure);
        assertEquals("ok", result.body);
        assertNotNull(result.contentLength, "Content-Length kept: the final flush must not switch to chunked");
        assertEquals("2", result.contentLength.getValue());
        assertNull(result.transferEncoding);
        awaitServletDone();
        assertQuiet();
        assertEquals(before, counters.total());
        assertTrue(logs.abortLines().isEmpty());
    }

    @Test
    void writerResponseKeepsCharsetAndExactContentLength() throws Exception {
        Result withFilter = call(server, "/fast-writer", 5_000);
        awaitServletDone();
        servletDone = new CountDownLatch(1);
        Result without = call(baseline, "/fast-writer", 5_000);
        awaitServletDone();
        assertEquals(UTF8_TEXT, withFilter.body);
        assertEquals(without.body, withFilter.body);
        assertEquals(String.valueOf(UTF8_TEXT.getBytes(StandardCharsets.UTF_8).length), withFilter.contentLength.getValue());
        assertEquals(normalize(without.contentType), normalize(withFilter.contentType));
    }

    @Test
    void twoConcurrentAbortsCountTwo() throws Exception {
        servletDone = new CountDownLatch(2);
        long before = counters.total();
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            Future<Result> a = callers.submit(() -> call(server, "/slow-large", ABORT_TIMEOUT_MS));
            Future<Result> b = callers.submit(() -> call(server, "/slow-large", ABORT_TIMEOUT_MS));
            assertInstanceOf(SocketTimeoutException.class, a.get(20, TimeUnit.SECONDS).failure);
            assertInstanceOf(SocketTimeoutException.class, b.get(20, TimeUnit.SECONDS).failure);
        } finally {
            callers.shutdownNow();
        }
        clientGaveUp.countDown();
        assertAborts(before, 2);
    }

    @Test
    void twoFailingWritesInOneRequestCountOnce() throws Exception {
        long before = counters.total();
        Result result = call(server, "/two-failures", ABORT_TIMEOUT_MS);
        assertInstanceOf(SocketTimeoutException.class, result.failure);
        clientGaveUp.countDown();
        assertAborts(before, 1);
    }

    @Test
    void clientResettingMidUploadIsARequestReadAbortWithRouteAndIds() throws Exception {
        long before = counters.total();
        long readsBefore = counters.count(AbortKind.REQUEST_READ);
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: 10000000\r\nX-Request-Id: req-42\r\nIdempotency-Key: key-7\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[64 * 1024]);
            out.flush();
            assertTrue(uploadStarted.await(10, TimeUnit.SECONDS), "the servlet is reading the body");
            socket.setSoLinger(true, 0);
        }
        assertAborts(before, 1);
        assertEquals(readsBefore + 1, counters.count(AbortKind.REQUEST_READ));
        String line = logs.abortLines().get(0).getFormattedMessage();
        assertTrue(line.contains("POST /upload") && line.contains("kind=request_read") && line.contains("route=/upload/{id}")
                && line.contains("requestId=req-42") && line.contains("idempotencyKey=key-7"), line);
        assertEquals(1L, counters.byRoute().get("/upload/{id}"));
    }

    @Test
    void writerOnAnExecutorThenCompleteKeepsTheBody() throws Exception {
        Result result = assertSameAsBaseline("GET", "/writer-async");
        assertEquals("hello-async ✓", result.body);
    }

    @Test
    void headWithAWriterKeepsTheContainersContentLength() throws Exception {
        assertSameAsBaseline("HEAD", "/writer-head");
    }

    @Test
    void printThenRedirectIsNotAnAbort() throws Exception {
        Result result = assertSameAsBaseline("GET", "/writer-redirect");
        assertEquals(302, result.status);
    }

    @Test
    void writingPastTheDeclaredContentLengthIsTheApplicationsBugNotAnAbort() throws Exception {
        assertSameAsBaseline("GET", "/past-length");
    }

    @Test
    void oneWritePastTheDeclaredContentLengthIsTheApplicationsBugNotAnAbort() throws Exception {
        // Jetty 12 fails it with IOException("written 8 > 3 content-length"), the client connected
        assertSameAsBaseline("GET", "/overrun-length");
    }

    @Test
    void aBodyShorterThanTheDeclaredContentLengthIsTheApplicationsBugNotAnAbort() throws Exception {
        // Jetty 12 fails the completing close with IOException("written 10 < 100 content-length");
        // Tomcat and Undertow send the 10 bytes and keep the connection: the client times out
        assertSameAsBaseline("GET", "/short-length", 1_000);
    }

    @Test
    void charsetStaysFixedOnceTheWriterIsObtained() throws Exception {
        Result result = assertSameAsBaseline("GET", "/charset-after-writer");
        assertTrue(result.contentType.toLowerCase().contains("iso-8859-1"), result.contentType);
    }

    @Test
    void noArgumentStartAsyncKeepsTheContainersSemantics() throws Exception {
        if (wrappersHideTheOriginalRequestAndResponse()) {
            Result with = call(server, "/async-original", 10_000);
            assertEquals("original=false", with.body, "Undertow's answer with any wrapping filter");
            return;
        }
        Result result = assertSameAsBaseline("GET", "/async-original");
        assertEquals("original=true", result.body);
    }

    /**
     * Undertow answers {@code hasOriginalRequestAndResponse()} for the request and response at the
     * current position of the filter chain, so any wrapping filter (Spring's included) makes it false.
     */
    protected boolean wrappersHideTheOriginalRequestAndResponse() {
        return false;
    }

    /**
     * Whether the container logs (at WARN or above) an exception the application threw after the
     * client left; Jetty logs it at DEBUG only, so there both sides log nothing.
     */
    protected boolean logsAnApplicationFailureAfterTheClientLeft() {
        return true;
    }

    @Test
    void handlerIoExceptionIsARealErrorLoggedAsWithoutTheLibrary() throws Exception {
        assertRealErrorUntouched("/disk-full");
    }

    @Test
    void handlerRuntimeExceptionIsARealErrorLoggedAsWithoutTheLibrary() throws Exception {
        List<String> log = assertRealErrorUntouched("/runtime");
        // Also proves the capture: the container's own logging (JUL for Tomcat, JBoss Logging for
        // Undertow) reaches it, so "no WARN or ERROR" elsewhere is not vacuous.
        assertTrue(log.stream().anyMatch(line -> line.contains("IllegalStateException: application bug")),
                "the container logged the application's exception, and the capture saw it: " + log);
    }

    @Test
    void aNonBlockingWritersOwnFailureIsNotAnAbort() throws Exception {
        assertSameAsBaseline("GET", "/nonblocking-own-failure", 2_000);
    }

    @Test
    void flushAfterSendErrorIsNotAnAbort() throws Exception {
        assertSameAsBaseline("GET", "/flush-after-send-error");
    }

    @Test
    void outboundCallResetIsARealErrorLoggedAsWithoutTheLibrary() throws Exception {
        assertRealErrorUntouched("/outbound");
        assertInstanceOf(java.net.SocketException.class, outboundFailure, "the backend really reset the outbound call");
        assertTrue(outboundFailure.getMessage().contains("Connection reset"), String.valueOf(outboundFailure));
    }

    @Test
    void aNewFailureThatWrapsACaughtAbortIsAsLoudAsWithoutTheLibrary() throws Exception {
        long before = counters.total();
        Result without = call(baseline, "/abort-then-new-failure", ABORT_TIMEOUT_MS);
        assertInstanceOf(SocketTimeoutException.class, without.failure);
        clientGaveUp.countDown();
        awaitServletDone();
        List<String> baselineLog = awaitLoggedErrors();
        if (logsAnApplicationFailureAfterTheClientLeft()) {
            assertTrue(baselineLog.stream().anyMatch(line -> line.contains("IllegalStateException: payment failed")),
                    "the container logs the application's failure without the library: " + baselineLog);
        }
        logs.clear();
        servletDone = new CountDownLatch(1);
        clientGaveUp = new CountDownLatch(1);

        Result with = call(server, "/abort-then-new-failure", ABORT_TIMEOUT_MS);
        assertInstanceOf(SocketTimeoutException.class, with.failure);
        clientGaveUp.countDown();
        awaitServletDone();
        List<String> filteredLog = awaitLoggedErrors();
        assertEquals(baselineLog, filteredLog, "the new failure is logged exactly as without the library");
        // the abort itself did happen: one line, one count, besides the application's loud failure
        await().atMost(Duration.ofSeconds(10)).until(() -> counters.total() == before + 1);
        assertEquals(1, logs.abortLines().size(), LogCapture.describe(logs.abortLines()));
    }

    @Test
    void aThrowableWhoseOwnMethodsThrowPropagatesUnchanged() throws Exception {
        // the container logs what reached it: the application's throwable, never one of the library's
        List<String> log = assertRealErrorUntouched("/hostile-throwable");
        assertTrue(log.stream().anyMatch(line -> line.contains("HostileException: hostile")), "logged as is: " + log);
    }

    @Test
    void aHugeCustomMethodAndRequestIdAreCleanedAndBoundedInTheLine() throws Exception {
        long before = counters.total();
        String method = "X".repeat(7_000);
        String requestId = "r".repeat(300) + "\u00e9";
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write((method + " /slow-large HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: "
                    + requestId + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            // the servlet waits for clientGaveUp; the client leaves with a reset first
            socket.setSoLinger(true, 0);
        }
        clientGaveUp.countDown();
        assertAborts(before, 1);
        ILoggingEvent event = logs.abortLines().get(0);
        String loggedMethod = (String) keyValue(event, "method");
        // lengths, not the values, in the messages: a failure must not print 7,000 characters
        assertEquals(203, loggedMethod.length(), "the method is bounded like every other value");
        assertEquals("X".repeat(200) + "...", loggedMethod);
        String loggedId = (String) keyValue(event, "requestId");
        assertEquals(203, loggedId.length());
        assertEquals("r".repeat(200) + "...", loggedId);
        String line = event.getFormattedMessage();
        assertTrue(line.length() < 1_000, "the whole line is bounded: " + line.length() + " characters");
        assertTrue(line.startsWith("Client aborted " + "X".repeat(200) + "... /slow-large"), line.substring(0, 300));
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * The filter must not change a response or what is logged about it: status, the headers that
     * the body depends on, the body bytes, and the WARN/ERROR output are the baseline's.
     */
    private Result assertSameAsBaseline(String method, String path) throws Exception {
        return assertSameAsBaseline(method, path, 10_000);
    }

    private Result assertSameAsBaseline(String method, String path, int timeoutMs) throws Exception {
        long before = counters.total();
        Result without = call(baseline, path, timeoutMs, method);
        awaitServletDone();
        List<String> baselineLog = awaitLoggedErrors();
        logs.clear();
        servletDone = new CountDownLatch(1);

        Result with = call(server, path, timeoutMs, method);
        awaitServletDone();
        List<String> filteredLog = awaitLoggedErrors();

        String what = method + " " + path + ": ";
        assertEquals(without.status, with.status, what + "status");
        assertEquals(header(without.contentLength), header(with.contentLength), what + "Content-Length");
        assertEquals(header(without.transferEncoding), header(with.transferEncoding), what + "Transfer-Encoding");
        assertEquals(normalize(without.contentType), normalize(with.contentType), what + "Content-Type");
        assertEquals(pathOf(header(without.location)), pathOf(header(with.location)), what + "Location");
        // an error page may name the server's own address, which differs between the two servers
        assertEquals(withoutPort(without.raw, baseline), withoutPort(with.raw, server), what + "body bytes");
        assertEquals(baselineLog, filteredLog, what + "logged exactly as without the library");
        assertEquals(before, counters.total(), what + "not counted as an abort");
        assertTrue(logs.abortLines().isEmpty(), what + "no abort line");
        return with;
    }

    private static String withoutPort(byte[] body, EmbeddedServer origin) {
        if (body == null) {
            return null;
        }
        String text = new String(body, StandardCharsets.ISO_8859_1); // byte-exact, one char per byte
        return text.replace("127.0.0.1:" + origin.port(), "127.0.0.1:<port>");
    }

    private static String pathOf(String location) {
        return location == null ? null : location.replaceFirst("^https?://[^/]+", "");
    }

    private static String header(Header header) {
        return header == null ? null : header.getValue();
    }

    private List<String> assertRealErrorUntouched(String path) throws Exception {
        long before = counters.total();
        Result without = call(baseline, path, 10_000);
        awaitServletDone();
        List<String> baselineLog = awaitLoggedErrors();
        logs.clear();
        servletDone = new CountDownLatch(1);

        Result with = call(server, path, 10_000);
        awaitServletDone();
        List<String> filteredLog = awaitLoggedErrors();

        assertEquals(500, without.status, "the container answers 500 without the library");
        assertEquals(without.status, with.status, "same status reaches the client");
        assertEquals(baselineLog, filteredLog, "logged exactly as without the library (Undertow logs an IOException at DEBUG only)");
        assertEquals(before, counters.total(), "not counted as an abort");
        assertTrue(logs.abortLines().isEmpty(), "no abort line");
        return filteredLog;
    }

    /** The WARN/ERROR output of one failure, once it is complete (unchanged for 400 ms). */
    private List<String> awaitLoggedErrors() {
        List<List<String>> last = new ArrayList<>(List.of(List.of("<none yet>")));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).during(Duration.ofMillis(400))
                .until(() -> {
                    List<String> now = signatures(logs.warnings());
                    boolean stable = now.equals(last.get(0));
                    last.set(0, now);
                    return stable;
                });
        return last.get(0);
    }

    private static List<String> signatures(List<ILoggingEvent> events) {
        List<String> result = new ArrayList<>();
        for (ILoggingEvent e : events) {
            result.add(e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage() + " "
                    + (e.getThrowableProxy() == null ? "-" : e.getThrowableProxy().getClassName() + ": "
                    + e.getThrowableProxy().getMessage()));
        }
        return result;
    }

    private void assertAborts(long before, int expected) throws InterruptedException {
        awaitServletDone();
        await().atMost(Duration.ofSeconds(10)).until(() -> counters.total() == before + expected);
        await().atMost(Duration.ofSeconds(10)).until(() -> logs.abortLines().size() >= expected);
        assertQuiet();
        assertEquals(before + expected, counters.total(), "metric +" + expected);
        List<ILoggingEvent> lines = logs.abortLines();
        assertEquals(expected, lines.size(), "exactly one line per aborted request:" + LogCapture.describe(lines));
        for (ILoggingEvent line : lines) {
            assertEquals(Level.INFO, line.getLevel());
            assertNull(line.getThrowableProxy(), "no stack trace by default");
            assertTrue(line.getKeyValuePairs() != null && line.getKeyValuePairs().stream()
                    .anyMatch(kv -> kv.key.equals("silenceMs")), "structured key-values present");
        }
    }

    /** No WARN or ERROR from any logger (container included) within a quiet window. */
    private void assertQuiet() {
        try {
            await().atMost(Duration.ofSeconds(3)).during(Duration.ofMillis(400)).until(() -> logs.warnings().isEmpty());
        } catch (ConditionTimeoutException e) {
            fail("WARN/ERROR logged:" + LogCapture.describe(logs.warnings()));
        }
    }

    private void awaitServletDone() throws InterruptedException {
        assertTrue(servletDone.await(20, TimeUnit.SECONDS), "servlet finished");
    }

    private static String normalize(String contentType) {
        return contentType == null ? null : contentType.replace(" ", "").toLowerCase();
    }

    private Result call(EmbeddedServer target, String path, int responseTimeoutMs) {
        return call(target, path, responseTimeoutMs, "GET");
    }

    private Result call(EmbeddedServer target, String path, int responseTimeoutMs, String method) {
        org.apache.hc.client5.http.classic.methods.HttpUriRequestBase get =
                new org.apache.hc.client5.http.classic.methods.HttpUriRequestBase(method,
                        java.net.URI.create("http://127.0.0.1:" + target.port() + path));
        get.setConfig(RequestConfig.custom()
                .setResponseTimeout(Timeout.ofMilliseconds(responseTimeoutMs))
                .setConnectionRequestTimeout(Timeout.ofSeconds(5))
                .build());
        Result result = new Result();
        AtomicLong bytes = new AtomicLong();
        try {
            client.execute(get, response -> {
                result.status = response.getCode();
                result.contentLength = response.getFirstHeader("Content-Length");
                result.transferEncoding = response.getFirstHeader("Transfer-Encoding");
                result.location = response.getFirstHeader("Location");
                result.contentType = response.getEntity() == null ? null : response.getEntity().getContentType();
                if (response.getEntity() != null) {
                    java.io.ByteArrayOutputStream small = new java.io.ByteArrayOutputStream();
                    try (InputStream in = response.getEntity().getContent()) {
                        byte[] buffer = new byte[8192];
                        int n;
                        while ((n = in.read(buffer)) != -1) {
                            bytes.addAndGet(n);
                            if (small.size() < 1024) {
                                small.write(buffer, 0, n);
                            }
                        }
                    }
                    result.body = small.toString(StandardCharsets.UTF_8);
                    result.raw = small.toByteArray();
                }
                return null;
            });
        } catch (Exception e) {
            result.failure = e;
        }
        result.bytes = bytes.get();
        return result;
    }

    private static final class Result {
        volatile int status = -1;
        volatile long bytes;
        volatile Exception failure;
        volatile Header contentLength;
        volatile Header transferEncoding;
        volatile String contentType;
        volatile String body;
        volatile Header location;
        volatile byte[] raw;

        @Override
        public String toString() {
            return "Result[status=" + status + ", bytes=" + bytes + ", failure=" + failure + "]";
        }
    }

    static String join(List<String> values) {
        return values.stream().collect(Collectors.joining(", "));
    }
}
