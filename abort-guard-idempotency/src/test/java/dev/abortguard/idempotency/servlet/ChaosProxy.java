package dev.abortguard.idempotency.servlet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy in front of a real container that breaks exchanges on the wire, per key and arrival:
 * the faults a client's recovery meets. One request per connection (it answers with
 * {@code Connection: close}), so every fault is the fault of one request.
 */
final class ChaosProxy implements AutoCloseable {

    /** What happens to one arrival of a request. */
    enum Fault {
        /** Relayed both ways. */
        PASS,
        /** Relayed to the server; the answer is held past the client's timeout, then written to a client that left. */
        STALL,
        /** Relayed to the server (it records the payment); the client's connection is reset instead of answered. */
        RESET_AFTER_RECORD,
        /** The client's connection is reset after the request was read: the server never sees it. */
        DROP,
        /** Held before it reaches the server for longer than the client's timeout (an accept queue, a load balancer), then relayed. */
        LATE
    }

    @FunctionalInterface
    interface Script {
        Fault fault(String key, int arrival);
    }

    private final ServerSocket listener;
    private final int upstreamPort;
    private final Script script;
    private final long holdMillis;
    private final ExecutorService connections = Executors.newCachedThreadPool();
    private final Map<String, Integer> arrivals = new ConcurrentHashMap<>();
    private volatile boolean closed;

    ChaosProxy(int upstreamPort, Script script, Duration hold) throws IOException {
        this.listener = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        this.upstreamPort = upstreamPort;
        this.script = script;
        this.holdMillis = hold.toMillis();
        Thread acceptor = new Thread(this::accept, "chaos-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    int arrivals(String key) {
        return arrivals.getOrDefault(key, 0);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                connections.execute(() -> handle(client));
            } catch (IOException e) {
                if (!closed) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private void handle(Socket client) {
        try (client) {
            client.setSoTimeout(30_000);
            InputStream in = client.getInputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            byte[] body = in.readNBytes(contentLength(head));
            String key = header(head, "idempotency-key");
            int arrival = key == null ? 1 : arrivals.merge(key, 1, Integer::sum);
            Fault fault = key == null ? Fault.PASS : script.fault(key, arrival);
            switch (fault) {
                case DROP -> reset(client);
                case RESET_AFTER_RECORD -> {
                    forward(head, body);
                    reset(client);
                }
                case STALL -> {
                    byte[] answer = forward(head, body);
                    hold();
                    write(client, answer);
                }
                case LATE -> {
                    hold();
                    write(client, forward(head, body));
                }
                case PASS -> write(client, forward(head, body));
            }
        } catch (IOException | InterruptedException e) {
            // the client left (a timeout) or the fault ended the exchange: what the test is about
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void hold() throws InterruptedException {
        // a fault on the server's side of the wire, not a test waiting for something
        TimeUnit.MILLISECONDS.sleep(holdMillis);
    }

    private byte[] forward(String head, byte[] body) throws IOException {
        try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
            upstream.setSoTimeout(30_000);
            OutputStream out = upstream.getOutputStream();
            out.write(withConnectionClose(head).getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return upstream.getInputStream().readAllBytes();
        }
    }

    private static void write(Socket client, byte[] answer) throws IOException {
        int end = indexOf(answer, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (end < 0) {
            client.getOutputStream().write(answer);
            return;
        }
        String head = new String(answer, 0, end + 4, StandardCharsets.ISO_8859_1);
        OutputStream out = client.getOutputStream();
        out.write(withConnectionClose(head).getBytes(StandardCharsets.ISO_8859_1));
        out.write(answer, end + 4, answer.length - end - 4);
        out.flush();
    }

    private static void reset(Socket client) throws IOException {
        client.setSoLinger(true, 0);
        client.close();
    }

    private static String withConnectionClose(String head) {
        StringBuilder out = new StringBuilder(head.length() + 20);
        String[] lines = head.split("\r\n");
        out.append(lines[0]).append("\r\n");
        for (int i = 1; i < lines.length; i++) {
            if (!lines[i].isEmpty() && !lines[i].toLowerCase(Locale.ROOT).startsWith("connection:")) {
                out.append(lines[i]).append("\r\n");
            }
        }
        return out.append("Connection: close\r\n\r\n").toString();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static int contentLength(String head) {
        String value = header(head, "content-length");
        return value == null ? 0 : Integer.parseInt(value.trim());
    }

    private static String header(String head, String lowerName) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(lowerName)) {
                String value = line.substring(colon + 1).trim();
                return value.startsWith("\"") && value.endsWith("\"") && value.length() >= 2
                        ? value.substring(1, value.length() - 1) : value;
            }
        }
        return null;
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        connections.shutdownNow();
    }
}
