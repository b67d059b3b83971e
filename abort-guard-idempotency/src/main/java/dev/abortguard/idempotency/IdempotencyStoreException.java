package dev.abortguard.idempotency;

/**
 * The one exception a store throws when its backend fails (unreachable, timed out, refused the
 * operation). Everything a store decides is a result value; this is only for "the store could not
 * answer", so a caller has one thing to catch and answers 503.
 *
 * <p>A store never leaves an operation half done: each one is a transaction, an atomic script or a
 * single compare-and-set. But a failed operation did not necessarily not happen: when the backend
 * stops answering after it received the operation (a timeout, a connection lost before the commit's
 * acknowledgement), it may have been applied in full. What that means for each operation: a claim
 * that may have happened holds the key until its lease ends (repeats get 409, then one takes it
 * over); a completion that may have happened is either stored whole or not at all, and the owner
 * may try it again under the same token (a second identical completion is {@code Fenced}, the
 * first one stands); a release that may have happened leaves the key free or in progress.
 *
 * <p>Bad arguments are not store failures: they are {@link NullPointerException} and {@link
 * IllegalArgumentException}, before the backend is touched.
 */
public final class IdempotencyStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * A store failure.
     *
     * @param message what the store was doing
     * @param cause the backend's exception
     */
    public IdempotencyStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
