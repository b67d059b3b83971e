package dev.abortguard.client.internal;

/**
 * Bounds how many lines of one kind are logged: at most {@code perSecond} in each one-second
 * window. A line held back is counted, and the count is handed to the next line that goes out, so
 * that the caller logs a "suppressed N" summary before it: during a storm that is one summary per
 * window; after it, the next line of the kind or {@link #drain()} (at close) reports the rest.
 * The exact number of events is the caller's counter, never the log.
 *
 * <p>No timer thread: lines of this kind are written on threads the library does not own (an
 * I/O reactor thread of HttpClient, a caller's thread), where a scheduled summary would need a
 * thread of its own just for the log.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class LogThrottle {

    private static final long WINDOW_NANOS = 1_000_000_000L;

    private final int perSecond;
    private long windowStart = System.nanoTime();
    private int inWindow;
    private long suppressed;

    public LogThrottle(int perSecond) {
        this.perSecond = perSecond;
    }

    /**
     * Asks to log one line. Returns {@code -1} when the line must be held back (it is counted);
     * otherwise how many lines were held back since the last one that went out, to report first.
     */
    public synchronized long acquire() {
        long now = System.nanoTime();
        if (now - windowStart >= WINDOW_NANOS) {
            windowStart = now;
            inWindow = 0;
        }
        if (inWindow >= perSecond) {
            suppressed++;
            return -1;
        }
        inWindow++;
        long held = suppressed;
        suppressed = 0;
        return held;
    }

    /** The lines held back and not reported yet; reported by the caller, they are forgotten here. */
    public synchronized long drain() {
        long held = suppressed;
        suppressed = 0;
        return held;
    }
}
