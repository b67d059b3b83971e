package dev.abortguard.idempotency.servlet;

/**
 * What {@link IdempotencyFilter} does with the claim of a request whose handler failed: answered
 * 5xx, or threw.
 *
 * <p>There is no rule that is right for every handler, which is why this is a setting. A handler
 * that failed may have done part of its work (charged the card, then failed to write the receipt):
 * running it again for a repeat duplicates that part. A handler that failed before doing anything
 * (its database was down) could simply be run again. Only the application knows which it is.
 */
public enum ServerErrorRule {

    /**
     * The default: a 5xx is stored and replayed like any other response, and a handler that threw
     * is stored as a bare 500. A repeat gets the same failure, never a second run, so a failure
     * can never turn into a duplicate. The caller learns it failed and decides.
     */
    STORE,

    /**
     * The claim is released: the key is free again and the next request with it runs the handler
     * afresh. Choose this only when every handler on the routes fails before its side effects, or
     * is itself safe to run twice.
     */
    RELEASE
}
