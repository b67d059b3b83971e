package dev.abortguard.idempotency;

/**
 * What {@link IdempotencyStore#release} did. Releasing gives a key back when nothing worth
 * replaying was produced (a handler failure the filter's rule does not store): the next request
 * with the key claims it afresh and runs the handler again.
 */
public sealed interface ReleaseResult {

    /** The in-progress record is gone; the key is free. */
    record Released() implements ReleaseResult {
    }

    /** The token is not the key's current in-progress claim: nothing was removed. */
    record Fenced() implements ReleaseResult {
    }
}
