package dev.abortguard.client.internal;

import dev.abortguard.client.RecoveryContext;
import dev.abortguard.client.RecoveryListener;
import dev.abortguard.client.RecoveryOutcome;
import dev.abortguard.client.TimeoutRecoveryException;
import dev.abortguard.client.UnresolvedOutcomeHandler;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners and the handler as one logical request sees them. Nothing they throw changes the
 * outcome or skips a step: an ordinary failure (any exception, checked or not, and any {@link
 * Error} short of a {@link VirtualMachineError}) is logged once and dropped; a {@link
 * VirtualMachineError} (out of memory, stack overflow) is kept until the request has ended ({@link
 * #rethrowFatal}), because going on with the remaining steps is what lets the handler record an
 * unknown outcome that the caller would otherwise lose with the error.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class Observers {

    // The documented logger of listener failures (see RecoveryListener), whichever class logs them.
    private static final Logger LOG = LoggerFactory.getLogger("dev.abortguard.client.RecoveryEngine");

    /** WARN lines per second for listener failures; a listener that throws on every event is one bug. */
    public static final int MAX_LISTENER_LINES_PER_SECOND = 10;

    private final List<RecoveryListener> listeners;
    private final UnresolvedOutcomeHandler handler;
    private final LogThrottle listenerLog;

    /** The first fatal error a listener or the handler threw; later ones are suppressed into it. */
    private VirtualMachineError fatal;

    public Observers(RecoverySettings settings, LogThrottle listenerLog) {
        this.listeners = settings.listeners();
        this.handler = settings.unresolvedOutcomeHandler();
        this.listenerLog = listenerLog;
    }

    public void notify(Consumer<RecoveryListener> event) {
        for (RecoveryListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (VirtualMachineError e) {
                keep(e);
            } catch (Throwable e) {
                long held = listenerLog.acquire();
                if (held > 0) {
                    logSuppressedListenerLines(held);
                }
                if (held >= 0) {
                    LOG.warn("RecoveryListener {} threw; ignored", LogSafe.clean(String.valueOf(listener)), e);
                }
            }
        }
    }

    public void failed(RecoveryContext context) {
        notify(l -> l.onFailure(context));
    }

    public void outcome(RecoveryContext context, RecoveryOutcome outcome) {
        notify(l -> l.onOutcome(context, outcome));
    }

    public void unresolved(TimeoutRecoveryException end) {
        try {
            handler.onUnresolved(end);
        } catch (VirtualMachineError e) {
            keep(e);
        } catch (Throwable e) {
            // The handler is the last line of defense; if it fails, the log is.
            LOG.error("UnresolvedOutcomeHandler failed; unresolved outcome: {} key={} phase={} trail={}",
                    LogSafe.clean(end.requestLine()), LogSafe.clean(end.idempotencyKey()), end.phase(),
                    LogSafe.trail(end.trail()), e);
        }
    }

    /** Whether a listener or the handler threw a fatal error that is kept for the end. */
    public boolean holdsFatal() {
        return fatal != null;
    }

    /** Attaches {@code e} to the kept fatal error (call only when {@link #holdsFatal()}). */
    public void suppressIntoFatal(Throwable e) {
        fatal.addSuppressed(e);
    }

    private void keep(VirtualMachineError e) {
        if (fatal == null) {
            fatal = e;
        } else if (fatal != e) {
            fatal.addSuppressed(e);
        }
    }

    /**
     * Throws the kept fatal error, if any, with what the caller would have received ({@code
     * ended}: the exception, or {@code null} for a result) attached as suppressed.
     */
    public void rethrowFatal(Throwable ended) {
        if (fatal == null || fatal == ended) {
            return;
        }
        if (ended != null) {
            fatal.addSuppressed(ended);
        }
        throw fatal;
    }

    /** Writes the "Suppressed N" line for listener failures held back by the throttle. */
    public static void logSuppressedListenerLines(long held) {
        LOG.warn("Suppressed {} 'RecoveryListener threw' lines (at most {} per second)", held,
                MAX_LISTENER_LINES_PER_SECOND);
    }
}
