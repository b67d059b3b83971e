package dev.abortguard.client;

import java.io.IOException;
import java.time.Duration;

/**
 * Internal: an attempt was answered with 429/503 and an acceptable {@code Retry-After}; the
 * response has been released and the engine should wait and retry. Never reaches a caller.
 */
final class RetryAfterSignal extends IOException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Duration delay;

    RetryAfterSignal(int status, Duration delay) {
        super("status " + status + " with Retry-After " + delay.toMillis() + "ms");
        this.status = status;
        this.delay = delay;
    }

    int status() {
        return status;
    }

    Duration delay() {
        return delay;
    }
}
