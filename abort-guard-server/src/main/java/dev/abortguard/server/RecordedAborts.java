package dev.abortguard.server;

import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

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
 * <p>Bounded and leak-free: a fixed table of {@value #SLOTS} weak references, written without
 * locks. A recorded throwable is forgotten when it is garbage collected or when its slot is taken
 * over by a newer one (under a storm of thousands of aborts at once), never kept alive by the
 * library; forgetting one only means its log event is written, as without the library.
 */
public final class RecordedAborts {

    static final int SLOTS = 4096;
    private static final int PROBES = 8;

    private static final AtomicReferenceArray<WeakReference<Throwable>> TABLE = new AtomicReferenceArray<>(SLOTS);
    private static final AtomicInteger EVICTIONS = new AtomicInteger();

    private RecordedAborts() {}

    static void record(Throwable abort) {
        int home = home(abort);
        for (int i = 0; i < PROBES; i++) {
            int slot = (home + i) & (SLOTS - 1);
            WeakReference<Throwable> ref = TABLE.get(slot);
            Throwable held = ref == null ? null : ref.get();
            if (held == abort) {
                return;
            }
            if (held == null && TABLE.compareAndSet(slot, ref, new WeakReference<>(abort))) {
                return;
            }
        }
        // every probe holds a live abort: take one over, round robin, so that no slot starves
        TABLE.set((home + (EVICTIONS.getAndIncrement() & (PROBES - 1))) & (SLOTS - 1), new WeakReference<>(abort));
    }

    /** Whether {@code t} itself (not a cause of it) was recorded. */
    static boolean containsExactly(Throwable t) {
        int home = home(t);
        for (int i = 0; i < PROBES; i++) {
            WeakReference<Throwable> ref = TABLE.get((home + i) & (SLOTS - 1));
            if (ref != null && ref.get() == t) {
                return true;
            }
        }
        return false;
    }

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
        return ClientAbortClassifier.standard().carriesOnTo(t, RecordedAborts::containsExactly);
    }

    private static int home(Throwable t) {
        int h = System.identityHashCode(t);
        return (h ^ (h >>> 16)) * 0x9E3779B1;
    }
}
