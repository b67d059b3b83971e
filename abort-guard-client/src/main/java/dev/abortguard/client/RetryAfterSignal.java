package dev.abortguard.client;

import java.io.IOException;
import java.time.Duration;
import org.apache.hc.core5.http.HttpResponse;

/**
 * Internal: an attempt was answered with 429/503 and an acceptable {@code Retry-After}; the
 * response has been released and the engine should wait and retry. Never reaches a caller.
 */
final class RetryAfterSignal extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Duration delay;
    private final transient HttpResponse response;

    RetryAfterSignal(int status, Duration delay) {
        this(status, delay, null);
    }

    /** With the (fully buffered) response, for when the retry can no longer happen. */
    RetryAfterSignal(int status, Duration delay, HttpResponse response) {
        super("status " + status + " with Retry-After " + delay.toMillis() + "ms");
        this.delay = delay;
        this.response = response;
    }

    /** The answer to hand to the caller if the retry cannot happen, or {@code null} (released). */
    HttpResponse response() {
        return response;
    }

    Duration delay() {
        return delay;
    }
}
