package dev.abortguard.client;

/**
 * Told when a connection of a pool built through {@link
 * TimeoutRecoveryPolicy#instrument(org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder)}
 * opens and closes, with the route and, for a close, why and how. Register it with {@link
 * TimeoutRecoveryPolicy.Builder#addConnectionListener}; {@link ConnectionCounters} counts the
 * events, {@code dev.abortguard.micrometer.MicrometerConnectionMetrics} publishes them.
 *
 * <p>Why events on connections and not only on requests: under an overloaded upstream the cost the
 * operator sees is sockets, not requests (the second source document's 20,000 {@code TIME_WAIT}
 * sockets), and HttpClient 5 itself counts none of them.
 *
 * <p>Called on the thread that opened or closed the connection (a request thread, the pool's
 * eviction, or the thread that closes the client), so keep it quick and non-blocking. What it
 * throws is logged (WARN, logger {@code dev.abortguard.client.ConnectionListener}, at most 10
 * lines a second) and dropped: it never fails a request or keeps a connection open.
 */
public interface ConnectionListener {

    /**
     * A connection was opened and carried, or was about to carry, its first request.
     *
     * @param route {@code scheme://host:port} of the request's target, or {@code OTHER} beyond
     *     the first 256 routes
     */
    default void onOpened(String route) {}

    /**
     * A connection was closed, once per connection.
     *
     * @param route the route it was opened for
     * @param reason why it was closed, and by which side
     * @param reset whether the client's own close was a reset (SO_LINGER 0: no {@code TIME_WAIT}
     *     on the client) rather than an orderly close (FIN)
     */
    default void onClosed(String route, ConnectionCloseReason reason, boolean reset) {}
}
