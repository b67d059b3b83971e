package dev.abortguard.server;

/**
 * The level of the one line logged per aborted request on logger {@code
 * dev.abortguard.server.ClientAbort}.
 *
 * <p>INFO is the default on purpose: a client abort is not a server fault (no ERROR, no page), but
 * a sudden rise of them is how an operator learns that a caller's read timeout is shorter than the
 * endpoint's latency — which DEBUG would hide in production. Metrics are recorded at every level.
 */
public enum AbortLogLevel {
    /** One INFO line per aborted request (default). */
    INFO,
    /** One DEBUG line per aborted request. */
    DEBUG,
    /** No log line; aborts are only counted. */
    OFF
}
