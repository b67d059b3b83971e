package dev.abortguard.server.internal;

import dev.abortguard.server.AbortKind;

/**
 * The decision about a throwable that escaped the filter chain, or was handed to {@code
 * ClientAbortHandler}: is it a client abort? It is if a wrapper of its request saw it fail (by
 * identity, through carriers), or if the classifier recognises it; either way it is reported at
 * most once for its request.
 *
 * <p>Internal, not API: may change without notice.
 */
public final class EscapedThrowables {

    private EscapedThrowables() {}

    /**
     * Whether {@code t} is a client abort; reports it through {@code reporter} if nothing was
     * reported for its request yet. Never throws (but an {@code OutOfMemoryError}): the
     * application's throwable must leave the filter as it is, so whatever deciding about it
     * raises — a hostile throwable, a metrics or logging backend that throws — means "not an
     * abort", never a replacement of the application's exception by the library's.
     *
     * @param reporter the reporter of the filter or handler that asks
     * @param exchange the request's exchange, or {@code null} for a throwable without request context
     * @param t the throwable
     * @return {@code true} if {@code t} is a client abort (reported now or before)
     */
    public static boolean isAbort(AbortReporter reporter, Exchange exchange, Throwable t) {
        try {
            return decide(reporter, exchange, t);
        } catch (Throwable failure) {
            Causes.rethrowIfFatal(failure);
            return false;
        }
    }

    private static boolean decide(AbortReporter reporter, Exchange exchange, Throwable t) {
        if (!(t instanceof Exception)) {
            return false;
        }
        boolean recorded = exchange != null
                ? exchange.isRecordedAbort(t, reporter.carriers())
                : RecordedAbortTable.ABORTS.reachedThrough(t, reporter.carriers());
        if (recorded) {
            return true;
        }
        if (!reporter.classifier().isClientAbort(t)) {
            return false;
        }
        if (exchange == null) {
            RecordedAbortTable.ABORTS.remember(t);
            reporter.report(reporter.settings().events().create(AbortKind.CLASSIFIED, null, null, null,
                    -1, -1, -1, -1, null, null, t));
        } else {
            exchange.classifiedAbort(t, reporter);
        }
        return true;
    }
}
