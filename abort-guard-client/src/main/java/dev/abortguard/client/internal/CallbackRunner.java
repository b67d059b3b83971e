package dev.abortguard.client.internal;

import dev.abortguard.client.StatusDecision;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs user callbacks ({@link StatusCheck}, {@link CancelAction}) on policy-owned daemon threads
 * with a time bound, so that a callback that hangs cannot hold the caller past the recovery
 * timeout and a callback that throws cannot crash anything. The pool is bounded; when it is
 * saturated (many callbacks at once) the call is refused and counts like a failed callback.
 *
 * <p>A callback that overruns its bound is interrupted; one that ignores the interrupt (a blocking
 * socket read, a loop that never checks) keeps its thread. At most {@value #MAX_STUCK_CALLBACKS}
 * such stuck callbacks are tolerated: while that many are still running, no new callback is
 * started at all ({@link Result#notStarted()}), because a callback that got stuck once will get
 * stuck again and each start would cost one more thread for good. The threads come back as the
 * stuck callbacks return.
 *
 * <p>A callback that returns after its bound is not lost track of: whatever it returns is nobody's
 * any more, so a {@link StatusDecision} response (or any {@link AutoCloseable} value) is closed,
 * which returns the status client's connection to its pool.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class CallbackRunner implements AutoCloseable {

    // The logger name users configured before the class moved to the internal package.
    private static final Logger LOG = LoggerFactory.getLogger("dev.abortguard.client.CallbackRunner");
    private static final int MAX_THREADS = 64;

    /** Callbacks that overran their bound and are still running, beyond which none is started. */
    public static final int MAX_STUCK_CALLBACKS = 16;

    /** WARN lines per second; an outage of the status API times out every check. */
    public static final int MAX_LINES_PER_SECOND = 10;

    // One logical state per call, updated atomically by the caller and the pool thread, so that
    // each stuck callback is counted exactly once and uncounted exactly once.
    private static final int STARTED = 1; // the pool thread entered the callback
    private static final int FINISHED = 2; // the callback returned or threw
    private static final int ABANDONED = 4; // the caller stopped waiting (timeout or interrupt)

    private final ThreadPoolExecutor pool =
            new ThreadPoolExecutor(
                    0,
                    MAX_THREADS,
                    30,
                    TimeUnit.SECONDS,
                    new SynchronousQueue<>(),
                    DaemonThreads.named("abort-guard-callback"));
    private final AtomicInteger stuck = new AtomicInteger();
    private final LogThrottle warnings = new LogThrottle(MAX_LINES_PER_SECOND);

    /**
     * The outcome of one bounded callback: a value, or why there is none. {@code notStarted} says
     * the callback was not run because {@value #MAX_STUCK_CALLBACKS} earlier ones are stuck; the
     * engine then ends the recovery instead of trying again.
     */
    public record Result<T>(T value, String failure, boolean notStarted) {
        Result(T value, String failure) {
            this(value, failure, false);
        }

        public boolean ok() {
            return failure == null;
        }
    }

    public <T> Result<T> run(Callable<T> callback, long timeoutNanos, String key) {
        int stuckNow = stuck.get();
        if (stuckNow >= MAX_STUCK_CALLBACKS) {
            warn("Recovery callback not started: {} callbacks that overran the callback timeout are still running; key={}",
                    stuckNow, LogSafe.clean(key));
            return new Result<>(null, "not started: " + stuckNow + " callbacks that overran the callback timeout"
                    + " are still running", true);
        }
        // Who owns the callback's value: the caller while it waits, the callback once the caller gave
        // up. A value nobody will use is disposed of (a late StatusDecision.completed(response) holds a
        // connection of the status client's pool until its response is closed).
        AtomicInteger state = new AtomicInteger();
        Future<T> future;
        try {
            future = pool.submit(() -> {
                if ((state.getAndUpdate(s -> s | STARTED) & ABANDONED) != 0) {
                    return null; // the caller gave up before a thread took this: nobody waits for it
                }
                T value = null;
                try {
                    value = callback.call();
                    return value;
                } finally {
                    if ((state.getAndUpdate(s -> s | FINISHED) & ABANDONED) != 0) {
                        stuck.decrementAndGet();
                        discard(value, key);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            warn("Recovery callback refused, pool of {} threads busy; key={}", MAX_THREADS, LogSafe.clean(key));
            return new Result<>(null, "refused: callback pool saturated");
        }
        try {
            T value = future.get(Math.max(timeoutNanos, 1), TimeUnit.NANOSECONDS);
            return value == null ? new Result<>(null, "returned null") : new Result<>(value, null);
        } catch (TimeoutException e) {
            if (!abandon(state)) {
                // The value was handed over in the instant between the timeout and now: take it.
                return await(future, key);
            }
            future.cancel(true);
            // WARN: a callback that ignores the interrupt keeps a pool thread; operators should know.
            warn("Recovery callback did not return within {} ms, interrupted; key={}",
                    TimeUnit.NANOSECONDS.toMillis(timeoutNanos), LogSafe.clean(key));
            return new Result<>(null, "timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + "ms");
        } catch (ExecutionException e) {
            return failed(e, key);
        } catch (InterruptedException e) {
            if (!abandon(state)) {
                // Delivered in this very instant (its future completes at once); nobody will use it now.
                Result<T> delivered = await(future, key);
                if (delivered.ok()) {
                    discard(delivered.value(), key);
                }
            }
            future.cancel(true);
            Thread.currentThread().interrupt();
            return new Result<>(null, "interrupted");
        }
    }

    /**
     * Stops waiting for a callback; returns false when it had already finished (its value is the
     * caller's). A callback that is running then counts as stuck until it finishes.
     */
    private boolean abandon(AtomicInteger state) {
        int before = state.getAndUpdate(s -> s | ABANDONED);
        if ((before & FINISHED) != 0) {
            return false;
        }
        if ((before & STARTED) != 0) {
            stuck.incrementAndGet(); // the pool thread uncounts it when the callback finally returns
        }
        return true;
    }

    private void warn(String format, Object... arguments) {
        long held = warnings.acquire();
        if (held > 0) {
            logSuppressed(held);
        }
        if (held >= 0) {
            LOG.warn(format, arguments);
        }
    }

    private static void logSuppressed(long held) {
        LOG.warn("Suppressed {} recovery-callback WARN lines (at most {} per second)", held, MAX_LINES_PER_SECOND);
    }

    /** Takes a value the callback has already handed over (its future completes at once). */
    private static <T> Result<T> await(Future<T> future, String key) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    T value = future.get();
                    return value == null ? new Result<>(null, "returned null") : new Result<>(value, null);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    return failed(e, key);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static <T> Result<T> failed(ExecutionException e, String key) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        // DEBUG: the decision trail and the listeners carry it; a status API that is down would
        // otherwise log once per check.
        LOG.debug("Recovery callback failed; key={}", LogSafe.clean(key), cause);
        return new Result<>(null, "threw " + Failures.summary(cause));
    }

    /** Releases what a callback returned after the caller stopped waiting for it. */
    public static void discard(Object value, String key) {
        Object resource = value instanceof StatusDecision ? ((StatusDecision) value).response().orElse(null) : value;
        if (resource instanceof AutoCloseable) {
            try {
                ((AutoCloseable) resource).close();
                LOG.debug("Closed the late answer of a recovery callback that timed out; key={}", LogSafe.clean(key));
            } catch (Exception e) {
                LOG.debug("Closing the late answer of a recovery callback failed; key={}", LogSafe.clean(key), e);
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        long held = warnings.drain();
        if (held > 0) {
            logSuppressed(held);
        }
    }

}
