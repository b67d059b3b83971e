package dev.abortguard.client;

import java.time.Duration;
import java.util.Objects;

/**
 * One entry of the decision trail: what the policy did and what came of it. The trail lets an
 * operator (or the {@link UnresolvedOutcomeHandler}) see why an outcome ended where it did
 * without reading the policy's code.
 *
 * @param at time since the logical request started
 * @param action what was done, e.g. {@code attempt 1}, {@code status-check 2}, {@code cancel}
 * @param result what came of it, e.g. {@code OUTCOME_UNKNOWN: SocketTimeoutException: Read timed
 *     out} or {@code PENDING}
 */
public record RecoveryStep(Duration at, String action, String result) {

    /**
     * Creates a step.
     *
     * @param at time since the logical request started
     * @param action what was done
     * @param result what came of it
     */
    public RecoveryStep {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(result, "result");
    }

    @Override
    public String toString() {
        return "+" + at.toMillis() + "ms " + action + " -> " + result;
    }
}
