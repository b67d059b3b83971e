package dev.abortguard.examples.overload;

import dev.abortguard.client.NotAppliedAnswer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP/1.1 server that behaves like Go fasthttp under its {@code Server.Concurrency} limit
 * (the second source document's "public API"). It serves at most {@code limit} connections at once,
 * idle keep-alive connections included, as fasthttp counts them. A connection accepted beyond the
 * limit gets fasthttp's exact 503 with {@code Connection: close} before a byte of the request is
 * read, and is closed. A served request is recorded in the ledger when it arrives (the order is
 * placed) and answered {@code 201} after 1-3 s of work; a caller that gave up in between does not
 * undo it. It never deduplicates: every key in the ledger counted twice is the caller's doing.
 *
 * <p>After the refusal it shuts its output and drains what the caller wrote before closing, so the
 * caller reads the 503 rather than a reset (fasthttp's own close can race the caller's write and
 * reset instead, which proves nothing). How each connection ended is counted, so the TIME_WAIT
 * sockets on the host can be told apart by who closed first.
 */
public final class FastHttpLikeUpstream implements AutoCloseable {

    private static final byte[] REFUSAL = ("HTTP/1.1 503 Service Unavailable\r\nServer: fasthttp\r\n"
            + "Content-Type: text/plain\r\nContent-Length: " + NotAppliedAnswer.FASTHTTP_CONCURRENCY_LIMIT_TEXT.length()
            + "\r\nConnection: close\r\n\r\n" + NotAppliedAnswer.FASTHTTP_CONCURRENCY_LIMIT_TEXT)
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CREATED = "HTTP/1.1 201 Created\r\nServer: fasthttp\r\nContent-Length: 2\r\n\r\nok"
            .getBytes(StandardCharsets.US_ASCII);
    /** fasthttp closes a keep-alive connection idle this long; longer than a demo run, so the caller's pool closes first. */
    private static final int IDLE_TIMEOUT_MILLIS = 30_000;

    private final ServerSocket server;
    private final int limit;
    private final long minLatencyMillis;
    private final long maxLatencyMillis;
    private final Random latencies;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fasthttp-like");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger servedConnections = new AtomicInteger();
    private final AtomicInteger connectionsAccepted = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final Map<String, AtomicInteger> processed = new ConcurrentHashMap<>();
    private final Map<ConnectionEnd, AtomicInteger> ends = new ConcurrentHashMap<>();

    /** How a connection ended, seen from the upstream. */
    public enum ConnectionEnd {
        /** Served; the caller closed first with a FIN: the caller's side keeps the TIME_WAIT. */
        CALLER_CLOSED,
        /** Served; the caller reset it (SO_LINGER 0, or a close with unread data): no TIME_WAIT on either side. */
        CALLER_RESET,
        /** Served; idle past the upstream's idle timeout, closed by the upstream first: TIME_WAIT on the upstream's side. */
        UPSTREAM_IDLE_CLOSE,
        /** Refused with the 503, the upstream closed first, then the caller closed with a FIN: TIME_WAIT on the upstream's side. */
        REFUSED_THEN_CALLER_CLOSED,
        /** Refused with the 503, the upstream closed first, then the caller reset: no TIME_WAIT. */
        REFUSED_THEN_CALLER_RESET,
        /** Still open when the upstream shut down, or the caller never answered the close. */
        OTHER
    }

    /**
     * Starts the upstream on an ephemeral loopback port.
     *
     * @param limit connections served at once ({@code Server.Concurrency})
     * @param minLatency shortest time a request takes
     * @param maxLatency longest time a request takes
     * @param seed seeds the latencies, so two runs see the same sequence
     * @throws IOException when the port cannot be bound
     */
    public FastHttpLikeUpstream(int limit, Duration minLatency, Duration maxLatency, long seed) throws IOException {
        this.limit = limit;
        this.minLatencyMillis = minLatency.toMillis();
        this.maxLatencyMillis = maxLatency.toMillis();
        this.latencies = new Random(seed);
        this.server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    /** @return {@code http://127.0.0.1:port} */
    public String baseUri() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** @return the port it listens on (the TIME_WAIT sockets are counted by it) */
    public int port() {
        return server.getLocalPort();
    }

    /** @return the configured {@code Server.Concurrency} */
    public int limit() {
        return limit;
    }

    /** @return how often the order with this key was processed */
    public int processed(String key) {
        AtomicInteger n = processed.get(key);
        return n == null ? 0 : n.get();
    }

    /** @return keys processed more than once */
    public int keysProcessedMoreThanOnce() {
        return (int) processed.values().stream().filter(n -> n.get() > 1).count();
    }

    /** @return every processing, duplicates included */
    public int processedTotal() {
        return processed.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** @return connections answered with the concurrency-limit 503 */
    public int refusedConnections() {
        return refused.get();
    }

    /** @return connections accepted, served and refused */
    public int connectionsAccepted() {
        return connectionsAccepted.get();
    }

    /** @return requests that reached the upstream: the ones read and served plus the refused connections */
    public int upstreamRequests() {
        return requests.get() + refused.get();
    }

    /** @return requests it is working on now (a caller that gave up does not stop them) */
    public int requestsInProgress() {
        return inFlight.get();
    }

    /** @return the most requests it worked on at once */
    public int maxConcurrentRequests() {
        return maxInFlight.get();
    }

    /** @return connections that ended this way */
    public int ended(ConnectionEnd end) {
        AtomicInteger n = ends.get(end);
        return n == null ? 0 : n.get();
    }

    /** @return connections still open */
    public int openConnections() {
        return open.size();
    }

    private void ended(Socket socket, ConnectionEnd end) {
        if (open.remove(socket)) {
            ends.computeIfAbsent(end, e -> new AtomicInteger()).incrementAndGet();
        }
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
            open.add(socket);
            // fasthttp decides on accept, by connections being served, before reading anything
            if (servedConnections.incrementAndGet() > limit) {
                servedConnections.decrementAndGet();
                refused.incrementAndGet();
                threads.execute(() -> refuse(socket));
            } else {
                threads.execute(() -> serve(socket));
            }
        }
    }

    private void refuse(Socket socket) {
        ConnectionEnd end = ConnectionEnd.OTHER;
        try (socket) {
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(REFUSAL);
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            byte[] drain = new byte[4096];
            while (in.read(drain) >= 0) {
                // the request the caller wrote anyway, unread by design
            }
            end = ConnectionEnd.REFUSED_THEN_CALLER_CLOSED;
        } catch (SocketTimeoutException e) {
            end = ConnectionEnd.OTHER;
        } catch (IOException e) {
            end = ConnectionEnd.REFUSED_THEN_CALLER_RESET;
        } finally {
            ended(socket, end);
        }
    }

    private void serve(Socket socket) {
        ConnectionEnd end = ConnectionEnd.OTHER;
        try (socket) {
            socket.setSoTimeout(IDLE_TIMEOUT_MILLIS);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    end = ConnectionEnd.CALLER_CLOSED;
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
                    Thread.sleep(nextLatencyMillis());
                } finally {
                    inFlight.decrementAndGet();
                }
                out.write(CREATED);
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SocketTimeoutException e) {
            end = ConnectionEnd.UPSTREAM_IDLE_CLOSE;
        } catch (SocketException e) {
            // a reset from the caller (read) or a write into a connection it reset; also our own shutdown
            end = server.isClosed() ? ConnectionEnd.OTHER : ConnectionEnd.CALLER_RESET;
        } catch (IOException e) {
            end = ConnectionEnd.OTHER;
        } finally {
            servedConnections.decrementAndGet();
            ended(socket, end);
        }
    }

    private long nextLatencyMillis() {
        synchronized (latencies) {
            return minLatencyMillis + (long) (latencies.nextDouble() * (maxLatencyMillis - minLatencyMillis));
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new IOException("connection closed inside a request head");
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
        for (Socket socket : open) {
            ended(socket, ConnectionEnd.OTHER);
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        threads.shutdownNow();
    }
}
