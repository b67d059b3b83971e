/**
 * Micrometer meters for abort-guard. Add {@code abort-guard-micrometer} next to the server module,
 * the client module or both; each adapter is loaded only when you create it, so the half you do
 * not use is never needed on the classpath.
 *
 * <ul>
 *   <li>{@link dev.abortguard.micrometer.MicrometerAbortMetrics}: client aborts seen by the server
 *       filter ({@code http.server.client.aborts}, {@code http.server.client.abort.silence});
 *   <li>{@link dev.abortguard.micrometer.MicrometerRecoveryMetrics}: the client policy's failures,
 *       recovery steps and outcomes ({@code abortguard.client.*}).
 * </ul>
 *
 * <p>Both register each meter once, the first time its tag combination is seen, and keep it: the
 * per-event cost is a lookup in a small bounded table, not a registry lookup with a fresh {@code
 * Tags} object.
 */
package dev.abortguard.micrometer;
