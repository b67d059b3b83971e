package dev.abortguard.client;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs user callbacks ({@link StatusCheck}, {@link CancelAction}) on policy-owned daemon threads
 * with a time bound, so that a callback that hangs cannot hold the caller past the recovery
 * timeout and a callback that throws cannot crash anything. The pool is bounded; when it is
 * saturated (many hung callbacks) the call is refused and counts like a failed callback.
 */
final class CallbackRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CallbackRunner.class);
    private static final int MAX_THREADS = 64;

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
        Future<T> future;
        try {
            future = pool.submit(callback);
        } catch (RejectedExecutionException e) {
            LOG.warn("Recovery callback refused, pool of {} threads busy; key={}", MAX_THREADS, key);
            return new Result<>(null, "refused: callback pool saturated");
        }
        try {
            T value = future.get(Math.max(timeoutNanos, 1), TimeUnit.NANOSECONDS);
            return value == null ? new Result<>(null, "returned null") : new Result<>(value, null);
        } catch (TimeoutException e) {
            future.cancel(true);
            // WARN: a callback that ignores the interrupt keeps a pool thread; operators should know.
            LOG.warn("Recovery callback did not return within {} ms, interrupted; key={}",
                    TimeUnit.NANOSECONDS.toMillis(timeoutNanos), key);
            return new Result<>(null, "timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + "ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            // DEBUG: the decision trail and the listeners carry it; a status API that is down would
            // otherwise log once per check.
            LOG.debug("Recovery callback failed; key={}", key, cause);
            return new Result<>(null, "threw " + Failures.summary(cause));
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            return new Result<>(null, "interrupted");
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

}
