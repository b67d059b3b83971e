package dev.abortguard.server;

import dev.abortguard.server.internal.RecordedAbortTable;

import java.util.function.Predicate;

/**
 * The throwables that {@link ClientAbortFilter} recorded as client aborts, remembered by identity
 * so that code logging "the same" failure again can be recognised: the logging guards ({@code
 * dev.abortguard.server.logging}) drop a WARN or ERROR event whose throwable is one of them, and
 * {@link ClientAbortHandler#handle(Throwable)} does not count one twice.
 *
 * <p>Why identity and not the classifier: a recorded instance is one the filter's stream wrappers
 * saw fail on this request's own socket (or the classifier accepted when it escaped), so dropping
 * a log event about that very instance can never hide a different failure. An exception the
 * application created after catching the abort — {@code new IllegalStateException("payment
 * failed", abort)} — is not recorded and is not carried on by a {@linkplain
 * ClientAbortClassifier.Builder#addWrapperType wrapper type}, so it stays as loud as ever.
 *
 * <p>Bounded and leak-free: a fixed table of 4,096 weak references, written without
 * locks. A recorded throwable is forgotten when it is garbage collected or when its slot is taken
 * over by a newer one (under a storm of thousands of aborts at once), never kept alive by the
 * library; forgetting one only means its log event is written, as without the library.
 */
public final class RecordedAborts {

    /** The standard classifier's carriers: what may stand above a recorded abort in a chain. */
    private static final Predicate<Throwable> STANDARD_CARRIERS = ClientAbortClassifier.standard()::carriesAbortOn;

    private RecordedAborts() {}

    /**
     * Whether {@code t} is a recorded client abort, or carries one on through {@linkplain
     * ClientAbortClassifier#wrapperTypes() wrapper types} and server-thrown {@code IOException}s
     * only (Spring's {@code HttpMessageNotWritableException} around the abort, say). Never
     * throws; {@code null} gives {@code false}.
     *
     * @param t a throwable about to be logged, or {@code null}
     * @return {@code true} if logging {@code t} would only repeat an abort the filter already logged
     */
    public static boolean isRecordedAbort(Throwable t) {
        return RecordedAbortTable.ABORTS.reachedThrough(t, STANDARD_CARRIERS);
    }
}
