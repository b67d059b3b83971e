package dev.abortguard.client.ledger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * A small payment ledger over a raw {@link ServerSocket}, so that it can really stall, drip bytes,
 * reset (SO_LINGER 0) and drop connections. It never deduplicates by key on purpose: every
 * duplicate in {@link #records(String)} is the client's doing.
 *
 * <ul>
 *   <li>{@code POST /payments} with {@code Idempotency-Key}: records the payment, then does what
 *       the script says for that (key, arrival number);
 *   <li>{@code GET /payments/{key}}: 200 with the payment, 202 while pending, 404 when unknown;
 *   <li>{@code POST /payments/{key}/cancel}: 200 canceled, 409 already completed, 404 unknown;
 *   <li>{@code /stream}, {@code /drip-body}, {@code /drip-head}, {@code /status/{code}}: the
 *       timing fixtures.
 * </ul>
 */
public final class LedgerServer implements AutoCloseable {

    /** What the server does with one {@code POST /payments}. */
    public enum Behavior {
        /** Record, answer 201. */
        ANSWER,
        /** Record, then never answer (until the client goes away). */
        STALL_AFTER_RECORD,
        /** Record, then reset the connection (SO_LINGER 0). */
        RESET_AFTER_RECORD,
        /** Read the request, close the connection without recording. */
        DROP_BEFORE_RECORD,
        /** Record as pending (status 202 for the next few checks), then stall. */
        PENDING_THEN_STALL,
        /** Answer 503 with {@code Retry-After: 1}, without recording. */
        RETRY_AFTER_503,
        /** Answer 503 with {@code Retry-After: 0}, without recording. */
        RETRY_AFTER_ZERO,
        /** Answer 429 with a {@code Retry-After} date an hour in the past, without recording. */
        RETRY_AFTER_PAST_DATE,
        /** Answer 409 "request in progress" (IETF idempotency draft), without recording. */
        CONFLICT_409,
        /** Answer 422 "key reused with a different payload" (IETF idempotency draft), without recording. */
        UNPROCESSABLE_422,
        /** Record, then answer 500. */
        RECORD_THEN_500,
        /** Answer 429 with the {@code Retry-After} value of {@link LedgerServer#retryAfter}, without recording. */
        TOO_MANY_REQUESTS,
        /**
         * Hold the request unrecorded, invisible to the status API (404), for {@link LedgerServer#holdMillis}
         * — a request queued in front of the handler — then record and answer it (to a client that may have left).
         */
        HOLD_UNRECORDED
    }

    /** A ledger entry. */
    public static final class Payment {
        final String key;
        final String body;
        final AtomicInteger records = new AtomicInteger();
        final AtomicInteger pendingChecks = new AtomicInteger();
        volatile String state = "DONE";

        Payment(String key, String body) {
            this.key = key;
            this.body = body;
        }
    }

    private final ServerSocket serverSocket;
    private final Thread acceptor;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ledger-worker");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Payment> ledger = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> arrivals = new ConcurrentHashMap<>();
    private final Queue<String> arrivalLog = new ConcurrentLinkedQueue<>();
    private final Map<String, Queue<Long>> arrivalTimes = new ConcurrentHashMap<>();
    private final Queue<Socket> open = new ConcurrentLinkedQueue<>();
    private final AtomicInteger statusRequests = new AtomicInteger();
    private final AtomicInteger cancelRequests = new AtomicInteger();
    private volatile BiFunction<String, Integer, Behavior> script = (key, arrival) -> Behavior.ANSWER;
    private volatile boolean statusDown;
    private volatile int pendingChecks = 2;
    private volatile java.util.function.Function<String, String> retryAfter = key -> "0";
    private volatile java.util.function.IntPredicate resetOnAccept = connection -> false;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger resetOnAcceptCount = new AtomicInteger();

    public LedgerServer() throws IOException {
        serverSocket = bindBelowEphemeralRange();
        acceptor = new Thread(this::acceptLoop, "ledger-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Binds below Linux's ephemeral port range (32768-60999). Tests close the server and then expect
     * "connection refused"; a closed port inside the ephemeral range can instead be picked as the
     * client's own source port, and Linux then connects the socket to itself (TCP self-connect),
     * which looks like a server that accepts and never answers.
     */
    /** A loopback port below the ephemeral range that nothing listens on: connecting is refused. */
    public static int closedPort() throws IOException {
        try (ServerSocket probe = bindBelowEphemeralRange()) {
            return probe.getLocalPort();
        }
    }

    private static ServerSocket bindBelowEphemeralRange() throws IOException {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int tries = 0; tries < 200; tries++) {
            ServerSocket socket = new ServerSocket();
            try {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), random.nextInt(20_000, 32_000)), 200);
                return socket;
            } catch (IOException inUse) {
                socket.close();
            }
        }
        ServerSocket fallback = new ServerSocket();
        fallback.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        return fallback;
    }

    public String baseUri() {
        return "http://127.0.0.1:" + serverSocket.getLocalPort();
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** Decides the behavior of each {@code POST /payments} by key and arrival number (from 1). */
    public void script(BiFunction<String, Integer, Behavior> script) {
        this.script = script;
    }

    /** Makes {@code GET /payments/{key}} answer 500, as a status API that is down. */
    public void statusDown(boolean down) {
        this.statusDown = down;
    }

    /** The {@code Retry-After} value of {@link Behavior#TOO_MANY_REQUESTS} by key, computed per answer. */
    public void retryAfter(java.util.function.Function<String, String> value) {
        this.retryAfter = value;
    }

    /**
     * Which accepted connections (numbered from 1) the server resets at once: accepted, then closed
     * with SO_LINGER 0 before a byte of the request is read, so nothing on them is ever processed.
     */
    public void resetOnAccept(java.util.function.IntPredicate connection) {
        this.resetOnAccept = connection;
    }

    /** Connections accepted so far, reset ones included. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** Connections reset on accept so far. */
    public int resetOnAcceptConnections() {
        return resetOnAcceptCount.get();
    }

    private volatile long holdMillis = 800;

    /** How long a {@link Behavior#HOLD_UNRECORDED} request is held before it is recorded. */
    public void holdMillis(long millis) {
        this.holdMillis = millis;
    }

    /** How many status checks a {@link Behavior#PENDING_THEN_STALL} payment stays pending for. */
    public void pendingChecks(int checks) {
        this.pendingChecks = checks;
    }

    /** How many times a payment with this key was recorded: 0, 1, or a duplicate. */
    public int records(String key) {
        Payment payment = ledger.get(key);
        return payment == null ? 0 : payment.records.get();
    }

    public String state(String key) {
        Payment payment = ledger.get(key);
        return payment == null ? "NONE" : payment.state;
    }

    /** How many {@code POST /payments} arrived with this key. */
    public int arrivals(String key) {
        AtomicInteger count = arrivals.get(key);
        return count == null ? 0 : count.get();
    }

    /** When each {@code POST /payments} with this key arrived ({@link System#nanoTime()}), in order. */
    public List<Long> arrivalTimes(String key) {
        Queue<Long> times = arrivalTimes.get(key);
        return times == null ? List.of() : List.copyOf(times);
    }

    /** The raw {@code Idempotency-Key} header of every {@code POST /payments}, in arrival order. */
    public List<String> arrivalLog() {
        return List.copyOf(arrivalLog);
    }

    public int statusRequests() {
        return statusRequests.get();
    }

    public int cancelRequests() {
        return cancelRequests.get();
    }

    public Map<String, Integer> duplicates() {
        Map<String, Integer> duplicates = new LinkedHashMap<>();
        ledger.forEach((key, payment) -> {
            if (payment.records.get() > 1) {
                duplicates.put(key, payment.records.get());
            }
        });
        return duplicates;
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                if (resetOnAccept.test(accepted.incrementAndGet())) {
                    resetOnAcceptCount.incrementAndGet();
                    socket.setSoLinger(true, 0);
                    socket.close();
                    continue;
                }
                open.add(socket);
                workers.execute(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                Request request = Request.read(in);
                if (request == null) {
                    return;
                }
                if (!handle(request, socket, in, out)) {
                    return;
                }
            }
        } catch (IOException e) {
            // The client went away (timeout, reset): normal for this server.
        } finally {
            open.remove(socket);
        }
    }

    /** Returns whether the connection stays usable for the next request. */
    private boolean handle(Request request, Socket socket, InputStream in, OutputStream out)
            throws IOException {
        String path = request.path;
        if (request.method.equals("POST") && path.equals("/payments")) {
            return payment(request, socket, in, out);
        }
        if (request.method.equals("GET") && path.startsWith("/payments/")) {
            statusRequests.incrementAndGet();
            String key = path.substring("/payments/".length());
            Payment payment = ledger.get(key);
            if (statusDown) {
                respond(out, 500, "status API down");
            } else if (payment == null) {
                respond(out, 404, "no payment " + key);
            } else if ("PENDING".equals(payment.state) && payment.pendingChecks.getAndDecrement() > 0) {
                respond(out, 202, "PENDING " + key);
            } else {
                if ("PENDING".equals(payment.state)) {
                    payment.state = "DONE"; // the background work finished
                }
                respond(out, 200, "paid " + key + " " + payment.body + " " + payment.state);
            }
            return true;
        }
        if (request.method.equals("POST") && path.startsWith("/payments/") && path.endsWith("/cancel")) {
            cancelRequests.incrementAndGet();
            String key = path.substring("/payments/".length(), path.length() - "/cancel".length());
            Payment payment = ledger.get(key);
            if (payment == null) {
                respond(out, 404, "no payment " + key);
            } else if ("PENDING".equals(payment.state)) {
                payment.state = "CANCELED";
                respond(out, 200, "canceled " + key);
            } else if ("CANCELED".equals(payment.state)) {
                respond(out, 200, "canceled " + key);
            } else {
                respond(out, 409, "already completed " + key);
            }
            return true;
        }
        if (path.equals("/stream")) {
            stream(out);
            return false;
        }
        if (path.startsWith("/drip-body")) {
            drip(out, "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: close\r\n\r\n", "abcdefghijkl");
            return false;
        }
        if (path.startsWith("/drip-head")) {
            drip(out, "", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            return false;
        }
        if (path.startsWith("/status/")) {
            int code = Integer.parseInt(path.substring("/status/".length()));
            respond(out, code, "status " + code);
            return true;
        }
        respond(out, 404, "no route " + path);
        return true;
    }

    private boolean payment(Request request, Socket socket, InputStream in, OutputStream out)
            throws IOException {
        String rawKey = request.headers.get("idempotency-key");
        String key = rawKey == null ? "none" : unquote(rawKey);
        arrivalLog.add(rawKey == null ? "none" : rawKey);
        arrivalTimes.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).add(System.nanoTime());
        int arrival = arrivals.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        Behavior behavior = script.apply(key, arrival);
        switch (behavior) {
            case DROP_BEFORE_RECORD:
                socket.close();
                return false;
            case RETRY_AFTER_503:
                respond(out, 503, "busy", "Retry-After: 1\r\n");
                return true;
            case RETRY_AFTER_ZERO:
                respond(out, 503, "busy", "Retry-After: 0\r\n");
                return true;
            case RETRY_AFTER_PAST_DATE:
                String past = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).minusHours(1));
                respond(out, 429, "slow down", "Retry-After: " + past + "\r\n");
                return true;
            case TOO_MANY_REQUESTS:
                respond(out, 429, "too many requests", "Retry-After: " + retryAfter.apply(key) + "\r\n");
                return true;
            case CONFLICT_409:
                respond(out, 409, "in progress " + key);
                return true;
            case UNPROCESSABLE_422:
                respond(out, 422, "key reused " + key);
                return true;
            case HOLD_UNRECORDED:
                // a fault on the server's side (an accept queue), not a test waiting for something
                sleep(holdMillis);
                break;
            default:
                break;
        }
        Payment payment = ledger.computeIfAbsent(key, k -> new Payment(k, request.body));
        if (behavior == Behavior.PENDING_THEN_STALL) {
            payment.state = "PENDING";
            payment.pendingChecks.set(pendingChecks);
        }
        payment.records.incrementAndGet();
        switch (behavior) {
            case STALL_AFTER_RECORD:
            case PENDING_THEN_STALL:
                stallUntilClientLeaves(socket, in);
                return false;
            case RESET_AFTER_RECORD:
                socket.setSoLinger(true, 0);
                socket.close();
                return false;
            case RECORD_THEN_500:
                respond(out, 500, "failed " + key);
                return true;
            default:
                respond(out, 201, "paid " + key + " " + request.body + " DONE");
                return true;
        }
    }

    /** Blocks until the client closes or resets the connection (or the server closes). */
    private void stallUntilClientLeaves(Socket socket, InputStream in) {
        try {
            socket.setSoTimeout(30_000);
            while (in.read() >= 0) {
                // discard
            }
        } catch (IOException e) {
            // reset by the client or closed by close()
        }
    }

    private void stream(OutputStream out) throws IOException {
        out.write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String[] chunks = {"one ", "two ", "three ", "four"};
        long[] delays = {100, 100, 500, 100};
        for (int i = 0; i < chunks.length; i++) {
            sleep(delays[i]);
            byte[] data = chunks[i].getBytes(StandardCharsets.US_ASCII);
            out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(data);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private void drip(OutputStream out, String head, String dripped) throws IOException {
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        for (byte b : dripped.getBytes(StandardCharsets.US_ASCII)) {
            sleep(100);
            out.write(b);
            out.flush();
        }
    }

    private static void respond(OutputStream out, int code, String body) throws IOException {
        respond(out, code, body, "");
    }

    private static void respond(OutputStream out, int code, String body, String extraHeaders)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + code + " " + reason(code) + "\r\nContent-Type: text/plain\r\n"
                + "Content-Length: " + bytes.length + "\r\n" + extraHeaders + "\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    private static String reason(int code) {
        switch (code) {
            case 200: return "OK";
            case 201: return "Created";
            case 202: return "Accepted";
            case 404: return "Not Found";
            case 409: return "Conflict";
            case 429: return "Too Many Requests";
            case 500: return "Internal Server Error";
            case 503: return "Service Unavailable";
            default: return "Status";
        }
    }

    private static String unquote(String value) {
        String v = value.trim();
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops listening, then drops every connection: a client that sees its connection drop finds
     * the port already refusing. Closing a server socket while a thread is blocked in {@code
     * accept()} only takes effect when that thread leaves it, and until then the socket still
     * accepts; so the acceptor is joined before any connection is closed (otherwise a resend could
     * be accepted after the connections were closed and then never answered).
     */
    @Override
    public void close() throws IOException {
        serverSocket.close();
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A parsed HTTP/1.1 request (no chunked request bodies; the tests do not send any). */
    static final class Request {
        final String method;
        final String path;
        final Map<String, String> headers;
        final String body;

        private Request(String method, String path, Map<String, String> headers, String body) {
            this.method = method;
            this.path = path;
            this.headers = headers;
            this.body = body;
        }

        static Request read(InputStream in) throws IOException {
            String requestLine = line(in);
            if (requestLine == null || requestLine.isEmpty()) {
                return null;
            }
            String[] parts = requestLine.split(" ");
            Map<String, String> headers = new ConcurrentHashMap<>();
            String line;
            while ((line = line(in)) != null && !line.isEmpty()) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new SocketException("truncated body");
            }
            String target = parts.length > 1 ? parts[1] : "/";
            int query = target.indexOf('?');
            String path = query >= 0 ? target.substring(0, query) : target;
            if (path.startsWith("http://")) {
                path = path.substring(path.indexOf('/', "http://".length()));
            }
            return new Request(parts[0], path, headers, new String(body, StandardCharsets.UTF_8));
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    String s = buffer.toString(StandardCharsets.US_ASCII);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                buffer.write(b);
            }
            return buffer.size() == 0 ? null : buffer.toString(StandardCharsets.US_ASCII);
        }
    }
}
