package dev.abortguard.client.internal;

import dev.abortguard.client.ConnectionCloseReason;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hc.core5.reactor.IOSession;
import org.apache.hc.core5.reactor.IOSessionListener;

/**
 * Connection churn for the async client: HttpClient 5's async pool has no connection factory, but
 * its I/O reactor reports each session's connect, timeout, failure and disconnect. The close
 * reason is what the session last reported: a timeout ({@link ConnectionCloseReason#RESPONSE_TIMEOUT}),
 * an exception ({@link ConnectionCloseReason#ERROR}), else {@link ConnectionCloseReason#EVICTED}
 * (an orderly close of an idle or finished session; the reactor does not say which side closed,
 * nor whether it was a reset).
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class SessionTracking implements IOSessionListener {

    /** What one open session showed: its route and what it last reported. */
    private static final class Seen {
        volatile String route;
        volatile ConnectionCloseReason last;

        Seen(String route) {
            this.route = route;
        }
    }

    /** Open sessions only (removed at disconnect): as many as the pool has connections. */
    private final ConcurrentHashMap<IOSession, Seen> open = new ConcurrentHashMap<>();
    private final ConnectionEvents events;

    public SessionTracking(ConnectionEvents events) {
        this.events = events;
    }

    @Override
    public void connected(IOSession session) {
        String route = route(session, "http");
        open.put(session, new Seen(route));
        events.opened(route);
    }

    @Override
    public void startTls(IOSession session) {
        // the route was named http at connect; TLS makes it https from now on (opened is not re-counted)
        Seen seen = open.get(session);
        if (seen != null && seen.route.startsWith("http://")) {
            seen.route = route(session, "https");
        }
    }

    @Override
    public void inputReady(IOSession session) {}

    @Override
    public void outputReady(IOSession session) {}

    @Override
    public void timeout(IOSession session) {
        Seen seen = open.get(session);
        if (seen != null) {
            seen.last = ConnectionCloseReason.RESPONSE_TIMEOUT;
        }
    }

    @Override
    public void exception(IOSession session, Exception ex) {
        Seen seen = open.get(session);
        if (seen != null && seen.last == null) {
            seen.last = ConnectionCloseReason.ERROR;
        }
    }

    @Override
    public void disconnected(IOSession session) {
        Seen seen = open.remove(session);
        if (seen == null) {
            return; // never connected, or already reported
        }
        events.closed(seen.route, seen.last == null ? ConnectionCloseReason.EVICTED : seen.last, false);
    }

    private String route(IOSession session, String scheme) {
        SocketAddress remote = session.getRemoteAddress();
        if (remote instanceof InetSocketAddress address) {
            return events.routeNames().of(scheme, address.getHostString(), address.getPort());
        }
        return events.routeNames().of(scheme, "unknown", 0);
    }
}
