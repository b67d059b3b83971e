package dev.abortguard.client.internal;

import dev.abortguard.client.FailurePhase;
import dev.abortguard.client.RecoveryContext;
import dev.abortguard.client.RecoveryOutcome;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Carries a logical request through a {@link TimeoutRecoveryPolicy}: sends its attempts, asks
 * {@link RecoveryDecisions} what to do with each {@link AttemptResult}, and does it — waits,
 * status checks, cancels, the outcome. The request's state lives in its {@link LogicalRequest};
 * the engine holds what a wrapped client shares: the deadline timer, the {@link ServerCallbacks},
 * the listener log throttle. One engine per wrapped client.
 *
 * <p>Every path out of {@link #run} either returns the caller's result or throws; every thrown
 * {@link TimeoutRecoveryException} with outcome {@link RecoveryOutcome#UNRESOLVED} has been handed
 * to the {@link UnresolvedOutcomeHandler} first; every ending is reported to the listeners.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class RecoveryEngine implements AutoCloseable {

    private final RecoverySettings settings;
    // Listeners run on the I/O reactor thread too (a refused async recovery): a listener that throws
    // on every event must not turn a storm of failures into a storm of stack traces there.
    private final LogThrottle listenerLog = new LogThrottle(Observers.MAX_LISTENER_LINES_PER_SECOND);
    private final Clock clock = Clock.systemUTC();
    private final ExchangeDeadlines deadlines;
    private final ResponseChecks responseChecks;
    private final ServerCallbacks serverCallbacks;
    private final Routes routes;

    public RecoveryEngine(RecoverySettings settings) {
        this.settings = settings;
        this.deadlines = new ExchangeDeadlines(settings.exchangeDeadline());
        this.responseChecks = new ResponseChecks(settings.maxRetryAfter(), clock, settings.notAppliedAnswers());
        this.routes = settings.newRoutes();
        this.serverCallbacks = new ServerCallbacks(settings);
    }

    public RecoverySettings settings() {
        return settings;
    }

    /** The checks every covered response goes through, for the calls of this client. */
    public ResponseChecks responseChecks() {
        return responseChecks;
    }

    /** The exchange deadline of this client (tests arm it directly). */
    public ExchangeDeadlines deadlines() {
        return deadlines;
    }

    /** Starts a logical request; its attempts come from the returned state. */
    public <R> LogicalRequest<R> open(RecoveryCall<R> call) {
        return new LogicalRequest<>(call, settings, deadlines, new Observers(settings, listenerLog), call.route(routes));
    }

    /** Runs a logical request from its first attempt. */
    public <R> R run(RecoveryCall<R> call) throws IOException {
        return run(open(call), null, 0);
    }

    /** Runs an opened logical request from its first attempt (the async adapter's queued ones). */
    public <R> R run(LogicalRequest<R> request) throws IOException {
        return run(request, null, 0);
    }

    /**
     * Runs a logical request whose first attempt was made elsewhere (the async adapter sends it
     * without blocking) and ended with {@code first} at {@code failedAtNanos}; the recovery timeout
     * runs from then, however long the task waited for a thread.
     */
    public <R> R resume(LogicalRequest<R> request, AttemptResult<R> first, long failedAtNanos) throws IOException {
        return run(request, first, failedAtNanos);
    }

    /**
     * Ends a logical request that will not be recovered ({@code why}: the adapter was closed, its
     * recovery queue is full): an unknown outcome still reaches the unresolved handler, as a {@link
     * TimeoutRecoveryException} with outcome {@link RecoveryOutcome#UNRESOLVED}; any other failure
     * is returned as it is. Returns the exception for the caller.
     */
    public IOException abandon(LogicalRequest<?> request, AttemptResult<?> first, String why) {
        Observers observers = request.observers();
        FailurePhase phase = first.phase();
        IOException failure = first.failure();
        RecoveryContext context = request.context(phase, failure);
        observers.failed(context);
        IOException result;
        if (!phase.needsRecovery()) {
            observers.outcome(context, RecoveryOutcome.FAILED);
            result = failure;
        } else {
            request.step("attempt 1", phase + ": " + Failures.summary(failure));
            request.step("recovery", "skipped: " + why);
            result = request.end(context, phase, RecoveryOutcome.UNRESOLVED, failure);
        }
        observers.rethrowFatal(result);
        return result;
    }

    /**
     * Runs the logical request to its end, then raises a {@link VirtualMachineError} that a listener
     * or the handler threw on the way: only after the handler has had the outcome and the listeners
     * their {@code onOutcome}, with the caller's exception attached as suppressed.
     */
    private <R> R run(LogicalRequest<R> request, AttemptResult<R> pending, long pendingFailedAt) throws IOException {
        Observers observers = request.observers();
        R result;
        try {
            result = attempts(request, pending, pendingFailedAt);
        } catch (Throwable ended) {
            observers.rethrowFatal(ended);
            throw ended;
        }
        if (observers.holdsFatal() && result instanceof AutoCloseable) {
            // Nobody will receive this response: return its connection to the pool.
            try {
                ((AutoCloseable) result).close();
            } catch (Exception | LinkageError e) {
                observers.suppressIntoFatal(e);
            }
        }
        observers.rethrowFatal(null);
        return result;
    }

    private <R> R attempts(LogicalRequest<R> request, AttemptResult<R> pending, long pendingFailedAt)
            throws IOException {
        Observers observers = request.observers();
        while (true) {
            AttemptResult<R> result = pending;
            long failedAt = pendingFailedAt;
            pending = null;
            if (result == null) {
                result = request.send();
                failedAt = System.nanoTime();
            }
            Decision decision = RecoveryDecisions.afterAttempt(result, request.facts(), request.nanosLeft());
            if (result instanceof AttemptResult.Answered) {
                ExchangeProgress answered = request.lastProgress();
                if (answered != null && answered.unhonouredOverloadAnswer() != ExchangeProgress.OVERLOAD_NONE) {
                    unhonouredOverloadAnswer(request, answered);
                }
                RecoveryOutcome outcome = ((Decision.ReturnResponse) decision).outcome();
                if (outcome != null) {
                    request.step("attempt " + request.attempt(), "answered");
                    observers.outcome(request.context(null, null), outcome);
                }
                return ((AttemptResult.Answered<R>) result).value();
            }
            if (result instanceof AttemptResult.Broken) {
                throw broken(request, ((AttemptResult.Broken<R>) result).cause(), decision);
            }
            record(request, result, failedAt);
            Recovery<R> ending = carryOut(request, decision);
            if (ending != null) {
                return ending.value;
            }
        }
    }

    /** An overload answer went to the caller (no attempts, no repeatable body, no budget): say so. */
    private static void unhonouredOverloadAnswer(LogicalRequest<?> request, ExchangeProgress progress) {
        RecoveryContext answered = request.context(null, null);
        Observers observers = request.observers();
        if (progress.unhonouredOverloadAnswer() == ExchangeProgress.OVERLOAD_NOT_APPLIED) {
            observers.notify(l -> l.onNotApplied(answered));
        } else {
            // the upstream still asked every caller of the route to wait
            Duration delay = progress.unhonouredRetryAfter();
            request.route().notBefore(System.nanoTime(), delay);
            observers.notify(l -> l.onRetryAfter(answered, delay));
        }
        if (progress.unhonouredForBudget()) {
            observers.notify(l -> l.onBudgetExhausted(answered));
            request.step(Decision.Reason.BUDGET_EXHAUSTED.action(), "refused: retry budget exhausted, the answer returned");
        }
    }

    /** Records a failed attempt in the request and tells the listeners (a Retry-After is no failure). */
    private static void record(LogicalRequest<?> request, AttemptResult<?> result, long failedAt) {
        IOException failure = result.failure();
        String line = failure.getMessage();
        if (result instanceof AttemptResult.Failed) {
            boolean deadline = ((AttemptResult.Failed<?>) result).deadlineFired();
            line = result.phase() + ": " + Failures.summary(failure) + (deadline ? " (exchange deadline)" : "");
        }
        if (result instanceof AttemptResult.RefusedUnprocessed) {
            line = "not processed (" + ((AttemptResult.RefusedUnprocessed<?>) result).proof() + "): " + Failures.summary(failure);
        }
        request.attemptFailed(result.phase(), failure, line, failedAt);
        if (result instanceof AttemptResult.RetryAfterAnswer) {
            // one wait for every caller of the route: the upstream asked all of them, not only this one
            Duration delay = ((AttemptResult.RetryAfterAnswer<?>) result).delay();
            request.route().notBefore(failedAt, delay);
            RecoveryContext answered = request.last();
            request.observers().notify(l -> l.onRetryAfter(answered, delay));
        } else if (result instanceof AttemptResult.NotAppliedReply
                || result instanceof AttemptResult.RefusedUnprocessed) {
            RecoveryContext refused = request.last();
            request.observers().notify(l -> l.onNotApplied(refused));
        } else {
            request.observers().failed(request.last());
        }
    }

    /** An unchecked exception the wire does not explain: the caller's, unless a resend was pending. */
    private static RuntimeException broken(LogicalRequest<?> request, RuntimeException cause, Decision decision)
            throws IOException {
        if (decision instanceof Decision.GiveUp) {
            Decision.GiveUp end = (Decision.GiveUp) decision;
            request.step("attempt " + request.attempt(), "not sent: " + Failures.summary(cause));
            RecoveryContext context = request.context(FailurePhase.NEVER_SENT, cause);
            throw request.end(context, end.phase(), end.outcome(), new IOException(cause));
        }
        if (((Decision.Rethrow) decision).reportFailed()) {
            request.observers().outcome(request.context(FailurePhase.RESPONSE_RECEIVED, cause), RecoveryOutcome.FAILED);
        }
        return cause;
    }

    /** What recovery produced for the caller; {@code null} from {@link #carryOut} means "send again". */
    private static final class Recovery<R> {
        final R value;

        Recovery(R value) {
            this.value = value;
        }
    }

    /** Carries out decisions until the request ends or sends again ({@code null}). */
    private <R> Recovery<R> carryOut(LogicalRequest<R> request, Decision decision) throws IOException {
        Observers observers = request.observers();
        RecoveryContext last = request.last();
        boolean budgetRefusalReported = false;
        while (true) {
            if (needsBudget(decision) && !request.spendBudget()) {
                observers.notify(l -> l.onBudgetExhausted(last));
                budgetRefusalReported = true;
                request.step(Decision.Reason.BUDGET_EXHAUSTED.action(), "refused: retry budget exhausted");
                decision = RecoveryDecisions.budgetRefused(decision, request.phase(), request.facts());
                continue;
            }
            if (decision instanceof Decision.Retry) {
                Duration asked = ((Decision.Retry) decision).asked();
                Duration delay = routeWait(request, request.nextRetryDelay(asked));
                observers.notify(l -> l.onRetry(last, delay));
                request.step("retry", "after " + delay.toMillis() + "ms");
                if (sleep(delay)) {
                    return null;
                }
                decision = RecoveryDecisions.afterNoRetry(request.facts());
                if (asked != null) {
                    request.failure(new InterruptedIOException("interrupted while waiting for Retry-After"));
                    if (decision instanceof Decision.GiveUp) {
                        request.step("retry", "interrupted");
                    }
                }
            } else if (decision instanceof Decision.Resend) {
                Duration wait = routeWait(request, Duration.ZERO);
                if (!wait.isZero()) {
                    request.step("resend", "after " + wait.toMillis() + "ms (the route's Retry-After)");
                    if (!sleep(wait)) {
                        request.step("resend", "interrupted");
                        decision = RecoveryDecisions.budgetRefused(decision, request.phase(), request.facts());
                        continue;
                    }
                }
                observers.notify(l -> l.onResend(last));
                request.step("resend", "same key, attempt " + (request.attempt() + 1));
                request.resending(((Decision.Resend) decision).knownNotApplied());
                return null;
            } else if (decision instanceof Decision.CheckStatus) {
                decision = serverCallbacks.checkStatus(request, ((Decision.CheckStatus) decision).after());
            } else if (decision instanceof Decision.Cancel) {
                note(request, ((Decision.Cancel) decision).reason());
                decision = serverCallbacks.cancel(request);
            } else if (decision instanceof Decision.Adopt) {
                return new Recovery<>(adopt(request, ((Decision.Adopt) decision)));
            } else if (decision instanceof Decision.GiveUp) {
                Decision.GiveUp end = (Decision.GiveUp) decision;
                if (end.reason() == Decision.Reason.BUDGET_EXHAUSTED && !budgetRefusalReported) {
                    // decided on the budget's peek, before any step asked it
                    observers.notify(l -> l.onBudgetExhausted(last));
                }
                note(request, end.reason());
                throw request.end(last, end.phase(), end.outcome(), request.failure());
            } else {
                if (((Decision.Rethrow) decision).reportFailed()) {
                    observers.outcome(last, RecoveryOutcome.FAILED);
                }
                throw request.failure();
            }
        }
    }

    /** Whether carrying out {@code decision} sends or asks the upstream again: one retry-budget token. */
    private static boolean needsBudget(Decision decision) {
        return decision instanceof Decision.Retry || decision instanceof Decision.Resend
                || decision instanceof Decision.CheckStatus || decision instanceof Decision.Cancel;
    }

    /** {@code own}, or longer when the route's upstream asked every caller to wait ({@code Retry-After}). */
    private static Duration routeWait(LogicalRequest<?> request, Duration own) {
        long shared = request.route().nanosUntilAllowed(System.nanoTime());
        return shared > own.toNanos() ? Duration.ofNanos(shared) : own;
    }

    private static <R> R adopt(LogicalRequest<R> request, Decision.Adopt adopt) throws IOException {
        RecoveryContext last = request.last();
        R adopted;
        try {
            adopted = request.call().adopt(adopt.response());
        } catch (IOException e) {
            // The server acted; only the response it supplied could not be read: say both.
            request.step("adopt", "status-check response unreadable: " + Failures.summary(e));
            throw request.end(last, request.phase(), RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE, e);
        } catch (RuntimeException e) {
            request.observers().outcome(last, RecoveryOutcome.COMPLETED); // the caller's handler threw on it
            throw e;
        }
        request.observers().outcome(last, RecoveryOutcome.COMPLETED);
        return adopted;
    }

    private void note(LogicalRequest<?> request, Decision.Reason reason) {
        if (reason != null) {
            request.step(reason.action(), reason.result(settings.maxAttempts(), settings.recoveryTimeout()));
        }
    }

    /** Sleeps; returns false (with the interrupt flag restored) when interrupted. */
    private static boolean sleep(Duration delay) {
        try {
            TimeUnit.NANOSECONDS.sleep(delay.toNanos());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        long held = listenerLog.drain();
        if (held > 0) {
            Observers.logSuppressedListenerLines(held);
        }
        deadlines.close();
        serverCallbacks.close();
    }
}
