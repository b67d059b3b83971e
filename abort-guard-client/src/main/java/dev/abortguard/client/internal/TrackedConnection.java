package dev.abortguard.client.internal;

import dev.abortguard.client.ConnectionCloseReason;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.apache.hc.client5.http.io.ManagedHttpClientConnection;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.net.URIAuthority;
import org.apache.hc.core5.util.Identifiable;

/**
 * One pooled connection, HttpClient's own, with a memory of what happened on it: whether an
 * exchange is in progress, the first I/O failure of its reads and writes, whether the server's
 * response said {@code Connection: close}, whether the pool's stale check found it closed. Its
 * first close turns that memory into a {@link ConnectionCloseReason} ({@link #reason}).
 *
 * <p>Why a wrapper around the connection and not the pool's callbacks: HttpClient 5 has none for
 * connections, and the connection is the one object that sees every read, write and close
 * whichever thread or code path causes them (the request thread, the deadline timer's cancel, the
 * pool's eviction). Costs nothing per request beyond a field write or two, except one entity
 * wrapper per response with a body, so that a failure reading the body is seen before HttpClient
 * discards the connection because of it.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class TrackedConnection extends ForwardingClientConnection<ManagedHttpClientConnection>
        implements ManagedHttpClientConnection, Identifiable, ReadFailureSink {

    /** What the connection's own I/O last failed with, as far as the close reason cares. */
    enum IoFailure {
        NONE,
        /** A {@link SocketTimeoutException}: the server sent nothing within the socket timeout. */
        TIMEOUT,
        /** The stream ended early: the server closed ({@link NoHttpResponseException}, a truncated body). */
        END_OF_STREAM,
        /** Any other I/O failure, a reset by the server included. */
        OTHER
    }

    private final ConnectionEvents events;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean bound;
    private volatile String route;
    private volatile boolean inExchange;
    private volatile boolean serverAskedClose;
    /** The current exchange's response was read whole (or has no body). */
    private volatile boolean responseComplete;
    private volatile boolean headRequest;
    private volatile boolean foundStale;
    private volatile IoFailure failure = IoFailure.NONE;

    TrackedConnection(ManagedHttpClientConnection delegate, ConnectionEvents events) {
        super(delegate);
        this.events = events;
    }

    /**
     * Why a connection was closed, from what it saw. The connection's own I/O failure decides
     * first (it is the most direct evidence), then the server's stale close, then where the close
     * came: while idle in the pool (evicted), in the middle of an exchange whose response was not
     * read whole (abandoned), or after a whole response (the server's {@code Connection: close},
     * else a connection that could not be reused). The close mode plays no part: HttpClient 5
     * resets some closes and not others for the same reason.
     */
    static ConnectionCloseReason reason(IoFailure failure, boolean foundStale, boolean inExchange,
            boolean responseComplete, boolean serverAskedClose) {
        switch (failure) {
            case TIMEOUT:
                return ConnectionCloseReason.RESPONSE_TIMEOUT;
            case END_OF_STREAM:
                return ConnectionCloseReason.SERVER_CLOSED;
            case OTHER:
                return ConnectionCloseReason.ERROR;
            default:
                break;
        }
        if (foundStale) {
            return ConnectionCloseReason.SERVER_CLOSED;
        }
        if (!inExchange) {
            return ConnectionCloseReason.EVICTED;
        }
        if (!responseComplete) {
            return ConnectionCloseReason.ABANDONED;
        }
        return serverAskedClose ? ConnectionCloseReason.SERVER_CONNECTION_CLOSE : ConnectionCloseReason.NOT_REUSABLE;
    }

    static IoFailure kindOf(IOException e) {
        if (e instanceof SocketTimeoutException) {
            return IoFailure.TIMEOUT;
        }
        if (e instanceof NoHttpResponseException || e instanceof ConnectionClosedException) {
            return IoFailure.END_OF_STREAM;
        }
        return IoFailure.OTHER;
    }

    /** Whether a {@code Connection} header value holds the token {@code close} (RFC 9110 7.6.1). */
    static boolean hasCloseToken(String value) {
        int n = value.length();
        int i = 0;
        while (i < n) {
            int end = value.indexOf(',', i);
            if (end < 0) {
                end = n;
            }
            int from = i;
            int to = end;
            while (from < to && isSpace(value.charAt(from))) {
                from++;
            }
            while (to > from && isSpace(value.charAt(to - 1))) {
                to--;
            }
            if (to - from == 5 && value.regionMatches(true, from, "close", 0, 5)) {
                return true;
            }
            i = end + 1;
        }
        return false;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    @Override
    public void readFailed(IOException e) {
        ioFailed(e);
    }

    @Override
    public void bodyEnded() {
        responseComplete = true;
    }

    private void ioFailed(IOException e) {
        // the first failure is the cause; later ones are its consequences (a read after the reset)
        if (failure == IoFailure.NONE && !closed.get()) {
            failure = kindOf(e);
        }
    }

    private void opened(String name) {
        route = name;
        events.opened(name);
    }

    /** The route from the request: the target the client meant, not the proxy it connects through. */
    private String routeOf(ClassicHttpRequest request) {
        URIAuthority authority = request.getAuthority();
        if (authority != null) {
            return events.routeNames().of(request.getScheme(), authority.getHostName(), authority.getPort());
        }
        return routeOfSocket();
    }

    private String routeOfSocket() {
        Socket socket = delegate.getSocket();
        SocketAddress remote = socket == null ? null : socket.getRemoteSocketAddress();
        if (remote instanceof InetSocketAddress address) {
            // getHostString: the name the address was made from, never a reverse lookup
            return events.routeNames().of(socket instanceof SSLSocket ? "https" : "http",
                    address.getHostString(), address.getPort());
        }
        return events.routeNames().of("http", "unknown", 0);
    }

    private void closing(CloseMode mode) {
        if (!closed.compareAndSet(false, true) || !bound) {
            return;
        }
        String name = route;
        if (name == null) {
            // closed before carrying a request (a failed TLS handshake, a pool closed at once)
            opened(name = routeOfSocket());
        }
        events.closed(name, reason(failure, foundStale, inExchange, responseComplete, serverAskedClose),
                mode == CloseMode.IMMEDIATE);
    }

    @Override
    public void bind(Socket socket) throws IOException {
        delegate.bind(socket);
        bound = true;
    }

    @Override
    public void bind(SSLSocket sslSocket, Socket socket) throws IOException {
        delegate.bind(sslSocket, socket);
        bound = true;
    }

    @Override
    public Socket getSocket() {
        return delegate.getSocket();
    }

    @Override
    public void passivate() {
        // back in the pool, reusable: the exchange is over
        inExchange = false;
        serverAskedClose = false;
        delegate.passivate();
    }

    @Override
    public void activate() {
        delegate.activate();
    }

    @Override
    public void sendRequestHeader(ClassicHttpRequest request) throws HttpException, IOException {
        if (route == null) {
            opened(routeOf(request));
        }
        inExchange = true;
        responseComplete = false;
        headRequest = "HEAD".equalsIgnoreCase(request.getMethod());
        try {
            delegate.sendRequestHeader(request);
        } catch (IOException e) {
            ioFailed(e);
            throw e;
        }
    }

    @Override
    public void sendRequestEntity(ClassicHttpRequest request) throws HttpException, IOException {
        try {
            delegate.sendRequestEntity(request);
        } catch (IOException e) {
            ioFailed(e);
            throw e;
        }
    }

    @Override
    public void terminateRequest(ClassicHttpRequest request) throws HttpException, IOException {
        try {
            delegate.terminateRequest(request);
        } catch (IOException e) {
            ioFailed(e);
            throw e;
        }
    }

    @Override
    public ClassicHttpResponse receiveResponseHeader() throws HttpException, IOException {
        ClassicHttpResponse response;
        try {
            response = delegate.receiveResponseHeader();
        } catch (IOException e) {
            ioFailed(e);
            throw e;
        }
        if (response != null && response.getCode() >= 200) {
            int code = response.getCode();
            // no body to read (RFC 9110 6.3): the head is the whole response
            responseComplete = headRequest || code == 204 || code == 304;
            Header connection = response.getFirstHeader("Connection");
            if (connection != null && connection.getValue() != null && hasCloseToken(connection.getValue())) {
                serverAskedClose = true;
            }
        }
        return response;
    }

    @Override
    public void receiveResponseEntity(ClassicHttpResponse response) throws HttpException, IOException {
        try {
            delegate.receiveResponseEntity(response);
        } catch (IOException e) {
            ioFailed(e);
            throw e;
        }
        HttpEntity entity = response.getEntity();
        if (entity != null) {
            response.setEntity(new BodyObservingEntity(entity, this));
        } else {
            responseComplete = true;
        }
    }



    @Override
    public boolean isStale() throws IOException {
        boolean stale;
        try {
            stale = delegate.isStale();
        } catch (IOException e) {
            // the pool takes a failing check for stale too
            foundStale = true;
            throw e;
        }
        if (stale) {
            foundStale = true;
        }
        return stale;
    }

    @Override
    public void flush() throws IOException {
        try {
            delegate.flush();
        } catch (IOException e) {
            ioFailed(e);
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        closing(CloseMode.GRACEFUL);
        delegate.close();
    }

    @Override
    public void close(CloseMode closeMode) {
        closing(closeMode);
        delegate.close(closeMode);
    }

    @Override
    public String getId() {
        return delegate instanceof Identifiable identifiable ? identifiable.getId() : toString();
    }





    @Override
    public SSLSession getSSLSession() {
        return delegate.getSSLSession();
    }



}
