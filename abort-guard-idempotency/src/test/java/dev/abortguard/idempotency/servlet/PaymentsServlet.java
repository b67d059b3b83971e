package dev.abortguard.idempotency.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A payments handler with a ledger: every run is counted per body, so a test sees whether a repeat
 * ran the handler again. {@code X-Hold: name} holds the run until the test opens that gate (and says
 * it started); {@code X-Mode} picks a behaviour: fail (500), throw, big (a body of X-Size bytes),
 * form (echo parameter a), async (answer from another thread).
 */
final class PaymentsServlet extends HttpServlet {

    final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    final Map<String, CountDownLatch> started = new ConcurrentHashMap<>();
    final AtomicInteger total = new AtomicInteger();
    private final ExecutorService async = Executors.newCachedThreadPool();

    CountDownLatch gate(String name) {
        return gates.computeIfAbsent(name, n -> new CountDownLatch(1));
    }

    CountDownLatch started(String name) {
        return started.computeIfAbsent(name, n -> new CountDownLatch(1));
    }

    int runsOf(String body) {
        AtomicInteger n = runs.get(body);
        return n == null ? 0 : n.get();
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String mode = req.getHeader("X-Mode");
        if ("form".equals(mode)) {
            String a = req.getParameter("a");
            runs.computeIfAbsent("form:" + a, k -> new AtomicInteger()).incrementAndGet();
            resp.setContentType("text/plain;charset=UTF-8");
            resp.getWriter().write("a=" + a + " b=" + String.join(",", req.getParameterValues("b")));
            return;
        }
        String body = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int run = runs.computeIfAbsent(body, k -> new AtomicInteger()).incrementAndGet();
        int n = total.incrementAndGet();
        String hold = req.getHeader("X-Hold");
        if (hold != null) {
            started(hold).countDown();
            try {
                if (!gate(hold).await(20, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("gate " + hold + " never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        if ("fail".equals(mode)) {
            resp.setStatus(500);
            resp.setContentType("application/json");
            resp.getWriter().write("{\"error\":\"ledger down\",\"run\":" + run + "}");
            return;
        }
        if ("throw".equals(mode)) {
            throw new IllegalStateException("handler failed on purpose, run " + run);
        }
        if ("big".equals(mode)) {
            int size = Integer.parseInt(req.getHeader("X-Size"));
            resp.setContentType("application/octet-stream");
            byte[] chunk = new byte[1000];
            for (int written = 0; written < size; written += chunk.length) {
                resp.getOutputStream().write(chunk, 0, Math.min(chunk.length, size - written));
            }
            return;
        }
        if ("async".equals(mode)) {
            AsyncContext context = req.startAsync(req, resp);
            async.execute(() -> {
                try {
                    context.getResponse().setContentType("application/json");
                    ((HttpServletResponse) context.getResponse()).setStatus(201);
                    context.getResponse().getOutputStream().write(("{\"async\":" + n + "}").getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                } finally {
                    context.complete();
                }
            });
            return;
        }
        resp.setStatus(201);
        resp.setHeader("Location", "/payments/" + n);
        resp.addHeader("X-Tag", "one");
        resp.addHeader("X-Tag", "two");
        resp.setContentType("application/json");
        // flushed half-way on purpose: the filter must hold the body all the same
        resp.getWriter().write("{\"payment\":" + n + ",");
        resp.flushBuffer();
        resp.getWriter().write("\"body\":\"" + body + "\"}");
    }
}
