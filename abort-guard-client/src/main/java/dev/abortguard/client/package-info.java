/**
 * Recoverable timeouts for Apache HttpClient 5.
 *
 * <p>After a read timeout the caller does not know whether the server acted on the request:
 * retrying a {@code POST} blindly may take the money twice, giving up may lose an order that was
 * in fact recorded. {@link dev.abortguard.client.TimeoutRecoveryPolicy} resolves that ambiguity
 * for every caller of a {@code CloseableHttpClient} (and, through {@link
 * dev.abortguard.client.AsyncTimeoutRecovery}, of a {@code CloseableHttpAsyncClient}) without
 * changing their code:
 *
 * <ol>
 *   <li>every failure is classified by what happened on the wire ({@link
 *       dev.abortguard.client.FailurePhase});
 *   <li>a covered request carries an idempotency key that stays the same across every resend;
 *   <li>when the outcome is unknown the policy asks the server ({@link
 *       dev.abortguard.client.StatusCheck}), resends only when that is provably safe, cancels
 *       ({@link dev.abortguard.client.CancelAction}) when configured, and otherwise hands the
 *       outcome to an {@link dev.abortguard.client.UnresolvedOutcomeHandler} so that nothing is
 *       dropped silently;
 *   <li>the caller always receives a response or a {@link
 *       dev.abortguard.client.TimeoutRecoveryException} that carries the request line, the key,
 *       the phase and the decision trail.
 * </ol>
 */
package dev.abortguard.client;
