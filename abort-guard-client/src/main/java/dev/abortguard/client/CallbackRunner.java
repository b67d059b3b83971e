package dev.abortguard.client;

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
 * saturated (many hung callbacks) the call is refused and counts like a failed callback.
 *
 * <p>A callback that returns after its bound is not lost track of: whatever it returns is nobody's
 * any more, so a {@link StatusDecision} response (or any {@link AutoCloseable} value) is closed,
 * which returns the status client's connection to its pool.
 */
final class CallbackRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CallbackRunner.class);
    private static final int MAX_THREADS = 64;
    private static final int WAITING = 0;
    private static final int DELIVERED = 1;
    private static final int ABANDONED = 2;

    private final ThreadPoolExecutor pool =
            new ThreadPoolExecutor(
                    0,
                    MAX_THREADS,
                    30,
                    TimeUnit.SECONDS,
                    new SynchronousQueue<>(),
                    DaemonThreads.named("abort-guard-callback"));

    /** The outcome of one bounded callback: a value, or why there is none. */
    record Result<T>(T value, String failure) {
        boolean ok() {
            return failure == null;
        }
    }

    <T> Result<T> run(Callable<T> callback, long timeoutNanos, String key) {
        // Who owns the callback's value: the caller while it waits, the callback once the caller gave
        // up. A value nobody will use is disposed of (a late StatusDecision.completed(response) holds a
        // connection of the status client's pool until its response is closed).
        AtomicInteger handoff = new AtomicInteger(WAITING);
        Future<T> future;
        try {
            future = pool.submit(() -> {
                T value = callback.call();
                if (!handoff.compareAndSet(WAITING, DELIVERED)) {
                    discard(value, key);
                }
                return value;
            });
        } catch (RejectedExecutionException e) {
            LOG.warn("Recovery callback refused, pool of {} threads busy; key={}", MAX_THREADS, LogSafe.clean(key));
            return new Result<>(null, "refused: callback pool saturated");
        }
        try {
            T value = future.get(Math.max(timeoutNanos, 1), TimeUnit.NANOSECONDS);
            return value == null ? new Result<>(null, "returned null") : new Result<>(value, null);
        } catch (TimeoutException e) {
            if (!handoff.compareAndSet(WAITING, ABANDONED)) {
                // The value was handed over in the instant between the timeout and now: take it.
                return await(future, key);
            }
            future.cancel(true);
            // WARN: a callback that ignores the interrupt keeps a pool thread; operators should know.
            LOG.warn("Recovery callback did not return within {} ms, interrupted; key={}",
                    TimeUnit.NANOSECONDS.toMillis(timeoutNanos), LogSafe.clean(key));
            return new Result<>(null, "timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + "ms");
        } catch (ExecutionException e) {
            return failed(e, key);
        } catch (InterruptedException e) {
            if (!handoff.compareAndSet(WAITING, ABANDONED)) {
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
    static void discard(Object value, String key) {
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
    }

}
