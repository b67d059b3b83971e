package dev.abortguard.client.connections;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw HTTP/1.1 server whose behaviour each request picks by its path, and which counts the
 * connections it accepted and the ones that ended (the client's FIN or reset, or its own close):
 * the ground truth the client's connection counts are held against.
 *
 * <ul>
 *   <li>{@code /ok}: 200, keep-alive;
 *   <li>{@code /unavailable}: a plain 503 (no proof the request was not processed);
 *   <li>{@code /too-many}: 429 with {@code Retry-After: 0};
 *   <li>{@code /close}: 200 with {@code Connection: close}, then the server closes;
 *   <li>{@code /idle-close}: 200, keep-alive, then the server closes the connection after 50 ms idle;
 *   <li>{@code /stall}: reads the request, never answers;
 *   <li>{@code /partial}: the head and 2 of 10 body bytes, then nothing.
 * </ul>
 */
final class ScriptedServer implements AutoCloseable {

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "scripted-server");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger ended = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();

    ScriptedServer() throws IOException {
        server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    String route() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    String uri(String path) {
        return route() + path;
    }

    int accepted() {
        return accepted.get();
    }

    int ended() {
        return ended.get();
    }

    int requests() {
        return requests.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                accepted.incrementAndGet();
                threads.execute(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                requests.incrementAndGet();
                String length = header(head, "content-length");
                if (length != null) {
                    in.readNBytes(Integer.parseInt(length));
                }
                String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                switch (path) {
                    case "/ok" -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                    case "/unavailable" -> write(out, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
                    case "/too-many" -> write(out, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 0\r\n\r\n");
                    case "/close" -> {
                        write(out, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
                        return;
                    }
                    case "/idle-close" -> {
                        write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                        socket.setSoTimeout(50);
                        try {
                            if (readHead(in) == null) {
                                return;
                            }
                        } catch (SocketTimeoutException idle) {
                            return;
                        }
                        throw new IOException("a request after /idle-close on the same connection");
                    }
                    case "/stall" -> {
                        // until the client goes away
                        while (in.read() >= 0) {
                            // nothing to answer
                        }
                        return;
                    }
                    case "/partial" -> {
                        write(out, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok");
                        while (in.read() >= 0) {
                            // the rest never comes
                        }
                        return;
                    }
                    default -> write(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                }
            }
        } catch (IOException ignored) {
            // the client reset the connection
        } finally {
            ended.incrementAndGet();
        }
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static void write(OutputStream out, String response) throws IOException {
        out.write(response.getBytes(StandardCharsets.US_ASCII));
        out.flush();
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
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
