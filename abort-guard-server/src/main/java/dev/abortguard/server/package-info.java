/**
 * Quiet, counted client aborts for servlet containers.
 *
 * <p>{@link dev.abortguard.server.ClientAbortFilter} wraps the request body and the response body
 * so that an {@code IOException} raised by their I/O is recognised as a client abort by where it
 * happened, logs one line for it ({@code dev.abortguard.server.ClientAbort}, INFO by default) and
 * counts it in {@link dev.abortguard.server.AbortMetrics}; every other throwable propagates
 * unchanged. {@link dev.abortguard.server.ClientAbortClassifier} is the conservative fallback for
 * throwables the wrappers did not see, and {@link dev.abortguard.server.ClientAbortHandler} the
 * entry point for code that catches exceptions itself.
 */
package dev.abortguard.server;
