package dev.abortguard.server.containers;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.PingFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.util.Callback;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP/2 client (Jetty's low-level {@link HTTP2Client}, cleartext with prior knowledge)
 * that cancels streams the way browsers and gRPC clients do: {@code RST_STREAM(CANCEL)} on a
 * connection that stays open. A test opens a stream, waits until the servlet is where it wants the
 * reset to hit it, then calls {@link Exchange#cancel()}.
 */
final class H2cClient implements AutoCloseable {

    private static final int TIMEOUT_S = 10;

    private final HTTP2Client client = new HTTP2Client();
    private final List<Session> sessions = new CopyOnWriteArrayList<>();

    H2cClient() throws Exception {
        client.start();
    }

    /** One stream on its own connection. */
    static final class Exchange {
        private final Session session;
        private final Stream stream;
        private final CompletableFuture<Void> pong;
        private final int status;

        private Exchange(Session session, Stream stream, CompletableFuture<Void> pong, int status) {
            this.session = session;
            this.stream = stream;
            this.pong = pong;
            this.status = status;
        }

        /** The response status, or -1 when no response head was awaited. */
        int status() {
            return status;
        }

        /**
         * Sends RST_STREAM(CANCEL) and returns once the server has processed it: a PING sent
         * after the reset is answered only after every frame before it on the connection.
         */
        void cancel() throws Exception {
            stream.reset(new ResetFrame(stream.getId(), ErrorCode.CANCEL_STREAM_ERROR.code)).get(TIMEOUT_S, TimeUnit.SECONDS);
            session.ping(new PingFrame(System.nanoTime(), false), Callback.NOOP);
            pong.get(TIMEOUT_S, TimeUnit.SECONDS);
        }
    }

    /**
     * GET {@code path}; returns once the response head and the first DATA frame arrived. Nothing
     * more is read, so the server's flow-control window closes and its writes soon wait.
     */
    Exchange getAndStopReading(int port, String path) throws Exception {
        CompletableFuture<Void> pong = new CompletableFuture<>();
        Session session = connect(port, pong);
        CompletableFuture<Integer> status = new CompletableFuture<>();
        CompletableFuture<Void> firstData = new CompletableFuture<>();
        Stream stream = session.newStream(new HeadersFrame(request("GET", port, path, HttpFields.EMPTY), null, true),
                new Stream.Listener() {
                    @Override
                    public void onHeaders(Stream s, HeadersFrame frame) {
                        if (frame.getMetaData() instanceof MetaData.Response response) {
                            status.complete(response.getStatus());
                        }
                        s.demand();
                    }

                    @Override
                    public void onDataAvailable(Stream s) {
                        Stream.Data data = s.readData();
                        if (data == null) {
                            s.demand();
                            return;
                        }
                        data.release();
                        firstData.complete(null); // and no further demand
                    }
                }).get(TIMEOUT_S, TimeUnit.SECONDS);
        firstData.get(TIMEOUT_S, TimeUnit.SECONDS);
        return new Exchange(session, stream, pong, status.get(TIMEOUT_S, TimeUnit.SECONDS));
    }

    /** POST {@code path} declaring a 10 MB body and send its first 16 KB. */
    Exchange postFirstPart(int port, String path) throws Exception {
        CompletableFuture<Void> pong = new CompletableFuture<>();
        Session session = connect(port, pong);
        HttpFields fields = HttpFields.build().put(HttpHeader.CONTENT_TYPE, "application/octet-stream")
                .put(HttpHeader.CONTENT_LENGTH, String.valueOf(10 * 1024 * 1024));
        Stream stream = session.newStream(new HeadersFrame(request("POST", port, path, fields), null, false),
                new Stream.Listener() { }).get(TIMEOUT_S, TimeUnit.SECONDS);
        stream.data(new DataFrame(stream.getId(), ByteBuffer.wrap(new byte[16 * 1024]), false))
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        return new Exchange(session, stream, pong, -1);
    }

    private static MetaData.Request request(String method, int port, String path, HttpFields fields) {
        return new MetaData.Request(method, HttpURI.from("http://127.0.0.1:" + port + path), HttpVersion.HTTP_2, fields);
    }

    private Session connect(int port, CompletableFuture<Void> pong) throws Exception {
        Session session = client.connect(new InetSocketAddress("127.0.0.1", port), new Session.Listener() {
            @Override
            public void onPing(Session s, PingFrame frame) {
                if (frame.isReply()) {
                    pong.complete(null);
                }
            }
        }).get(TIMEOUT_S, TimeUnit.SECONDS);
        sessions.add(session);
        return session;
    }

    @Override
    public void close() throws Exception {
        // the sessions stay open until here: closing one earlier would turn a stream reset into a
        // connection close
        for (Session s : sessions) {
            s.close(ErrorCode.NO_ERROR.code, "done", Callback.NOOP);
        }
        client.stop();
    }
}
