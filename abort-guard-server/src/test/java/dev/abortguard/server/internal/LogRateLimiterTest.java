package dev.abortguard.server.internal;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogRateLimiterTest {

    @Test
    void admitsThePermitsOfEachOneSecondWindow() {
        AtomicLong now = new AtomicLong(5_000_000_000L);
        LogRateLimiter limiter = new LogRateLimiter(2, now::get);
        assertTrue(limiter.tryAcquire());
        assertTrue(limiter.tryAcquire());
        assertFalse(limiter.tryAcquire());
        now.addAndGet(999_000_000L);
        assertFalse(limiter.tryAcquire(), "same window");
        now.addAndGet(2_000_000L);
        assertTrue(limiter.tryAcquire(), "next window");
        assertTrue(limiter.tryAcquire());
        assertFalse(limiter.tryAcquire());
    }

    @Test
    void worksWithNegativeNanoTime() {
        AtomicLong now = new AtomicLong(-3_500_000_000L);
        LogRateLimiter limiter = new LogRateLimiter(1, now::get);
        assertTrue(limiter.tryAcquire());
        assertFalse(limiter.tryAcquire());
        now.addAndGet(1_000_000_000L);
        assertTrue(limiter.tryAcquire());
    }
}
