package dev.abortguard.client.internal;

import java.io.IOException;

/**
 * Whoever must learn that reading a response body failed: the attempt's {@link ExchangeProgress}
 * (to tell a stalled body from a handler that rejected the response) and a {@link
 * TrackedConnection} (to say why it was then closed).
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public interface ReadFailureSink {

    /** Reading the body failed with {@code failure}; called before the failure propagates. */
    void readFailed(IOException failure);

    /** A read of the body returned the end of the stream: the whole body was read. */
    default void bodyEnded() {}
}
