package dev.abortguard.client.overload;

import dev.abortguard.client.NotAppliedAnswer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream that behaves like Go fasthttp under its {@code Server.Concurrency} limit: it serves at
 * most {@code limit} connections at once (keep-alive), and answers a connection beyond that with
 * fasthttp's exact 503 before reading a byte of the request, then closes it. It never deduplicates:
 * every duplicate in {@link #duplicates()} is the client's doing.
 *
 * <p>After the refusal it half-closes and drains what the client sent before closing, so that the
 * client reads the 503 rather than a reset: fasthttp's own close can race the client's write and
 * reset instead, which proves nothing and is an unknown outcome (tested elsewhere with resets).
 */
final class FastHttpLikeUpstream implements AutoCloseable {

    private static final byte[] REFUSAL = ("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
            + "Server: fasthttp\r\nDate: Thu, 03 Dec 2026 00:00:00 GMT\r\nContent-Type: text/plain\r\n"
            + "Content-Length: " + NotAppliedAnswer.FASTHTTP_CONCURRENCY_LIMIT_TEXT.length() + "\r\n\r\n"
            + NotAppliedAnswer.FASTHTTP_CONCURRENCY_LIMIT_TEXT).getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final int limit;
    private final Duration latency;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fasthttp-like");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger servedConnections = new AtomicInteger();
    private final AtomicInteger connectionsAccepted = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final Map<String, AtomicInteger> processed = new ConcurrentHashMap<>();

    FastHttpLikeUpstream(int limit, Duration latency) throws IOException {
        this.limit = limit;
        this.latency = latency;
        this.server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    String baseUri() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Orders processed, by key. */
    int processed(String key) {
        AtomicInteger n = processed.get(key);
        return n == null ? 0 : n.get();
    }

    int processedTotal() {
        return processed.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    Map<String, Integer> duplicates() {
        Map<String, Integer> twice = new ConcurrentHashMap<>();
        processed.forEach((k, v) -> {
            if (v.get() > 1) {
                twice.put(k, v.get());
            }
        });
        return twice;
    }

    int refusedConnections() {
        return refused.get();
    }

    int connectionsAccepted() {
        return connectionsAccepted.get();
    }

    /** Requests that reached the upstream: served ones plus refused connections. */
    int upstreamRequests() {
        return requests.get() + refused.get();
    }

    int maxConcurrentRequests() {
        return maxInFlight.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return;
            }
            connectionsAccepted.incrementAndGet();
            if (servedConnections.incrementAndGet() > limit) {
                servedConnections.decrementAndGet();
                refused.incrementAndGet();
                threads.execute(() -> refuse(socket));
            } else {
                threads.execute(() -> serve(socket));
            }
        }
    }

    private static void refuse(Socket socket) {
        try (socket) {
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write(REFUSAL);
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            byte[] drain = new byte[4096];
            while (in.read(drain) >= 0) {
                // the request the client wrote anyway, unread by design
            }
        } catch (IOException ignored) {
            // the client went away first
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(5000);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                requests.incrementAndGet();
                String key = header(head, "idempotency-key");
                String length = header(head, "content-length");
                in.readNBytes(length == null ? 0 : Integer.parseInt(length.trim()));
                int now = inFlight.incrementAndGet();
                maxInFlight.accumulateAndGet(now, Math::max);
                try {
                    processed.computeIfAbsent(key == null ? "(no key)" : key, k -> new AtomicInteger()).incrementAndGet();
                    Thread.sleep(latency.toMillis());
                } finally {
                    inFlight.decrementAndGet();
                }
                out.write("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SocketException ignored) {
            // closed
        } catch (IOException ignored) {
            // idle timeout or the client went away
        } finally {
            servedConnections.decrementAndGet();
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == '\r' || b == '\n') && (matched % 2 == 0 ? b == '\r' : b == '\n') ? matched + 1 : 0;
            if (head.size() > 16 * 1024) {
                throw new IOException("head too large");
            }
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
