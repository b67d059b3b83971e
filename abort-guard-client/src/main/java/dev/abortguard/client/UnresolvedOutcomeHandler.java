package dev.abortguard.client;

import dev.abortguard.client.internal.LoggingUnresolvedOutcomeHandler;
/**
 * Receives every outcome that stays unknown after recovery, so that it can be reconciled later
 * (a durable table, a queue, a ticket). The default, {@link #logWarning()}, writes one WARN line
 * with the key; production systems that move money should plug in a durable sink.
 *
 * <p>Called on the thread that ran the request, before the caller receives the same exception:
 * the caller's thread for the classic client, a recovery thread for the async adapter, and, when the
 * async adapter's recovery queue is full or it is closing, the thread that completed the exchange
 * (an I/O reactor thread of HttpClient). Keep it fast and non-blocking there: hand the outcome to a
 * queue, do not write to a database inline. A handler that throws is logged at ERROR with the key and the caller still
 * receives the {@link TimeoutRecoveryException}; the outcome is never dropped silently. A {@link
 * VirtualMachineError} it throws is handled as one thrown by a {@link RecoveryListener}: the
 * listeners still get the outcome, then the caller receives the error.
 */
@FunctionalInterface
public interface UnresolvedOutcomeHandler {

    /**
     * Records an unresolved outcome.
     *
     * @param unresolved the exception the caller is about to receive: request line, key, phase and
     *     trail
     */
    void onUnresolved(TimeoutRecoveryException unresolved);

    /**
     * The default handler: one WARN line per unresolved outcome on the logger {@code
     * dev.abortguard.client.UnresolvedOutcome}, with the request line, the key, the phase and the
     * trail, and no stack trace. The line is one line whatever the values hold: control characters
     * (CR, LF, ESC, ...), U+2028, U+2029 and bidi controls are written as {@code _}, the request line
     * and the key are cut after 200 characters and the trail after 4,000, each marked {@code ...}.
     * {@link TimeoutRecoveryException#idempotencyKey()} stays exact.
     *
     * @return the logging handler
     */
    static UnresolvedOutcomeHandler logWarning() {
        return LoggingUnresolvedOutcomeHandler.INSTANCE;
    }
}
