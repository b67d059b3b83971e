package dev.abortguard.server;

import java.util.Locale;

/**
 * Where a client abort was noticed. It is a metric tag, so the set is closed and small.
 */
public enum AbortKind {
    /** Reading the request body failed: the client stopped sending or disconnected mid-upload. */
    REQUEST_READ,
    /** Writing or flushing the response body failed: the client stopped reading or disconnected. */
    RESPONSE_WRITE,
    /**
     * During asynchronous processing the container itself reported an I/O failure of the
     * connection ({@code AsyncListener.onError}), typically before the application wrote again.
     */
    CONNECTION_LOST,
    /**
     * A throwable the stream wrappers did not see was recognised by {@link ClientAbortClassifier}:
     * it escaped the filter chain, or application code handed it to {@link ClientAbortHandler}.
     */
    CLASSIFIED;

    private final String tag = name().toLowerCase(Locale.ROOT);

    /**
     * The lower-case form used in log lines and metric tags, e.g. {@code response_write}.
     *
     * @return the constant's name in lower case
     */
    public String tag() {
        return tag;
    }
}
