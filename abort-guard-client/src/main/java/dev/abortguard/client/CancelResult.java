package dev.abortguard.client;

/** What a {@link CancelAction} achieved. */
public enum CancelResult {
    /** The operation is canceled or compensated: it has no lasting effect. */
    CANCELED,
    /** The server had already completed the operation; it cannot be canceled any more. */
    ALREADY_COMPLETED,
    /** The cancel did not work; the outcome stays unknown and goes to the unresolved handler. */
    FAILED
}
