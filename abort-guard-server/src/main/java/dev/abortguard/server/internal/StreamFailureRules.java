package dev.abortguard.server.internal;

/**
 * Whether an I/O failure seen by one of the wrappers is this request's client abort: pure
 * functions of what the exchange knows at that moment ({@link Moment}), nothing else.
 *
 * <p>Internal, not API: may change without notice.
 */
final class StreamFailureRules {

    /**
     * What the rules look at.
     *
     * @param outputClosedByApplication the application closed the body stream
     * @param completed the exchange completed (the chain returned, or the async cycle ended)
     * @param reported this request's abort was already reported
     * @param bytesWritten body bytes written so far
     * @param declaredLength the {@code Content-Length} the application declared, or {@code -1}
     */
    record Moment(boolean outputClosedByApplication, boolean completed, boolean reported,
                  long bytesWritten, long declaredLength) {

        boolean declaredLengthReached() {
            return declaredLength >= 0 && bytesWritten >= declaredLength;
        }
    }

    private StreamFailureRules() {}

    /**
     * Whether an I/O failure of the response now still means the client is gone. After the
     * application closed the stream, or after the exchange completed normally, a failing write is
     * an application bug (Jetty answers both with {@code EofException("Closed")}); after the
     * exchange ended because the connection failed, it is the same abort again.
     */
    static boolean responseFailure(Moment m) {
        if (m.outputClosedByApplication() || m.declaredLengthReached()) {
            return false;
        }
        return !m.completed() || m.reported();
    }

    /**
     * {@link #responseFailure} for a write of {@code length} bytes. A write that would go past the
     * {@code Content-Length} the application declared is its own bug, and containers fail it for
     * that reason alone (Jetty 12: {@code IOException("written 8 > 3 content-length")}), with the
     * client still connected.
     */
    static boolean writeFailure(Moment m, int length) {
        if (m.declaredLength() >= 0 && m.bytesWritten() + length > m.declaredLength()) {
            return false;
        }
        return responseFailure(m);
    }

    /**
     * {@link #responseFailure} for closing the body. A body shorter than the {@code
     * Content-Length} the application declared is its own bug, and Jetty 12 fails the close for
     * that reason alone ({@code IOException("written 10 < 100 content-length")}). A client abort
     * hidden behind the same close goes unreported: false negatives are the lesser evil.
     */
    static boolean closeFailure(Moment m) {
        if (m.declaredLength() >= 0 && m.bytesWritten() < m.declaredLength()) {
            return false;
        }
        return responseFailure(m);
    }

    /** A request-body read failing: the client's doing, unless the exchange already completed normally. */
    static boolean readFailure(Moment m) {
        return !m.completed() || m.reported();
    }
}
