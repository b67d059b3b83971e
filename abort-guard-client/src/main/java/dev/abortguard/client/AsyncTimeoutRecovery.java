package dev.abortguard.client;

import java.io.Closeable;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;

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
 */
public final class AsyncTimeoutRecovery implements Closeable {

    private final CloseableHttpAsyncClient client;
    private final TimeoutRecoveryPolicy policy;
    private final RecoveryEngine engine;
    private final ExecutorService recoveryPool;

    AsyncTimeoutRecovery(CloseableHttpAsyncClient client, TimeoutRecoveryPolicy policy) {
        this.client = client;
        this.policy = policy;
        this.engine = new RecoveryEngine(policy);
        int threads = Math.max(4, 4 * Runtime.getRuntime().availableProcessors());
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(
                        threads,
                        threads,
                        30,
                        TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(),
                        DaemonThreads.named("abort-guard-async-recovery"));
        pool.allowCoreThreadTimeOut(true);
        this.recoveryPool = pool;
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
        if (!policy.covers(request)) {
            return AsyncRecoveryCall.toFuture(client, request, context);
        }
        CompletableFuture<SimpleHttpResponse> result = new CompletableFuture<>();
        AsyncRecoveryCall call;
        try {
            call = new AsyncRecoveryCall(client, engine, request, context);
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        long start = System.nanoTime();
        ExchangeProgress progress = new ExchangeProgress();
        CompletableFuture<SimpleHttpResponse> firstAttempt;
        try {
            firstAttempt = call.send(progress, policy.maxAttempts > 1 && call.repeatable(), false);
        } catch (RuntimeException e) {
            // e.g. the client was not started or is already closed: nothing was sent
            result.completeExceptionally(e);
            return result;
        }
        firstAttempt.whenComplete(
                (response, failure) -> {
                    if (failure == null) {
                        result.complete(response);
                        return;
                    }
                    IOException first = AsyncRecoveryCall.asIoException(failure);
                    try {
                        recoveryPool.execute(() -> resume(call, start, first, progress, result));
                    } catch (RuntimeException rejected) {
                        // Only after close(): no recovery any more, but an unknown outcome is still reported.
                        result.completeExceptionally(engine.abandon(call, start, first, progress));
                    }
                });
        return result;
    }

    private void resume(
            AsyncRecoveryCall call,
            long start,
            IOException first,
            ExchangeProgress progress,
            CompletableFuture<SimpleHttpResponse> result) {
        try {
            result.complete(engine.resume(call, start, first, progress));
        } catch (IOException | RuntimeException | Error e) {
            result.completeExceptionally(e);
        }
    }

    /**
     * Closes the async client gracefully, then the adapter's threads. Recoveries still running are
     * interrupted; their futures fail rather than hang.
     *
     * @throws IOException if closing the client fails
     */
    @Override
    public void close() throws IOException {
        try {
            client.close(CloseMode.GRACEFUL);
        } finally {
            recoveryPool.shutdownNow();
            engine.close();
        }
    }

}
