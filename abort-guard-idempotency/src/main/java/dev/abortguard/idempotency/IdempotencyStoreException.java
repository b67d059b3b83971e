package dev.abortguard.idempotency;

/**
 * The one exception a store throws when its backend fails (unreachable, timed out, refused the
 * operation). Everything a store decides is a result value; this is only for "the store could not
 * answer", so a caller has one thing to catch and answers 503: the operation did not happen, and a
 * store never leaves it half done (each one is a transaction, an atomic script or a single
 * compare-and-set), so retrying later is safe.
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
