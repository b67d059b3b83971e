package dev.abortguard.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every step, for assertions on what the policy did. */
class RecordingListener implements RecoveryListener {

    final List<RecoveryContext> failures = new CopyOnWriteArrayList<>();
    final List<Duration> retries = new CopyOnWriteArrayList<>();
    final List<StatusDecision> statusChecks = new CopyOnWriteArrayList<>();
    final List<CancelResult> cancels = new CopyOnWriteArrayList<>();
    final List<RecoveryContext> resends = new CopyOnWriteArrayList<>();
    final List<RecoveryOutcome> outcomes = new CopyOnWriteArrayList<>();

    @Override
    public void onFailure(RecoveryContext context) {
        failures.add(context);
    }

    @Override
    public void onRetry(RecoveryContext context, Duration delay) {
        retries.add(delay);
    }

    @Override
    public void onStatusCheck(RecoveryContext context, StatusDecision decision) {
        statusChecks.add(decision);
    }

    @Override
    public void onCancel(RecoveryContext context, CancelResult result) {
        cancels.add(result);
    }

    @Override
    public void onResend(RecoveryContext context) {
        resends.add(context);
    }

    @Override
    public void onOutcome(RecoveryContext context, RecoveryOutcome outcome) {
        outcomes.add(outcome);
    }
}
