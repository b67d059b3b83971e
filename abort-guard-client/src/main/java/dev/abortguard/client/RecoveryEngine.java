package dev.abortguard.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one logical request through a {@link TimeoutRecoveryPolicy}: attempts, classification,
 * retries, recovery, outcome. One engine per wrapped client; it owns the deadline timer (created
 * only when the policy has an exchange deadline) and the callback pool of that client.
 *
 * <p>Every path out of {@link #run} either returns the caller's result or throws; every thrown
 * {@link TimeoutRecoveryException} with outcome {@link RecoveryOutcome#UNRESOLVED} has been handed
 * to the {@link UnresolvedOutcomeHandler} first; every ending is reported to the listeners.
 */
final class RecoveryEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RecoveryEngine.class);

    /** How long the idle deadline thread lives; it is recreated on the next armed deadline. */
    static final Duration TIMER_KEEP_ALIVE = Duration.ofSeconds(1);

    /** WARN lines per second for listener failures; a listener that throws on every event is one bug. */
    static final int MAX_LISTENER_LINES_PER_SECOND = 10;

    private final TimeoutRecoveryPolicy policy;
    private final CallbackRunner callbacks = new CallbackRunner();
    // Listeners run on the I/O reactor thread too (a refused async recovery): a listener that throws
    // on every event must not turn a storm of failures into a storm of stack traces there.
    private final LogThrottle listenerLog = new LogThrottle(MAX_LISTENER_LINES_PER_SECOND);
    private final Clock clock = Clock.systemUTC();
    /** {@code null} without an exchange deadline: such a policy never has a timer thread. */
    private final DeadlineTimer deadlines;

    RecoveryEngine(TimeoutRecoveryPolicy policy) {
        this.policy = policy;
        this.deadlines = policy.exchangeDeadline == null
                ? null
                : new DeadlineTimer(policy.exchangeDeadline, TIMER_KEEP_ALIVE, DaemonThreads.named("abort-guard-deadline"));
    }

    TimeoutRecoveryPolicy policy() {
        return policy;
    }

    Clock clock() {
        return clock;
    }

    /** Runs a logical request from its first attempt. */
    <R> R run(RecoveryCall<R> call) throws IOException {
        return run(call, System.nanoTime(), null, null, 0);
    }

    /**
     * Runs a logical request whose first attempt was made elsewhere (the async adapter sends it
     * without blocking) and failed with {@code firstFailure} at {@code failedAtNanos}; the recovery
     * timeout runs from then, however long the task waited for a thread.
     */
    <R> R resume(
            RecoveryCall<R> call,
            long startNanos,
            long failedAtNanos,
            IOException firstFailure,
            ExchangeProgress firstProgress)
            throws IOException {
        return run(call, startNanos, firstFailure, firstProgress, failedAtNanos);
    }

    /**
     * Ends a logical request that will not be recovered ({@code why}: the adapter was closed, its
     * recovery queue is full): an unknown outcome still reaches the unresolved handler, as a {@link
     * TimeoutRecoveryException} with outcome {@link RecoveryOutcome#UNRESOLVED}; any other failure
     * is returned as it is. Returns the exception for the caller.
     */
    IOException abandon(RecoveryCall<?> call, long start, IOException failure, ExchangeProgress progress, String why) {
        Observers observers = new Observers();
        FailurePhase phase = FailureClassifier.classify(failure, progress);
        RecoveryContext context = call.context(1, elapsed(start), phase, failure);
        observers.failed(context);
        IOException result;
        if (!phase.needsRecovery()) {
            observers.outcome(context, RecoveryOutcome.FAILED);
            result = failure;
        } else {
            List<RecoveryStep> trail = new ArrayList<>();
            trail.add(step(start, "attempt 1", phase + ": " + Failures.summary(failure)));
            trail.add(step(start, "recovery", "skipped: " + why));
            result = end(call, observers, context, phase, RecoveryOutcome.UNRESOLVED, trail, failure);
        }
        observers.rethrowFatal(result);
        return result;
    }

    /**
     * Arms the exchange deadline for one attempt, if the policy has one. {@code onDeadline} runs at
     * most once, and never if {@link DeadlineTimer.Deadline#disarm()} comes first.
     */
    DeadlineTimer.Deadline arm(ExchangeProgress progress, Runnable onDeadline) {
        if (deadlines == null) {
            return DeadlineTimer.Deadline.NONE;
        }
        return deadlines.arm(() -> {
            progress.markDeadlineFired();
            onDeadline.run();
        });
    }

    /**
     * Runs the logical request to its end, then raises a {@link VirtualMachineError} that a listener
     * or the handler threw on the way: only after the handler has had the outcome and the listeners
     * their {@code onOutcome}, with the caller's exception attached as suppressed.
     */
    private <R> R run(
            RecoveryCall<R> call, long start, IOException pending, ExchangeProgress pendingProgress, long pendingFailedAt)
            throws IOException {
        Observers observers = new Observers();
        R result;
        try {
            result = run(call, observers, start, pending, pendingProgress, pendingFailedAt);
        } catch (Throwable ended) {
            observers.rethrowFatal(ended);
            throw ended;
        }
        if (observers.fatal != null && result instanceof AutoCloseable) {
            // Nobody will receive this response: return its connection to the pool.
            try {
                ((AutoCloseable) result).close();
            } catch (Exception | LinkageError e) {
                observers.fatal.addSuppressed(e);
            }
        }
        observers.rethrowFatal(null);
        return result;
    }

    private <R> R run(
            RecoveryCall<R> call,
            Observers observers,
            long start,
            IOException pending,
            ExchangeProgress pendingProgress,
            long pendingFailedAt)
            throws IOException {
        List<RecoveryStep> trail = new ArrayList<>();
        int attempt = pending == null ? 0 : 1;
        int retries = 0;
        boolean failedBefore = false;
        boolean resent = false;
        // What is known about the earlier attempts once a resend went out: NOT_APPLIED when a status
        // check said so, UNRESOLVED when the resend was made without asking (RESEND_WITH_KEY).
        RecoveryOutcome beforeResend = null;
        long recoveryDeadline = 0;
        boolean recoveryStarted = false;
        RecoveryContext last = null;
        while (true) {
            IOException failure;
            ExchangeProgress progress;
            long failedAt;
            if (pending != null) {
                failure = pending;
                progress = pendingProgress;
                failedAt = pendingFailedAt;
                pending = null;
            } else {
                attempt++;
                progress = new ExchangeProgress();
                try {
                    // Retry-After only with a payload that can be sent again: a consumed stream would go out
                    // empty or truncated under the same key.
                    boolean retryAfterAllowed = attempt < policy.maxAttempts && call.repeatable();
                    R result = call.attempt(attempt, progress, retryAfterAllowed, resent);
                    if (failedBefore) {
                        RecoveryContext done = call.context(attempt, elapsed(start), null, null);
                        trail.add(step(start, "attempt " + attempt, "answered"));
                        observers.outcome(done, resent ? RecoveryOutcome.RESENT : RecoveryOutcome.RETRIED);
                    }
                    return result;
                } catch (IOException e) {
                    failure = e;
                } catch (RuntimeException e) {
                    if (!wireFailure(progress) && !progress.deadlineFired()) {
                        if (beforeResend != null) {
                            // A resend that failed before the wire (the client was closed during recovery,
                            // an interceptor threw) settles nothing: end with what was known before it.
                            trail.add(step(start, "attempt " + attempt, "not sent: " + Failures.summary(e)));
                            RecoveryContext context = call.context(attempt, elapsed(start), FailurePhase.NEVER_SENT, e);
                            throw end(call, observers, context, earlierPhase(beforeResend), beforeResend, trail, new IOException(e));
                        }
                        // Not a transport failure (a throwing interceptor or handler, a shut-down pool): the
                        // caller's business, unchanged.
                        if (failedBefore) {
                            observers.outcome(call.context(attempt, elapsed(start), FailurePhase.RESPONSE_RECEIVED, e),
                                    RecoveryOutcome.FAILED);
                        }
                        throw e;
                    }
                    // E.g. a handler that wrapped a mid-body IOException in an unchecked exception, or
                    // HttpClient's "Endpoint not acquired / already released" when the deadline's cancel
                    // races a connect: a transport failure, classified by what reached the wire.
                    failure = new IOException(e);
                }
                failedAt = System.nanoTime();
            }
            failedBefore = true;

            if (failure instanceof RetryAfterSignal) {
                RetryAfterSignal signal = (RetryAfterSignal) failure;
                RecoveryContext retry = call.context(attempt, elapsed(start), FailurePhase.RESPONSE_RECEIVED, failure);
                last = retry;
                trail.add(step(start, "attempt " + attempt, failure.getMessage()));
                // The retry backoff's floor and jitter apply here too: a Retry-After of 0 or a date in
                // the past would otherwise be a retry loop with no pause at all.
                Duration delay = policy.retryBackoff.atLeast(signal.delay(), retries++);
                observers.notify(l -> l.onRetry(retry, delay));
                trail.add(step(start, "retry", "after " + delay.toMillis() + "ms"));
                if (!sleep(delay)) {
                    InterruptedIOException interrupted = new InterruptedIOException("interrupted while waiting for Retry-After");
                    if (beforeResend != null) {
                        trail.add(step(start, "retry", "interrupted"));
                        throw end(call, observers, retry, earlierPhase(beforeResend), beforeResend, trail, interrupted);
                    }
                    observers.outcome(retry, RecoveryOutcome.FAILED);
                    throw interrupted;
                }
                continue;
            }

            FailurePhase phase;
            if (failure instanceof UnsettledResendSignal) {
                // The resend was answered, but with a status that says nothing about the earlier attempt
                // (409 in progress, 5xx, ...): the logical outcome is as unknown as before the resend.
                phase = FailurePhase.OUTCOME_UNKNOWN;
                last = call.context(attempt, elapsed(start), phase, failure);
                trail.add(step(start, "attempt " + attempt, failure.getMessage()));
                observers.failed(last);
                if (policy.mode != RecoveryMode.STATUS_CHECK && policy.mode != RecoveryMode.STATUS_CHECK_THEN_CANCEL) {
                    throw end(call, observers, last, phase, RecoveryOutcome.UNRESOLVED, trail, failure);
                }
                // Otherwise back to the status check, within the recovery timeout already running.
            } else {
                phase = FailureClassifier.classify(failure, progress);
                last = call.context(attempt, elapsed(start), phase, failure);
                trail.add(step(start, "attempt " + attempt,
                        phase + ": " + Failures.summary(failure) + (progress.deadlineFired() ? " (exchange deadline)" : "")));
                observers.failed(last);
            }

            if (phase == FailurePhase.NEVER_SENT) {
                // Retried only with a repeatable payload. With wire evidence NEVER_SENT means the request
                // head was never handed to the connection, and HttpCore writes the entity only after the
                // head, so the entity was not touched; the class-based fallback cannot prove that (see
                // WireEvidenceTest), which is one more reason never to retry a non-repeatable entity.
                if (FailureClassifier.retryable(failure, progress)
                        && attempt < policy.maxAttempts
                        && call.repeatable()
                        && !call.canceledByCaller()) {
                    Duration delay = policy.retryBackoff.delay(retries++);
                    RecoveryContext retry = last;
                    observers.notify(l -> l.onRetry(retry, delay));
                    trail.add(step(start, "retry", "after " + delay.toMillis() + "ms"));
                    if (sleep(delay)) {
                        continue;
                    }
                }
                if (beforeResend != null) {
                    // A resend that never went out does not settle what the earlier attempts did: end with
                    // what was known before it, never with a bare connect error that hides an unknown.
                    throw end(call, observers, last, earlierPhase(beforeResend), beforeResend, trail, failure);
                }
                observers.outcome(last, RecoveryOutcome.FAILED);
                throw failure;
            }
            if (phase == FailurePhase.RESPONSE_RECEIVED) {
                observers.outcome(last, RecoveryOutcome.FAILED);
                throw failure;
            }

            if (!recoveryStarted) {
                // Measured from the failure, as documented: time the async adapter's task spent waiting
                // for a thread is part of it.
                recoveryStarted = true;
                recoveryDeadline = failedAt + policy.recoveryTimeout.toNanos();
            }
            Resolution resolution = recover(call, observers, last, trail, start, recoveryDeadline, attempt < policy.maxAttempts);
            switch (resolution.outcome) {
                case RESENT:
                    RecoveryContext resend = last;
                    observers.notify(l -> l.onResend(resend));
                    trail.add(step(start, "resend", "same key, attempt " + (attempt + 1)));
                    resent = true;
                    beforeResend = resolution.knownNotApplied ? RecoveryOutcome.NOT_APPLIED : RecoveryOutcome.UNRESOLVED;
                    continue;
                case COMPLETED:
                    R adopted;
                    try {
                        adopted = call.adopt(resolution.response);
                    } catch (IOException e) {
                        // The server acted; only the response it supplied could not be read: say both.
                        trail.add(step(start, "adopt", "status-check response unreadable: " + Failures.summary(e)));
                        throw end(call, observers, last, phase, RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE, trail, e);
                    } catch (RuntimeException e) {
                        observers.outcome(last, RecoveryOutcome.COMPLETED); // the caller's handler threw on it: its business
                        throw e;
                    }
                    observers.outcome(last, RecoveryOutcome.COMPLETED);
                    return adopted;
                default:
                    throw end(call, observers, last, phase, resolution.outcome, trail, failure);
            }
        }
    }

    /**
     * The phase to report when a resend did not settle anything: {@link
     * FailurePhase#OUTCOME_UNKNOWN} when nobody knows what the first attempts did, {@link
     * FailurePhase#NEVER_SENT} when a status check said they were not applied.
     */
    private static FailurePhase earlierPhase(RecoveryOutcome beforeResend) {
        return beforeResend == RecoveryOutcome.UNRESOLVED ? FailurePhase.OUTCOME_UNKNOWN : FailurePhase.NEVER_SENT;
    }

    /** Builds the caller's exception; an unresolved one goes to the handler first. */
    private TimeoutRecoveryException end(
            RecoveryCall<?> call,
            Observers observers,
            RecoveryContext last,
            FailurePhase phase,
            RecoveryOutcome outcome,
            List<RecoveryStep> trail,
            IOException failure) {
        TimeoutRecoveryException end =
                new TimeoutRecoveryException(call.requestLine(), call.idempotencyKey(), phase, outcome, trail, failure);
        if (outcome == RecoveryOutcome.UNRESOLVED) {
            observers.unresolved(end);
        }
        observers.outcome(last, outcome);
        return end;
    }

    private static final class Resolution {
        static final Resolution RESEND_NOT_APPLIED = new Resolution(RecoveryOutcome.RESENT, null, true);
        static final Resolution RESEND_UNKNOWN = new Resolution(RecoveryOutcome.RESENT, null, false);

        final RecoveryOutcome outcome;
        final ClassicHttpResponse response;
        final boolean knownNotApplied;

        Resolution(RecoveryOutcome outcome, ClassicHttpResponse response, boolean knownNotApplied) {
            this.outcome = outcome;
            this.response = response;
            this.knownNotApplied = knownNotApplied;
        }

        static Resolution of(RecoveryOutcome outcome) {
            return new Resolution(outcome, null, false);
        }
    }

    private Resolution recover(
            RecoveryCall<?> call,
            Observers observers,
            RecoveryContext context,
            List<RecoveryStep> trail,
            long start,
            long deadline,
            boolean attemptsLeft) {
        if (call.canceledByCaller()) {
            trail.add(step(start, "recovery", "skipped: request canceled by the caller"));
            return Resolution.of(RecoveryOutcome.UNRESOLVED);
        }
        boolean bodyLost = context.phase() == FailurePhase.RESPONSE_BODY_LOST;
        switch (policy.mode) {
            case REPORT_ONLY:
                trail.add(step(start, "recovery", "none (REPORT_ONLY)"));
                return Resolution.of(bodyLost ? RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE : RecoveryOutcome.UNRESOLVED);
            case RESEND_WITH_KEY:
                return resend(call, trail, start, attemptsLeft, deadline, RecoveryOutcome.UNRESOLVED);
            case CANCEL:
                if (bodyLost) {
                    // The server answered 2xx: it acted. Cancelling would undo a confirmed success.
                    trail.add(step(start, "cancel", "skipped: the server answered 2xx before the body was lost"));
                    return Resolution.of(RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE);
                }
                return cancel(observers, context, trail, start);
            case STATUS_CHECK:
            case STATUS_CHECK_THEN_CANCEL:
            default:
                return checkStatus(call, observers, context, trail, start, deadline, attemptsLeft);
        }
    }

    private Resolution checkStatus(
            RecoveryCall<?> call,
            Observers observers,
            RecoveryContext context,
            List<RecoveryStep> trail,
            long start,
            long deadline,
            boolean attemptsLeft) {
        int check = 0;
        while (true) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                break;
            }
            check++;
            long bound = Math.min(remaining, policy.callbackTimeout.toNanos());
            CallbackRunner.Result<StatusDecision> result =
                    callbacks.run(() -> policy.statusCheck.check(context), bound, context.idempotencyKey());
            if (result.notStarted()) {
                // Earlier callbacks ignored their interrupt and still hold their threads: asking again
                // would strand one more, and a cancel could not start either. End as nothing is known.
                trail.add(step(start, "status-check " + check, result.failure()));
                return Resolution.of(context.phase() == FailurePhase.RESPONSE_BODY_LOST
                        ? RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE
                        : RecoveryOutcome.UNRESOLVED);
            }
            StatusDecision decision = result.ok() ? result.value() : StatusDecision.unknown();
            trail.add(step(start, "status-check " + check,
                    result.ok() ? decision.toString() : "UNKNOWN (" + result.failure() + ")"));
            observers.notify(l -> l.onStatusCheck(context, decision));
            switch (decision.kind()) {
                case COMPLETED:
                    return decision.response().isPresent()
                            ? new Resolution(RecoveryOutcome.COMPLETED, decision.response().get(), false)
                            : Resolution.of(RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE);
                case NOT_APPLIED:
                    return resend(call, trail, start, attemptsLeft, deadline, RecoveryOutcome.NOT_APPLIED);
                default:
                    Duration delay = policy.statusCheckBackoff.delay(check - 1);
                    if (System.nanoTime() + delay.toNanos() >= deadline) {
                        break;
                    }
                    if (!sleep(delay)) {
                        trail.add(step(start, "status-check", "interrupted"));
                        return Resolution.of(RecoveryOutcome.UNRESOLVED);
                    }
                    continue;
            }
            break;
        }
        trail.add(step(start, "status-check", "recovery timeout " + policy.recoveryTimeout.toMillis() + "ms passed"));
        if (context.phase() == FailurePhase.RESPONSE_BODY_LOST) {
            // The status check never supplied the body, but the 2xx head said the server acted:
            // never cancel a confirmed success.
            return Resolution.of(RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE);
        }
        if (policy.mode == RecoveryMode.STATUS_CHECK_THEN_CANCEL) {
            return cancel(observers, context, trail, start);
        }
        return Resolution.of(RecoveryOutcome.UNRESOLVED);
    }

    /**
     * Resends when safe. {@code otherwise} is the outcome when it is not: {@link
     * RecoveryOutcome#NOT_APPLIED} after a status check said so (known, not resent), {@link
     * RecoveryOutcome#UNRESOLVED} in {@link RecoveryMode#RESEND_WITH_KEY} (nobody asked the server).
     */
    private Resolution resend(
            RecoveryCall<?> call,
            List<RecoveryStep> trail,
            long start,
            boolean attemptsLeft,
            long deadline,
            RecoveryOutcome otherwise) {
        if (!call.repeatable()) {
            trail.add(step(start, "resend", "refused: request entity is not repeatable"));
            return Resolution.of(otherwise);
        }
        if (!attemptsLeft) {
            trail.add(step(start, "resend", "refused: maxAttempts " + policy.maxAttempts + " reached"));
            return Resolution.of(otherwise);
        }
        if (otherwise == RecoveryOutcome.UNRESOLVED && System.nanoTime() >= deadline) {
            trail.add(step(start, "resend", "refused: recovery timeout passed"));
            return Resolution.of(otherwise);
        }
        return otherwise == RecoveryOutcome.NOT_APPLIED ? Resolution.RESEND_NOT_APPLIED : Resolution.RESEND_UNKNOWN;
    }

    private Resolution cancel(Observers observers, RecoveryContext context, List<RecoveryStep> trail, long start) {
        CallbackRunner.Result<CancelResult> result =
                callbacks.run(() -> policy.cancelAction.cancel(context), policy.callbackTimeout.toNanos(),
                        context.idempotencyKey());
        if (result.notStarted()) {
            trail.add(step(start, "cancel", result.failure()));
            return Resolution.of(RecoveryOutcome.UNRESOLVED);
        }
        CancelResult cancel = result.ok() ? result.value() : CancelResult.FAILED;
        trail.add(step(start, "cancel", result.ok() ? cancel.name() : "FAILED (" + result.failure() + ")"));
        observers.notify(l -> l.onCancel(context, cancel));
        switch (cancel) {
            case CANCELED:
                return Resolution.of(RecoveryOutcome.CANCELED);
            case ALREADY_COMPLETED:
                return Resolution.of(RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE);
            default:
                return Resolution.of(RecoveryOutcome.UNRESOLVED);
        }
    }

    /**
     * The listeners and the handler as one logical request sees them. Nothing they throw changes
     * the outcome or skips a step: an ordinary failure (any exception, checked or not, and any
     * {@link Error} short of a {@link VirtualMachineError}) is logged once and dropped; a {@link
     * VirtualMachineError} (out of memory, stack overflow) is kept until the request has ended
     * ({@link #rethrowFatal}), because going on with the remaining steps is what lets the handler
     * record an unknown outcome that the caller would otherwise lose with the error.
     */
    private final class Observers {
        /** The first fatal error a listener or the handler threw; later ones are suppressed into it. */
        VirtualMachineError fatal;

        void notify(java.util.function.Consumer<RecoveryListener> event) {
            for (RecoveryListener listener : policy.listeners) {
                try {
                    event.accept(listener);
                } catch (VirtualMachineError e) {
                    keep(e);
                } catch (Throwable e) {
                    long held = listenerLog.acquire();
                    if (held > 0) {
                        logSuppressedListenerLines(held);
                    }
                    if (held >= 0) {
                        LOG.warn("RecoveryListener {} threw; ignored", LogSafe.clean(String.valueOf(listener)), e);
                    }
                }
            }
        }

        void failed(RecoveryContext context) {
            notify(l -> l.onFailure(context));
        }

        void outcome(RecoveryContext context, RecoveryOutcome outcome) {
            notify(l -> l.onOutcome(context, outcome));
        }

        void unresolved(TimeoutRecoveryException end) {
            try {
                policy.unresolvedOutcomeHandler.onUnresolved(end);
            } catch (VirtualMachineError e) {
                keep(e);
            } catch (Throwable e) {
                // The handler is the last line of defense; if it fails, the log is.
                LOG.error("UnresolvedOutcomeHandler failed; unresolved outcome: {} key={} phase={} trail={}",
                        LogSafe.clean(end.requestLine()), LogSafe.clean(end.idempotencyKey()), end.phase(),
                        LogSafe.trail(end.trail()), e);
            }
        }

        private void keep(VirtualMachineError e) {
            if (fatal == null) {
                fatal = e;
            } else if (fatal != e) {
                fatal.addSuppressed(e);
            }
        }

        /**
         * Throws the kept fatal error, if any, with what the caller would have received ({@code
         * ended}: the exception, or {@code null} for a result) attached as suppressed.
         */
        void rethrowFatal(Throwable ended) {
            if (fatal == null || fatal == ended) {
                return;
            }
            if (ended != null) {
                fatal.addSuppressed(ended);
            }
            throw fatal;
        }
    }

    /** Whether the wire says an unchecked exception happened in the middle of the exchange. */
    private static boolean wireFailure(ExchangeProgress progress) {
        int status = progress.responseStatus();
        if (status == 0) {
            return progress.observed() && progress.requestHeadSubmitted();
        }
        return status >= 200 && status < 300 && progress.bodyFailure() != null;
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static RecoveryStep step(long start, String action, String result) {
        return new RecoveryStep(elapsed(start), action, result);
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

    private static void logSuppressedListenerLines(long held) {
        LOG.warn("Suppressed {} 'RecoveryListener threw' lines (at most {} per second)", held,
                MAX_LISTENER_LINES_PER_SECOND);
    }

    @Override
    public void close() {
        long held = listenerLog.drain();
        if (held > 0) {
            logSuppressedListenerLines(held);
        }
        if (deadlines != null) {
            deadlines.close();
        }
        callbacks.close();
    }
}
