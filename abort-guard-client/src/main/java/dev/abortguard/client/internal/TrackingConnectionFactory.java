package dev.abortguard.client.internal;

import java.io.IOException;
import java.net.Socket;
import javax.net.ssl.SSLSocket;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.io.ManagedHttpClientConnection;
import dev.abortguard.client.NotAppliedAnswer;
import org.apache.hc.core5.http.io.HttpConnectionFactory;

/**
 * Makes HttpClient 5's own connections ({@link ManagedHttpClientConnectionFactory}) and wraps each
 * in a {@link TrackedConnection} that reports its open and close. The HTTP logic is HttpClient's,
 * unchanged.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class TrackingConnectionFactory implements HttpConnectionFactory<ManagedHttpClientConnection> {

    private final HttpConnectionFactory<ManagedHttpClientConnection> connections;
    private final ConnectionEvents events;

    /**
     * HttpClient's connections with early-response detection on ({@link EarlyResponseDetector}): a
     * server that answers while the request body is still being sent is read at once, not after the
     * whole body (so that {@link NotAppliedAnswer#earlyRefusal()} can see it).
     */
    public static final HttpConnectionFactory<ManagedHttpClientConnection> MONITORING =
            ManagedHttpClientConnectionFactory.builder()
                    .responseOutOfOrderStrategy(EarlyResponseDetector.INSTANCE)
                    .build();

    public TrackingConnectionFactory(ConnectionEvents events) {
        this(MONITORING, events);
    }

    TrackingConnectionFactory(HttpConnectionFactory<ManagedHttpClientConnection> connections, ConnectionEvents events) {
        this.connections = connections;
        this.events = events;
    }

    @Override
    public ManagedHttpClientConnection createConnection(Socket socket) throws IOException {
        // the pool creates connections unbound (socket null) and binds them once connected
        TrackedConnection tracked = new TrackedConnection(connections.createConnection(null), events);
        if (socket != null) {
            tracked.bind(socket);
        }
        return tracked;
    }

    @Override
    public ManagedHttpClientConnection createConnection(SSLSocket sslSocket, Socket socket) throws IOException {
        TrackedConnection tracked = new TrackedConnection(connections.createConnection(null), events);
        if (sslSocket != null) {
            tracked.bind(sslSocket, socket);
        } else if (socket != null) {
            tracked.bind(socket);
        }
        return tracked;
    }
}
