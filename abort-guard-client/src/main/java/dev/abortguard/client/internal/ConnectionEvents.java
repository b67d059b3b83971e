package dev.abortguard.client.internal;

import dev.abortguard.client.ConnectionCloseReason;
import dev.abortguard.client.ConnectionListener;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection listeners of one instrumented pool, and the pool's bounded route names. A
 * listener that throws is logged (throttled) and skipped; the connection's open or close goes on.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class ConnectionEvents {

    // The documented logger of connection-listener failures (see ConnectionListener).
    private static final Logger LOG = LoggerFactory.getLogger("dev.abortguard.client.ConnectionListener");

    private final List<ConnectionListener> listeners;
    private final RouteNames routeNames = new RouteNames();
    private final LogThrottle listenerLog = new LogThrottle(Observers.MAX_LISTENER_LINES_PER_SECOND);

    public ConnectionEvents(List<ConnectionListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    RouteNames routeNames() {
        return routeNames;
    }

    void opened(String route) {
        for (ConnectionListener listener : listeners) {
            try {
                listener.onOpened(route);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                failed(listener, e);
            }
        }
    }

    void closed(String route, ConnectionCloseReason reason, boolean reset) {
        for (ConnectionListener listener : listeners) {
            try {
                listener.onClosed(route, reason, reset);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                failed(listener, e);
            }
        }
    }

    private void failed(ConnectionListener listener, Throwable e) {
        long held = listenerLog.acquire();
        if (held > 0) {
            LOG.warn("{} more ConnectionListener failures in the last second were not logged", held);
        }
        if (held >= 0) {
            LOG.warn("ConnectionListener {} threw; ignored", LogSafe.clean(String.valueOf(listener)), e);
        }
    }
}
