package dev.abortguard.server.containers;

import dev.abortguard.server.ClientAbortClassifier;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.OutputStreamRequestContent;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.io.EofException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classifier asked about the throwables that the containers really throw into a servlet over
 * loopback, each the very instance the servlet caught ({@link SeenThrowables}): HTTP/2 streams
 * cancelled by a real HTTP/2 client (h2c, prior knowledge), a request body cut short, and the
 * look-alikes a handler's own outbound calls raise on the same request threads, which must stay
 * errors. The servlets here run without {@code ClientAbortFilter}: what they see is the container's
 * own throwable, the classifier's input when no wrapper saw the failure.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealContainerThrowablesTest {

    /** Each container with HTTP/2 over cleartext, and the throwable classes it was seen to throw. */
    enum Container {
        TOMCAT(TomcatServer::startH2c,
                // unwrapped from the write, or wrapped by the flush that met the reset
                Set.of("org.apache.coyote.CloseNowException", "org.apache.catalina.connector.ClientAbortException"),
                Set.of("org.apache.catalina.connector.ClientAbortException"),
                Set.of("org.apache.catalina.connector.ClientAbortException")),
        JETTY(JettyServer::startH2c,
                Set.of("org.eclipse.jetty.io.EofException"),
                Set.of("org.eclipse.jetty.io.EofException"),
                Set.of("org.eclipse.jetty.server.internal.HttpConnection$HttpEofException")),
        UNDERTOW(UndertowServer::startH2c,
                Set.of("java.nio.channels.ClosedChannelException"),
                Set.of("java.nio.channels.ClosedChannelException"),
                Set.of("java.io.IOException"));

        final EmbeddedServer.Factory factory;
        /** What a write blocked on the stream's flow-control window throws when the client resets the stream. */
        final Set<String> resetDuringWrite;
        /** What a blocked request-body read throws when the client resets the stream. */
        final Set<String> resetDuringRead;
        /** What a request-body read throws when the HTTP/1.1 client closes before its Content-Length. */
        final Set<String> bodyCutShort;

        Container(EmbeddedServer.Factory factory, Set<String> resetDuringWrite, Set<String> resetDuringRead,
                  Set<String> bodyCutShort) {
            this.factory = factory;
            this.resetDuringWrite = resetDuringWrite;
            this.resetDuringRead = resetDuringRead;
            this.bodyCutShort = bodyCutShort;
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final byte[] CHUNK = new byte[16 * 1024];
    /** Far more than any socket or flow-control buffer: a write loop this long has met the failure. */
    private static final long MAX_BYTES = 64L * 1024 * 1024;

    private final ClientAbortClassifier classifier = ClientAbortClassifier.standard();
    private final SeenThrowables seen = new SeenThrowables();
    private final Map<Container, EmbeddedServer> servers = new EnumMap<>(Container.class);
    private volatile CountDownLatch reading = new CountDownLatch(1);
    /** The thread of the servlet's current read or write, and the class of the stream it uses. */
    private volatile Thread servletThread;
    private volatile String servletStream;
    private H2cClient client;
    private ResettingH2cUpstream h2Backend;
    private TruncatingUpstream truncatingBackend;
    private HttpClient jettyHttpClient;
    private HTTP2Client jettyHttp2Client;
    private UndertowOutbound undertowClient;

    @BeforeAll
    void start() throws Exception {
        h2Backend = new ResettingH2cUpstream();
        truncatingBackend = new TruncatingUpstream();
        jettyHttpClient = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
        jettyHttpClient.start();
        jettyHttp2Client = new HTTP2Client();
        jettyHttp2Client.start();
        undertowClient = new UndertowOutbound();
        for (Container c : Container.values()) {
            servers.put(c, c.factory.start(null, servlets()));
        }
        client = new H2cClient();
    }

    @AfterAll
    void stop() throws Exception {
        client.close();
        for (EmbeddedServer server : servers.values()) {
            server.close();
        }
        undertowClient.close();
        jettyHttp2Client.stop();
        jettyHttpClient.stop();
        truncatingBackend.close();
        h2Backend.close();
    }

    @BeforeEach
    void freshScenario() {
        seen.clear();
        reading = new CountDownLatch(1);
        servletThread = null;
        servletStream = null;
    }

    private Map<String, HttpServlet> servlets() {
        Map<String, HttpServlet> map = new LinkedHashMap<>();
        map.put("/write", seen.servlet((req, resp, seen) -> {
            ServletOutputStream out = resp.getOutputStream();
            servletStream = out.getClass().getName();
            servletThread = Thread.currentThread();
            try {
                for (long written = 0; written < MAX_BYTES; written += CHUNK.length) {
                    out.write(CHUNK);
                    out.flush();
                }
                throw new AssertionError("the response never failed");
            } catch (IOException first) {
                seen.record(first);
            }
            // the application writes on, as one that does not look at the exception would
            out.write(CHUNK);
            out.flush();
            throw new AssertionError("the write after the failure did not fail");
        }));
        map.put("/read", seen.servlet((req, resp, seen) -> {
            InputStream body = req.getInputStream();
            servletStream = body.getClass().getName();
            servletThread = Thread.currentThread();
            byte[] buffer = new byte[8192];
            body.read(buffer);
            reading.countDown();
            while (body.read(buffer) != -1) {
                // until the client's cancel or close
            }
            throw new AssertionError("the body ended normally");
        }));
        int h2Port = h2Backend.port();
        map.put("/outbound/jetty-stream", seen.servlet((req, resp, seen) -> {
            InputStreamResponseListener listener = new InputStreamResponseListener();
            jettyHttpClient.newRequest("http://127.0.0.1:" + h2Port + "/items").send(listener);
            listener.get(10, TimeUnit.SECONDS);
            try (InputStream in = listener.getInputStream()) {
                in.readAllBytes();
            }
        }));
        map.put("/outbound/jetty-upload", seen.servlet((req, resp, seen) -> {
            OutputStreamRequestContent content = new OutputStreamRequestContent();
            jettyHttpClient.newRequest("http://127.0.0.1:" + h2Port + "/items").method("POST").body(content)
                    .send(result -> { });
            try (OutputStream up = content.getOutputStream()) {
                for (long sent = 0; sent < MAX_BYTES; sent += CHUNK.length) {
                    up.write(CHUNK);
                    up.flush();
                }
            }
        }));
        map.put("/outbound/jetty-http2client", seen.servlet((req, resp, seen) -> {
            // a gRPC-style handler streaming a request body on Jetty's low-level HTTP2Client
            Session session = jettyHttp2Client.connect(new InetSocketAddress("127.0.0.1", h2Port),
                    new Session.Listener() { }).get(10, TimeUnit.SECONDS);
            try {
                MetaData.Request head = new MetaData.Request("POST",
                        HttpURI.from("http://127.0.0.1:" + h2Port + "/items"), HttpVersion.HTTP_2, HttpFields.EMPTY);
                Stream stream = session.newStream(new HeadersFrame(head, null, false), new Stream.Listener() { })
                        .get(10, TimeUnit.SECONDS);
                for (long sent = 0; sent < MAX_BYTES; sent += CHUNK.length) {
                    stream.data(new DataFrame(stream.getId(), ByteBuffer.wrap(CHUNK), false)).get(10, TimeUnit.SECONDS);
                }
            } finally {
                session.close(0, "done", org.eclipse.jetty.util.Callback.NOOP);
            }
        }));
        map.put("/outbound/undertow-h2c", seen.servlet((req, resp, seen) ->
                undertowClient.get(URI.create("h2c-prior://127.0.0.1:" + h2Port), "/items")));
        int truncatingPort = truncatingBackend.port();
        map.put("/outbound/undertow-truncated", seen.servlet((req, resp, seen) ->
                undertowClient.get(URI.create("http://127.0.0.1:" + truncatingPort), "/items")));
        // a backend that answers and closes the connection (FIN): the client's next write is
        // answered with RST, and the one after it fails with EPIPE, "Broken pipe"
        byte[] head = "GET /items HTTP/1.1\r\nHost: backend\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        map.put("/outbound/driver/*", seen.servlet((req, resp, seen) -> {
            String driver = req.getPathInfo().substring(1);
            if (driver.equals("kafka")) {
                try (SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", truncatingPort))) {
                    org.apache.kafka.common.network.StandInSend.sendUntilFailure(channel, head, MAX_BYTES);
                }
                return;
            }
            try (Socket socket = new Socket("127.0.0.1", truncatingPort)) {
                switch (driver) {
                    case "jdbc" -> com.mysql.cj.protocol.StandInPacketSender.sendUntilFailure(socket, head, MAX_BYTES);
                    case "redis" -> redis.clients.jedis.StandInConnection.sendUntilFailure(socket, head, MAX_BYTES);
                    default -> InHouseCacheClient.sendUntilFailure(socket, head);
                }
            }
        }));
        return map;
    }

    /** A company's own cache client, in no package the classifier knows: its frame decides "not server I/O". */
    static final class InHouseCacheClient {
        static void sendUntilFailure(Socket socket, byte[] head) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(head);
            InputStream in = socket.getInputStream();
            while (in.read(new byte[8192]) != -1) {
                // the reply, then the server's FIN
            }
            for (long sent = 0; sent < MAX_BYTES; sent += CHUNK.length) {
                out.write(CHUNK);
            }
            throw new AssertionError("the cache socket never failed");
        }
    }

    private int port(Container c) {
        return servers.get(c).port();
    }

    // ---- aborts: the client went away ------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Container.class)
    void http2StreamCancelledByTheClientDuringAWriteIsAnAbort(Container c) throws Exception {
        H2cClient.Exchange exchange = client.getAndStopReading(port(c), "/write");
        assertEquals(200, exchange.status());
        awaitServletWaitingInItsStream(); // on the closed flow-control window
        exchange.cancel();
        Throwable failure = seen.next(WAIT);
        assertTrue(c.resetDuringWrite.contains(failure.getClass().getName()), SeenThrowables.describe(failure));
        assertTrue(classifier.isClientAbort(failure), SeenThrowables.describe(failure));

        // The application writes once more. Undertow's server channel, closed by the reset, throws a
        // ClosedChannelException: claimed. (Tomcat answers with a ClientAbortException or its
        // write-after-close IOException, Jetty with EofException("Closed"), which an application's
        // own write after close raises too and stays unclaimed.)
        Throwable next = seen.next(WAIT);
        if (c == Container.UNDERTOW) {
            assertEquals(ClosedChannelException.class, next.getClass(), SeenThrowables.describe(next));
            assertTrue(classifier.isClientAbort(next), SeenThrowables.describe(next));
        }
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void http2StreamCancelledByTheClientDuringABodyReadIsAnAbort(Container c) throws Exception {
        H2cClient.Exchange exchange = client.postFirstPart(port(c), "/read");
        // Tomcat answers a read that starts after the reset with -1, as if the body had ended: the
        // reset must find the read waiting for more of the body
        awaitServletWaitingInItsStream();
        exchange.cancel();
        Throwable failure = seen.next(WAIT);
        assertTrue(c.resetDuringRead.contains(failure.getClass().getName()), SeenThrowables.describe(failure));
        assertTrue(classifier.isClientAbort(failure), SeenThrowables.describe(failure));
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void requestBodyCutShortByTheClientIsAnAbort(Container c) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port(c))) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /read HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: 100000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[20_000]);
            out.flush();
            assertTrue(reading.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the servlet is reading the body");
            socket.shutdownOutput(); // FIN, 80,000 bytes short
            Throwable failure = seen.next(WAIT);
            assertTrue(c.bodyCutShort.contains(failure.getClass().getName()), SeenThrowables.describe(failure));
            if (c == Container.UNDERTOW) {
                assertEquals("UT000128: Remote peer closed connection before all data could be read", failure.getMessage());
            }
            assertTrue(classifier.isClientAbort(failure), SeenThrowables.describe(failure));
        }
    }

    // ---- look-alikes: the handler's own outbound call failed -------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"/outbound/jetty-stream", "/outbound/jetty-upload"})
    void jettyHttpClientOverH2cResetByItsBackendIsARealError(String path) throws Exception {
        call(Container.JETTY, path);
        Throwable failure = seen.next(WAIT);
        // the response side reports RST_STREAM(INTERNAL_ERROR) as "internal_error", the request
        // side as Jetty's HTTP/2 core EofException, "reset" or "dropped" (whichever saw it first)
        assertTrue(chainMentions(failure, "internal_error") || chainMentions(failure, "reset")
                        || chainMentions(failure, "dropped"), "the backend's RST_STREAM: " + SeenThrowables.describe(failure));
        assertFalse(classifier.isClientAbort(failure), SeenThrowables.describe(failure));
    }

    @Test
    void jettyHttp2ClientStreamResetByItsBackendIsARealError() throws Exception {
        call(Container.JETTY, "/outbound/jetty-http2client");
        Throwable failure = seen.next(WAIT);
        // an EofException created by Jetty's HTTP/2 core, which its server runs too: no frame of the
        // client on top of its stack, and the request thread's server frames below the handler
        assertInstanceOf(ExecutionException.class, failure, SeenThrowables.describe(failure));
        // "reset" when the stream's state failed the write, "dropped" when its flusher dropped the frame
        assertInstanceOf(EofException.class, failure.getCause(), SeenThrowables.describe(failure));
        assertFalse(classifier.isClientAbort(failure), SeenThrowables.describe(failure));
    }

    @Test
    void undertowClientOverH2cResetByItsBackendIsARealError() throws Exception {
        call(Container.UNDERTOW, "/outbound/undertow-h2c");
        Throwable failure = seen.next(WAIT);
        assertTrue(SeenThrowables.chain(failure).stream().anyMatch(name -> name.endsWith("IOException")
                        || name.equals(ClosedChannelException.class.getName())),
                "the reset reached the handler as an I/O failure: " + SeenThrowables.describe(failure));
        assertFalse(classifier.isClientAbort(failure), SeenThrowables.describe(failure));
    }

    @Test
    void undertowClientReadingABodyItsBackendCutShortIsARealError() throws Exception {
        call(Container.UNDERTOW, "/outbound/undertow-truncated");
        Throwable failure = seen.next(WAIT);
        // the very text that means "the client went away" when Undertow's server reads a request
        assertTrue(chainMentions(failure, "Remote peer closed connection before all data could be read"),
                SeenThrowables.describe(failure));
        assertFalse(classifier.isClientAbort(failure), SeenThrowables.describe(failure));
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdbc", "redis", "kafka", "in-house"})
    void driverBrokenPipeOnATomcatRequestThreadIsARealError(String driver) throws Exception {
        call(Container.TOMCAT, "/outbound/driver/" + driver);
        Throwable failure = seen.next(WAIT);
        assertInstanceOf(IOException.class, failure, SeenThrowables.describe(failure));
        assertEquals("Broken pipe", failure.getMessage(), "the OS's own words: " + SeenThrowables.describe(failure));
        assertTrue(Arrays.stream(failure.getStackTrace()).anyMatch(f -> f.getClassName().startsWith("org.apache.coyote.")),
                "thrown on a Tomcat request thread, its connector frames further down: " + SeenThrowables.describe(failure, 80));
        assertFalse(classifier.isClientAbort(failure), SeenThrowables.describe(failure));
    }

    // ---------------------------------------------------------------------------------------

    /** The servlet's thread parked inside a read or write of its servlet stream. */
    private void awaitServletWaitingInItsStream() {
        await().atMost(WAIT).until(() -> {
            Thread thread = servletThread;
            String stream = servletStream;
            if (thread == null || stream == null) {
                return false;
            }
            Thread.State state = thread.getState();
            return (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)
                    && Arrays.stream(thread.getStackTrace()).anyMatch(f -> f.getClassName().equals(stream));
        });
    }

    private static boolean chainMentions(Throwable t, String text) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (String.valueOf(c.getMessage()).contains(text)) {
                return true;
            }
        }
        return false;
    }

    /** A plain HTTP/1.1 GET from the test; the servlet records what it saw and answers 200. */
    private void call(Container c, String path) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port(c) + path).toURL()
                .openConnection();
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(30_000);
        try {
            assertEquals(200, connection.getResponseCode());
        } finally {
            connection.disconnect();
        }
    }
}
