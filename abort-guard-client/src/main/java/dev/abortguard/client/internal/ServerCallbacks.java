package dev.abortguard.client.internal;

import dev.abortguard.client.CancelAction;
import dev.abortguard.client.CancelResult;
import dev.abortguard.client.FailurePhase;
import dev.abortguard.client.RecoveryContext;
import dev.abortguard.client.StatusCheck;
import dev.abortguard.client.StatusDecision;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The recovery steps that call the user's code about the server: the {@link StatusCheck} and the
 * {@link CancelAction}, each on the {@link CallbackRunner}'s bounded threads, each recorded in the
 * request's trail and reported to its listeners, each answered by {@link RecoveryDecisions}. One
 * per wrapped client, as the callback pool is.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class ServerCallbacks implements AutoCloseable {

    private final RecoverySettings settings;
    private final CallbackRunner callbacks = new CallbackRunner();

    ServerCallbacks(RecoverySettings settings) {
        this.settings = settings;
    }

    /**
     * Waits {@code after}, then asks the {@link StatusCheck} about the request (within the recovery
     * timeout and the callback timeout) and says what comes next.
     */
    Decision checkStatus(LogicalRequest<?> request, Duration after) {
        FailurePhase phase = request.phase();
        if (!after.isZero() && !sleep(after)) {
            request.step("status-check", "interrupted");
            return RecoveryDecisions.afterInterruptedStatusWait(phase);
        }
        long remaining = request.nanosLeft();
        if (remaining <= 0) {
            return RecoveryDecisions.afterRecoveryTimeout(phase, request.facts());
        }
        int check = request.nextStatusCheck();
        RecoveryContext context = request.last();
        long bound = Math.min(remaining, settings.callbackTimeout().toNanos());
        CallbackRunner.Result<StatusDecision> result =
                callbacks.run(() -> settings.statusCheck().check(context), bound, context.idempotencyKey());
        if (result.notStarted()) {
            // Earlier callbacks ignored their interrupt and still hold their threads: asking again
            // would strand one more, and a cancel could not start either.
            request.step("status-check " + check, result.failure());
            return RecoveryDecisions.statusCheckNotStarted(phase);
        }
        StatusDecision answer = result.ok() ? result.value() : StatusDecision.unknown();
        request.step("status-check " + check, result.ok() ? answer.toString() : "UNKNOWN (" + result.failure() + ")");
        request.observers().notify(l -> l.onStatusCheck(context, answer));
        Duration nextDelay = settings.statusCheckBackoff().delay(check - 1);
        return RecoveryDecisions.afterStatusCheck(answer, phase, request.facts(), request.nanosLeft(), nextDelay);
    }

    /** Runs the {@link CancelAction} (within the callback timeout) and says how the request ends. */
    Decision cancel(LogicalRequest<?> request) {
        RecoveryContext context = request.last();
        CallbackRunner.Result<CancelResult> result = callbacks.run(
                () -> settings.cancelAction().cancel(context), settings.callbackTimeout().toNanos(), context.idempotencyKey());
        if (result.notStarted()) {
            request.step("cancel", result.failure());
            return RecoveryDecisions.afterCancel(null, request.phase());
        }
        CancelResult cancel = result.ok() ? result.value() : CancelResult.FAILED;
        request.step("cancel", result.ok() ? cancel.name() : "FAILED (" + result.failure() + ")");
        request.observers().notify(l -> l.onCancel(context, cancel));
        return RecoveryDecisions.afterCancel(cancel, request.phase());
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
        callbacks.close();
    }
}
