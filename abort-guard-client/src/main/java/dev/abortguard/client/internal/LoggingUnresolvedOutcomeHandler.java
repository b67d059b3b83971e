package dev.abortguard.client.internal;

import dev.abortguard.client.TimeoutRecoveryException;
import dev.abortguard.client.UnresolvedOutcomeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one WARN line per unresolved outcome; see {@link UnresolvedOutcomeHandler#logWarning()}.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class LoggingUnresolvedOutcomeHandler implements UnresolvedOutcomeHandler {

    public static final LoggingUnresolvedOutcomeHandler INSTANCE = new LoggingUnresolvedOutcomeHandler();

    private static final Logger LOG = LoggerFactory.getLogger("dev.abortguard.client.UnresolvedOutcome");

    private LoggingUnresolvedOutcomeHandler() {}

    @Override
    public void onUnresolved(TimeoutRecoveryException unresolved) {
        // No stack trace: the trail says more than the frames would, and one line per outcome keeps
        // the log greppable by key. Cleaned and bounded: the handler may be fed by a custom adapter,
        // and the request line and the trail's exception messages come from outside.
        LOG.warn(
                "Outcome unresolved, reconcile by key: {} key={} phase={} trail={}",
                LogSafe.clean(unresolved.requestLine()),
                LogSafe.clean(unresolved.idempotencyKey()),
                unresolved.phase(),
                LogSafe.trail(unresolved.trail()));
    }

    @Override
    public String toString() {
        return "UnresolvedOutcomeHandler.logWarning()";
    }
}
