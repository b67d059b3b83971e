package dev.abortguard.examples.seed;

import dev.abortguard.server.AbortCounters;
import dev.abortguard.server.ClientAbortFilter;
import dev.abortguard.server.ClientAbortHandler;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The seed's playground on embedded Tomcat 11: the endpoints that produce client aborts, and a
 * payment ledger. Application code handles exceptions the way the seed's did ({@code log.error} in
 * a catch-all handler) — with abort-guard, that handler asks {@link ClientAbortHandler} first.
 */
final class SeedServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("app.PaymentController");

    private final Tomcat tomcat;
    private final Connector connector;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final AbortCounters counters = new AbortCounters();
    private final ClientAbortHandler abortHandler;
    /** key -> amount; what the payment provider actually did. */
    final Map<String, String> ledger = new ConcurrentHashMap<>();
    private final Map<String, Boolean> droppedOnce = new ConcurrentHashMap<>();
    /** Server-side exchanges still running, so the demo can print in order. */
    private final AtomicInteger inFlight = new AtomicInteger();

    SeedServer(boolean withAbortGuard) throws Exception {
        tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("seed-demo").toString());
        connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", null);
        ((StandardContext) context).setClearReferencesRmiTargets(false);
        ((StandardContext) context).setClearReferencesThreadLocals(false);
        add(context, "/slow-large", new SlowLarge());
        add(context, "/stream", new Stream());
        add(context, "/payments/*", new Payments());
        add(context, "/payments", new Payments());
        if (withAbortGuard) {
            ClientAbortFilter filter = ClientAbortFilter.builder().metrics(counters).build();
            abortHandler = filter.handler();
            FilterDef def = new FilterDef();
            def.setFilterName("clientAbortFilter");
            def.setFilter(filter);
            def.setAsyncSupported("true");
            context.addFilterDef(def);
            FilterMap map = new FilterMap();
            map.setFilterName("clientAbortFilter");
            map.addURLPattern("/*");
            map.setDispatcher("REQUEST");
            map.setDispatcher("ASYNC");
            context.addFilterMapBefore(map);
        } else {
            abortHandler = null;
        }
        tomcat.start();
    }

    private static void add(Context context, String path, HttpServlet servlet) {
        String name = path.replaceAll("[^a-z]", "");
        if (context.findChild(name) == null) {
            Tomcat.addServlet(context, name, servlet).setAsyncSupported(true);
        }
        context.addServletMappingDecoded(path, name);
    }

    int port() {
        return connector.getLocalPort();
    }

    long abortCount() {
        return counters.total();
    }

    /** The seed's {@code @ExceptionHandler(Exception.class) { log.error(e.message, e) }}, made abort-aware. */
    private void handleError(Exception e, HttpServletRequest request) {
        if (abortHandler != null && abortHandler.handle(e, request)) {
            return; // a client abort: logged once at INFO and counted by abort-guard
        }
        LOG.error(e.getMessage(), e);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Seed: sleep past the client's read timeout, then write 5 MB. */
    private final class SlowLarge extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
            inFlight.incrementAndGet();
            try {
                pause(600);
                ServletOutputStream out = resp.getOutputStream();
                byte[] chunk = new byte[64 * 1024];
                for (int i = 0; i < 80; i++) {
                    out.write(chunk);
                }
            } catch (IOException e) {
                handleError(e, req);
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    /** Seed: ResponseBodyEmitter-style stream on an executor thread, chunks after 100/100/500/100 ms. */
    private final class Stream extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
            inFlight.incrementAndGet();
            AsyncContext async = req.startAsync();
            executor.execute(() -> {
                try {
                    ServletOutputStream out = async.getResponse().getOutputStream();
                    long[] delays = {100, 100, 500, 100};
                    for (int i = 0; i < delays.length; i++) {
                        pause(delays[i]);
                        out.write(("chunk " + (i + 1) + "\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                } catch (IOException e) {
                    handleError(e, req);
                } finally {
                    try {
                        async.complete();
                    } catch (IllegalStateException alreadyCompleted) {
                        // Tomcat completes an async request itself after a write error
                    }
                    inFlight.decrementAndGet();
                }
            });
        }
    }

    /**
     * A payment provider. {@code POST /payments} records the payment under its Idempotency-Key and
     * answers 201, slowly ({@code X-Demo: slow}: after the client gave up) or after dropping the
     * first attempt before recording it ({@code X-Demo: drop-first}). {@code GET /payments/{key}}
     * is the status API: 200 with the payment, or 404.
     */
    private final class Payments extends HttpServlet {
        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            inFlight.incrementAndGet();
            try {
                String key = req.getHeader("Idempotency-Key");
                String amount = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                String demo = String.valueOf(req.getHeader("X-Demo"));
                if (key != null && ledger.containsKey(key)) {
                    respond(resp, 200, key, ledger.get(key)); // idempotent replay
                    return;
                }
                if (demo.equals("drop-first") && key != null && droppedOnce.putIfAbsent(key, true) == null) {
                    pause(600); // the worker crashes before it commits: nothing recorded
                    resp.setStatus(503);
                    return;
                }
                ledger.put(key == null ? "no-key-" + ledger.size() : key, amount);
                if (demo.equals("slow")) {
                    pause(600); // committed, but the answer comes after the caller's read timeout
                }
                respond(resp, 201, key, amount);
            } catch (IOException e) {
                handleError(e, req);
            } finally {
                inFlight.decrementAndGet();
            }
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            inFlight.incrementAndGet();
            try {
                String key = req.getPathInfo() == null ? "" : req.getPathInfo().substring(1);
                String amount = ledger.get(key);
                if (amount == null) {
                    resp.setStatus(404);
                    return;
                }
                respond(resp, 200, key, amount);
            } finally {
                inFlight.decrementAndGet();
            }
        }

        private void respond(HttpServletResponse resp, int status, String key, String amount) throws IOException {
            resp.setStatus(status);
            resp.setContentType("application/json");
            resp.getOutputStream().write(("{\"key\":\"" + key + "\",\"amount\":" + amount + ",\"status\":\"COMPLETED\"}")
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Waits until no exchange runs on the server any more (their log lines are then printed). */
    void awaitIdle() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        Thread.sleep(50); // let a request the client just gave up on reach its servlet
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws Exception {
        executor.shutdownNow();
        tomcat.stop();
        tomcat.destroy();
    }
}
