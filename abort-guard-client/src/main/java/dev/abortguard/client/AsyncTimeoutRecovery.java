package dev.abortguard.client;

import dev.abortguard.client.internal.AsyncRecoveryCall;
import dev.abortguard.client.internal.Attempt;
import dev.abortguard.client.internal.AttemptResult;
import dev.abortguard.client.internal.DaemonThreads;
import dev.abortguard.client.internal.LogSafe;
import dev.abortguard.client.internal.LogThrottle;
import dev.abortguard.client.internal.LogicalRequest;
import dev.abortguard.client.internal.RecoveryEngine;
import dev.abortguard.client.internal.RecoverySettings;
import dev.abortguard.client.internal.Route;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link TimeoutRecoveryPolicy} for a {@link CloseableHttpAsyncClient}: the same keys,
 * classification, retries, recovery and unresolved-outcome reporting as {@link
 * TimeoutRecoveryPolicy#wrap}, for {@link SimpleHttpRequest}s.
 *
 * <p>The first attempt is sent without blocking. Only when it fails (or is answered with a
 * retryable {@code Retry-After}) does the rest of the logical request — backoff, status checks,
 * resends, cancel — run on a small pool owned by this adapter, because those steps wait on the
 * server by nature. The returned future completes with a response or fails with the same
 * exception the classic client would throw ({@link TimeoutRecoveryException} for recovery
 * endings).
 *
 * <p>Limits: the async client reports no wire evidence, so failures are classified by exception
 * class and anything not provably unsent counts as {@link FailurePhase#OUTCOME_UNKNOWN};
 * responses are fully buffered ({@link SimpleHttpResponse}), so a stall mid-body is an unknown
 * outcome, not {@link FailurePhase#RESPONSE_BODY_LOST}. Canceling the returned future does not
 * cancel an exchange already in flight.
 *
 * <p>Recoveries wait for a pool thread in a bounded queue (1024 entries), so that an outage that
 * fails thousands of requests at once cannot pile up memory and stale status checks. A failure that
 * finds the queue full, or that is still waiting when the adapter is {@linkplain #close() closed},
 * is not recovered but still ends defined: an unknown outcome fails its future with a {@link
 * TimeoutRecoveryException} (outcome {@link RecoveryOutcome#UNRESOLVED}) that also goes to the
 * {@link UnresolvedOutcomeHandler}, a 429/503 with {@code Retry-After} is returned as it is, and a
 * failure that provably sent nothing fails with its own exception. The recovery timeout runs from
 * the failure, so time spent in the queue counts against it. Each refusal is counted exactly
 * ({@link #refusedRecoveries()}) and logged at WARN at a bounded rate.
 */
public final class AsyncTimeoutRecovery implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(AsyncTimeoutRecovery.class);

    /** Recoveries that may wait for a thread; beyond it a failure is ended at once, see the class doc. */
    static final int QUEUE_CAPACITY = 1024;

    /** WARN lines per second for refused recoveries; the rest are summarized, the counter is exact. */
    static final int MAX_REFUSAL_LINES_PER_SECOND = 10;

    private final CloseableHttpAsyncClient client;
    private final RecoverySettings settings;
    private final RecoveryEngine engine;
    private final ThreadPoolExecutor recoveryPool;
    private final int queueCapacity;
    private final LongAdder refused = new LongAdder();
    // Refusals come in storms (an outage fails every in-flight request at once) and are logged on
    // HttpClient's I/O reactor thread, which must not spend the storm writing log lines.
    private final LogThrottle refusalLog = new LogThrottle(MAX_REFUSAL_LINES_PER_SECOND);

    AsyncTimeoutRecovery(CloseableHttpAsyncClient client, RecoverySettings settings) {
        this(client, settings, Math.max(4, 4 * Runtime.getRuntime().availableProcessors()), QUEUE_CAPACITY);
    }

    AsyncTimeoutRecovery(CloseableHttpAsyncClient client, RecoverySettings settings, int threads, int queueCapacity) {
        this.client = client;
        this.settings = settings;
        this.engine = new RecoveryEngine(settings);
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(
                        threads,
                        threads,
                        30,
                        TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(queueCapacity),
                        DaemonThreads.named("abort-guard-async-recovery"));
        pool.allowCoreThreadTimeOut(true);
        this.recoveryPool = pool;
        this.queueCapacity = queueCapacity;
    }

    /**
     * Sends a request through the policy.
     *
     * @param request the request; its body is a byte array, so it can always be resent
     * @return the response, or the failure the policy ended with
     */
    public CompletableFuture<SimpleHttpResponse> execute(SimpleHttpRequest request) {
        return execute(request, null);
    }

    /**
     * Sends a request through the policy with a context.
     *
     * @param request the request; its body is a byte array, so it can always be resent
     * @param context the context for every attempt, or {@code null}
     * @return the response, or the failure the policy ended with
     */
    public CompletableFuture<SimpleHttpResponse> execute(SimpleHttpRequest request, HttpContext context) {
        Objects.requireNonNull(request, "request");
        if (!settings.covers(request)) {
            return AsyncRecoveryCall.toFuture(client, request, context);
        }
        CompletableFuture<SimpleHttpResponse> result = new CompletableFuture<>();
        AsyncRecoveryCall call;
        try {
            call = new AsyncRecoveryCall(client, settings, engine.responseChecks(), request, context);
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        LogicalRequest<SimpleHttpResponse> logical = engine.open(call);
        if (logical.route().nanosUntilAllowed(System.nanoTime()) > 0 || !logical.route().admitNow()) {
            // The route's upstream asked for quiet (Retry-After), or the route is at its in-flight
            // limit: the wait must not block the caller, so the whole request runs on a recovery
            // thread, which waits (bounded) or gives up unsent, and sends.
            startOnRecoveryThread(logical, result);
            return result;
        }
        Attempt attempt = logical.nextAttempt();
        CompletableFuture<AttemptResult<SimpleHttpResponse>> firstAttempt;
        try {
            firstAttempt = call.send(attempt);
        } catch (RuntimeException e) {
            // e.g. the client was not started or is already closed: nothing was sent
            logical.route().release();
            result.completeExceptionally(e);
            return result;
        }
        firstAttempt.whenComplete(
                (ended, failure) -> {
                    logical.route().release();
                    AttemptResult<SimpleHttpResponse> first =
                            failure == null ? ended : attempt.failed(AsyncRecoveryCall.asIoException(failure));
                    if (first instanceof AttemptResult.Answered) {
                        result.complete(((AttemptResult.Answered<SimpleHttpResponse>) first).value());
                        return;
                    }
                    // The recovery timeout runs from here, not from when a pool thread picks the task up.
                    long failedAt = System.nanoTime();
                    RecoveryTask task = new RecoveryTask(logical, first, failedAt, result);
                    try {
                        recoveryPool.execute(task);
                    } catch (RejectedExecutionException rejected) {
                        if (recoveryPool.isShutdown()) {
                            task.abandon("closed");
                        } else {
                            refused.increment();
                            long held = refusalLog.acquire();
                            if (held > 0) {
                                logSuppressed(held);
                            }
                            if (held >= 0) {
                                LOG.warn("Recovery queue full ({} waiting), recovery skipped; key={}",
                                        queueCapacity, LogSafe.clean(call.idempotencyKey()));
                            }
                            task.abandon("recovery queue full (" + queueCapacity + " waiting)");
                        }
                    }
                });
        return result;
    }

    /**
     * Runs a whole logical request on a recovery thread; a full queue fails it unsent (the route had
     * asked for quiet, or was at its in-flight limit: the matching exception says which).
     */
    private void startOnRecoveryThread(LogicalRequest<SimpleHttpResponse> logical,
                                       CompletableFuture<SimpleHttpResponse> result) {
        try {
            recoveryPool.execute(() -> {
                try {
                    result.complete(engine.run(logical));
                } catch (IOException | RuntimeException | Error e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException rejected) {
            Route route = logical.route();
            long quiet = route.nanosUntilAllowed(System.nanoTime());
            result.completeExceptionally(quiet > 0
                    ? new RetryAfterPendingException(route.name(), Duration.ofNanos(quiet), Duration.ZERO)
                    : new InFlightLimitExceededException(route.name(), route.limit(), Duration.ZERO));
        }
    }

    /** Recoveries waiting for a thread. */
    int queuedRecoveries() {
        return recoveryPool.getQueue().size();
    }

    /**
     * How many failed requests found the recovery queue full since this adapter was created, and so
     * were ended without recovery (see the class documentation). Exact, whatever the log shows: the
     * WARN line for a refusal is written at most {@value #MAX_REFUSAL_LINES_PER_SECOND} times per
     * second, and the lines held back are counted in a "Suppressed N" WARN line written before the
     * next refusal line and at {@link #close()}.
     *
     * @return the number of refused recoveries
     */
    public long refusedRecoveries() {
        return refused.sum();
    }

    private void logSuppressed(long held) {
        LOG.warn("Suppressed {} 'Recovery queue full' lines (at most {} per second); refusedRecoveries() counts every one",
                held, MAX_REFUSAL_LINES_PER_SECOND);
    }

    /** The rest of one logical request after its first attempt failed; its future always completes. */
    private final class RecoveryTask implements Runnable {
        private final LogicalRequest<SimpleHttpResponse> request;
        private final AttemptResult<SimpleHttpResponse> first;
        private final long failedAt;
        private final CompletableFuture<SimpleHttpResponse> result;

        RecoveryTask(
                LogicalRequest<SimpleHttpResponse> request,
                AttemptResult<SimpleHttpResponse> first,
                long failedAt,
                CompletableFuture<SimpleHttpResponse> result) {
            this.request = request;
            this.first = first;
            this.failedAt = failedAt;
            this.result = result;
        }

        @Override
        public void run() {
            try {
                result.complete(engine.resume(request, first, failedAt));
            } catch (IOException | RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        }

        /**
         * Ends the logical request without recovery: an unknown outcome becomes a {@link
         * TimeoutRecoveryException} with outcome {@link RecoveryOutcome#UNRESOLVED}, handed to the
         * unresolved handler; a 429/503 whose {@code Retry-After} can no longer be honoured reaches
         * the caller as it is; a failure that provably sent nothing fails with its own exception.
         */
        void abandon(String why) {
            SimpleHttpResponse answer = null;
            if (first instanceof AttemptResult.RetryAfterAnswer) {
                answer = ((AttemptResult.RetryAfterAnswer<SimpleHttpResponse>) first).response();
            } else if (first instanceof AttemptResult.NotAppliedReply) {
                answer = ((AttemptResult.NotAppliedReply<SimpleHttpResponse>) first).response();
            }
            if (answer != null) {
                result.complete(answer);
                return;
            }
            try {
                result.completeExceptionally(engine.abandon(request, first, why));
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        }
    }

    /**
     * Closes the async client gracefully, then the adapter's threads. Recoveries still running are
     * interrupted; their futures fail rather than hang. Recoveries still waiting for a thread are not
     * started: each future fails at once, an unknown outcome with a {@link
     * TimeoutRecoveryException} (outcome {@link RecoveryOutcome#UNRESOLVED}) that also goes to the
     * {@link UnresolvedOutcomeHandler}.
     *
     * @throws IOException if closing the client fails
     */
    @Override
    public void close() throws IOException {
        try {
            client.close(CloseMode.GRACEFUL);
        } finally {
            List<Runnable> notStarted = recoveryPool.shutdownNow();
            for (Runnable task : notStarted) {
                ((RecoveryTask) task).abandon("closed");
            }
            long held = refusalLog.drain();
            if (held > 0) {
                logSuppressed(held);
            }
            engine.close();
        }
    }

}
