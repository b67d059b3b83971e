package dev.abortguard.server.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Admits at most {@code permitsPerSecond} log lines per one-second window, without locks: a client
 * that opens and drops thousands of connections must not be able to flood the logs or make request
 * threads contend on a monitor. Counting is not this class's job; metrics stay exact.
 *
 * <p>Internal, not API: may change without notice.
 */
final class LogRateLimiter {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final int permitsPerSecond;
    private final LongSupplier nanoClock;
    /** High 32 bits: window index (seconds); low 32 bits: permits taken in that window. */
    private final AtomicLong state = new AtomicLong(Long.MIN_VALUE);

    LogRateLimiter(int permitsPerSecond, LongSupplier nanoClock) {
        this.permitsPerSecond = permitsPerSecond;
        this.nanoClock = nanoClock;
    }

    boolean tryAcquire() {
        long window = (nanoClock.getAsLong() / NANOS_PER_SECOND) & 0xFFFF_FFFFL;
        while (true) {
            long current = state.get();
            long currentWindow = current >>> 32;
            int taken = (int) current;
            long next;
            if (current == Long.MIN_VALUE || currentWindow != window) {
                next = (window << 32) | 1L;
            } else if (taken < permitsPerSecond) {
                next = (window << 32) | (taken + 1L);
            } else {
                return false;
            }
            if (state.compareAndSet(current, next)) {
                return true;
            }
        }
    }
}
