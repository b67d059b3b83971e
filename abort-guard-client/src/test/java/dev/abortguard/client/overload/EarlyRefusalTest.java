package dev.abortguard.client.overload;

import dev.abortguard.client.RecoveryCounters;
import dev.abortguard.client.RecoveryMode;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server that refuses before it has read the request body (a load shedder in front of the
 * handler): its 503 with {@code Connection: close}, read while the body is still being sent,
 * proves the POST was not processed, so it is sent again under the same key; the same 503 after the
 * whole body was read proves nothing and reaches the caller.
 */
class EarlyRefusalTest {

    private static final byte[] BODY = new byte[4 * 1024 * 1024];

    private RefusingServer server;

    @BeforeEach
    void start() throws IOException {
        server = new RefusingServer();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private static CloseableHttpClient client(TimeoutRecoveryPolicy policy) {
        return policy.wrap(policy.instrument(HttpClients.custom()
                // small send buffers, as a real network's bandwidth-delay: the client cannot put the
                // whole body in flight before the server's answer arrives (loopback buffers take MBs)
                .setConnectionManager(policy.instrument(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultSocketConfig(SocketConfig.custom().setSndBufSize(32 * 1024).build())).build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(10)).build()))
                .build());
    }

    private int post(CloseableHttpClient client, String path, String key) throws IOException {
        HttpPost post = new HttpPost(server.uri(path));
        post.setHeader("Idempotency-Key", key);
        post.setEntity(new ByteArrayEntity(BODY, ContentType.APPLICATION_OCTET_STREAM));
        return client.execute(post, response -> response.getCode());
    }

    @Test
    void anEarlyRefusalIsNotAppliedAndTheOrderIsPlacedOnceUnderItsKey() throws Exception {
        RecoveryCounters counters = new RecoveryCounters();
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.REPORT_ONLY)
                .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(100))
                .addListener(counters)
                .build();
        try (CloseableHttpClient client = client(policy)) {
            assertThat(post(client, "/refuse-first-early", "early-1")).isEqualTo(201);
        }
        assertThat(server.refusedEarly.get()).isEqualTo(1);
        assertThat(server.processed.get()).isEqualTo(1);
        assertThat(counters.notApplied()).isEqualTo(1);
        assertThat(counters.retries()).isEqualTo(1);
    }

    @Test
    void theSame503AfterTheWholeBodyWasReadProvesNothing() throws Exception {
        RecoveryCounters counters = new RecoveryCounters();
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.REPORT_ONLY)
                .addListener(counters)
                .build();
        try (CloseableHttpClient client = client(policy)) {
            assertThat(post(client, "/refuse-first-late", "late-1")).isEqualTo(503);
        }
        assertThat(server.arrivals.get()).isEqualTo(1);
        assertThat(counters.notApplied()).isZero();
        assertThat(counters.retries()).isZero();
    }

    @Test
    void withoutTheEarlyRefusalInTheListTheAnswerReachesTheCaller() throws Exception {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.REPORT_ONLY)
                .notAppliedAnswers(java.util.List.of(dev.abortguard.client.NotAppliedAnswer.fasthttpConcurrencyLimit()))
                .build();
        try (CloseableHttpClient client = client(policy)) {
            assertThat(post(client, "/refuse-first-early", "early-2")).isEqualTo(503);
        }
        assertThat(server.refusedEarly.get()).isEqualTo(1);
        assertThat(server.processed.get()).isZero();
    }

    /**
     * {@code /refuse-first-early}: the first arrival is answered 503 with {@code Connection: close}
     * right after its head, before a byte of its body is read; the server then half-closes and
     * drains, so the client reads the answer rather than a reset. Later arrivals are read whole and
     * answered 201. {@code /refuse-first-late}: the first arrival is read whole, then answered 503.
     */
    private static final class RefusingServer implements AutoCloseable {
        final AtomicInteger arrivals = new AtomicInteger();
        final AtomicInteger refusedEarly = new AtomicInteger();
        final AtomicInteger processed = new AtomicInteger();
        private final ServerSocket socket;
        private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "refusing-server");
            t.setDaemon(true);
            return t;
        });

        RefusingServer() throws IOException {
            socket = new ServerSocket();
            socket.setReceiveBufferSize(16 * 1024);
            socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            threads.execute(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        threads.execute(() -> serve(s));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        String uri(String path) {
            return "http://127.0.0.1:" + socket.getLocalPort() + path;
        }

        private void serve(Socket s) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                while (true) {
                    String head = readHead(in);
                    if (head == null) {
                        return;
                    }
                    boolean first = arrivals.incrementAndGet() == 1;
                    int length = contentLength(head);
                    if (first && head.startsWith("POST /refuse-first-early")) {
                        refusedEarly.incrementAndGet();
                        out.write(("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbusy")
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        s.shutdownOutput();
                        in.transferTo(OutputStream.nullOutputStream());
                        return;
                    }
                    in.readNBytes(length);
                    if (first) {
                        out.write(("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbusy")
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        return;
                    }
                    processed.incrementAndGet();
                    out.write("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException ignored) {
                // the client went away
            }
        }

        private static int contentLength(String head) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                    return Integer.parseInt(line.substring(colon + 1).trim());
                }
            }
            return 0;
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
            socket.close();
            threads.shutdownNow();
        }
    }
}
