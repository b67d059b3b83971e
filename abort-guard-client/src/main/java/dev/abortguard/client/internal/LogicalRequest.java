package dev.abortguard.client.internal;

import dev.abortguard.client.FailurePhase;
import dev.abortguard.client.InFlightLimitExceededException;
import dev.abortguard.client.RecoveryContext;
import dev.abortguard.client.RecoveryOutcome;
import dev.abortguard.client.RecoveryStep;
import dev.abortguard.client.RetryAfterPendingException;
import dev.abortguard.client.TimeoutRecoveryException;
import dev.abortguard.client.internal.RecoveryDecisions.Facts;
import dev.abortguard.client.internal.RecoveryDecisions.Resent;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Everything one covered logical request has been through: its attempts, its retries, what was
 * resent, when recovery started, the failure being handled, the decision trail and its observers.
 * One instance per logical request, confined to the thread running it (the async adapter hands it
 * from the I/O thread to a recovery thread once, through the pool's queue).
 *
 * <p>This is the one place that hands out attempts, so it is where the route's in-flight permit is
 * taken and given back ({@link #send}), where the first attempt earns its share of the route's retry
 * budget, and where every recovery step asks that budget ({@link #spendBudget}).
 *
 * @param <R> what the caller receives
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class LogicalRequest<R> {

    private final RecoveryCall<R> call;
    private final RecoverySettings settings;
    private final ExchangeDeadlines deadlines;
    private final Observers observers;
    private final Route route;
    private final Duration maxQueueWait;
    private final long start;
    private final List<RecoveryStep> trail = new ArrayList<>();

    private int attempt;
    /** When each attempt was handed to the client, in nanos since {@link #start}. */
    private final List<Duration> sentAt = new ArrayList<>(2);
    private long lastSentNanos;
    /** The last attempt's record of the wire, read once it was answered. */
    private ExchangeProgress lastProgress;
    private int retries;
    private int statusChecks;
    private boolean failedBefore;
    private Resent resent = Resent.NO;
    private boolean recoveryStarted;
    private long recoveryDeadline;
    /** The failure being handled, its phase, and the context listeners and callbacks receive for it. */
    private IOException failure;
    private FailurePhase phase;
    private RecoveryContext last;

    public LogicalRequest(
            RecoveryCall<R> call, RecoverySettings settings, ExchangeDeadlines deadlines, Observers observers, Route route) {
        this.call = call;
        this.settings = settings;
        this.deadlines = deadlines;
        this.observers = observers;
        this.route = route;
        Duration queue = settings.inFlightQueueTimeout();
        Duration deadline = settings.exchangeDeadline();
        // a queue wait never outlives the exchange deadline
        this.maxQueueWait = deadline != null && deadline.compareTo(queue) < 0 ? deadline : queue;
        this.start = System.nanoTime();
    }

    public Route route() {
        return route;
    }

    /** The last attempt's record of the wire, or {@code null} before the first. */
    public ExchangeProgress lastProgress() {
        return lastProgress;
    }

    /**
     * Sends the next attempt holding one of the route's in-flight permits, waited for at most the
     * queue timeout (never past the exchange deadline); without a permit nothing is sent and the
     * attempt ends {@link FailurePhase#NEVER_SENT} with an {@link InFlightLimitExceededException}.
     * A first attempt also waits, within the same time, for the route's {@code Retry-After} "not
     * before" time; when that lies beyond it, nothing is sent and the attempt ends {@link
     * FailurePhase#NEVER_SENT} with a {@link RetryAfterPendingException} at once.
     */
    public AttemptResult<R> send() {
        Attempt next = nextAttempt();
        long queueLeft = maxQueueWait.toNanos();
        if (next.number() == 1) {
            // The route's Retry-After holds first attempts too (retries and resends wait for it in the
            // engine): within the queue time, never past the exchange deadline, else nothing is sent.
            long quiet = route.nanosUntilAllowed(System.nanoTime());
            if (quiet > 0) {
                if (quiet > queueLeft) {
                    return new AttemptResult.Failed<>(FailurePhase.NEVER_SENT,
                            new RetryAfterPendingException(route.name(), Duration.ofNanos(quiet), maxQueueWait), false, false);
                }
                long waitStart = System.nanoTime();
                try {
                    TimeUnit.NANOSECONDS.sleep(quiet);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new AttemptResult.Failed<>(FailurePhase.NEVER_SENT,
                            new InterruptedIOException("interrupted while waiting for the route's Retry-After"), false, false);
                }
                step("attempt 1", "waited " + TimeUnit.NANOSECONDS.toMillis(quiet) + "ms for the route's Retry-After");
                queueLeft = Math.max(0, queueLeft - (System.nanoTime() - waitStart));
            }
        }
        if (!route.admitNow()) {
            long waitStart = System.nanoTime();
            boolean admitted;
            try {
                admitted = route.admit(Duration.ofNanos(queueLeft));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new AttemptResult.Failed<>(FailurePhase.NEVER_SENT,
                        new InterruptedIOException("interrupted while waiting for an in-flight permit"), false, false);
            }
            Duration waited = Duration.ofNanos(System.nanoTime() - waitStart);
            observers.notify(l -> l.onInFlightWait(route.name(), waited, admitted));
            if (!admitted) {
                return new AttemptResult.Failed<>(FailurePhase.NEVER_SENT,
                        new InFlightLimitExceededException(route.name(), route.limit(), waited), false, false);
            }
        }
        lastSentNanos = System.nanoTime();
        sentAt.add(Duration.ofNanos(lastSentNanos - start));
        try {
            return call.attempt(next);
        } finally {
            route.release();
        }
    }

    /**
     * Takes one recovery step from the route's retry budget; false when it is spent (another request
     * may have taken the last token since {@link #facts} said there was one).
     */
    public boolean spendBudget() {
        return route.spend(System.nanoTime());
    }

    public RecoveryCall<R> call() {
        return call;
    }

    public Observers observers() {
        return observers;
    }

    /** The next attempt: numbered, with a fresh record of its progress and what it may do. */
    public Attempt nextAttempt() {
        attempt++;
        if (attempt == 1) {
            route.firstAttempt(System.nanoTime());
        }
        Facts facts = facts();
        boolean honours = RecoveryDecisions.honoursRetryAfter(facts);
        lastProgress = new ExchangeProgress();
        return new Attempt(attempt, lastProgress, honours,
                !honours && facts.attemptsLeft() && facts.repeatable() && !facts.budgetAllows(),
                resent != Resent.NO, deadlines, recoveryStarted, recoveryDeadline);
    }

    /** What the decisions need to know, now. */
    public Facts facts() {
        return new Facts(settings.mode(), failedBefore, resent, attempt < settings.maxAttempts(), call.repeatable(),
                call.canceledByCaller(), budgetAllows(), withinNotAppliedHorizon());
    }

    /** Whether the latest send of this key is more recent than the not-applied horizon. */
    private boolean withinNotAppliedHorizon() {
        long horizon = settings.notAppliedHorizon().toNanos();
        return horizon > 0 && !sentAt.isEmpty() && System.nanoTime() - lastSentNanos < horizon;
    }

    /** Whether the route's retry budget has a token now (a peek; {@link #spendBudget} takes it). */
    private boolean budgetAllows() {
        return route.budgetAllows(System.nanoTime());
    }

    /**
     * Records an attempt that did not answer: the failure, its phase and the context for it, one
     * trail line ({@code result}), and, when the phase needs recovery, the start of the recovery
     * timeout (measured from the failure, as documented: time the async adapter's task spent
     * waiting for a thread is part of it).
     */
    public void attemptFailed(FailurePhase phase, IOException failure, String result, long failedAt) {
        this.failedBefore = true;
        this.phase = phase;
        this.failure = failure;
        this.last = context(phase, failure);
        step("attempt " + attempt, result);
        if (phase.needsRecovery() && !recoveryStarted) {
            recoveryStarted = true;
            recoveryDeadline = failedAt + settings.recoveryTimeout().toNanos();
        }
    }

    /** Replaces the failure the caller will receive (an interrupted wait), keeping the phase. */
    public void failure(IOException replacement) {
        this.failure = replacement;
    }

    public IOException failure() {
        return failure;
    }

    public FailurePhase phase() {
        return phase;
    }

    /** The context of the failure being handled. */
    public RecoveryContext last() {
        return last;
    }

    public int attempt() {
        return attempt;
    }

    /** Time left before the recovery timeout; only meaningful once recovery has started. */
    public long nanosLeft() {
        return recoveryStarted ? recoveryDeadline - System.nanoTime() : Long.MAX_VALUE;
    }

    /** The wait before the next retry: the retry backoff, at least {@code asked} ({@code Retry-After}). */
    public Duration nextRetryDelay(Duration asked) {
        // The retry backoff's floor and jitter apply to Retry-After too: a Retry-After of 0 or a date in
        // the past would otherwise be a retry loop with no pause at all.
        int index = retries++;
        return asked == null ? settings.retryBackoff().delay(index) : settings.retryBackoff().atLeast(asked, index);
    }

    /** Numbers the next status check, from 1. */
    public int nextStatusCheck() {
        return ++statusChecks;
    }

    /** A resend goes out next; what it means if it settles nothing. */
    public void resending(boolean knownNotApplied) {
        resent = knownNotApplied ? Resent.AFTER_NOT_APPLIED : Resent.WITHOUT_ASKING;
    }

    /** A context for the current attempt. */
    public RecoveryContext context(FailurePhase phase, Throwable cause) {
        return call.context(attempt, elapsed(), phase, cause, route.name(), sentAt);
    }

    public void step(String action, String result) {
        trail.add(new RecoveryStep(elapsed(), action, result));
    }

    /** Builds the caller's exception; an unresolved one goes to the handler first. */
    public TimeoutRecoveryException end(RecoveryContext context, FailurePhase phase, RecoveryOutcome outcome, IOException cause) {
        TimeoutRecoveryException end =
                new TimeoutRecoveryException(call.requestLine(), call.idempotencyKey(), phase, outcome, trail, cause);
        if (outcome == RecoveryOutcome.UNRESOLVED) {
            observers.unresolved(end);
        }
        observers.outcome(context, outcome);
        return end;
    }

    private Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
