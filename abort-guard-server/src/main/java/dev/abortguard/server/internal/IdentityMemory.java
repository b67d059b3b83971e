package dev.abortguard.server.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;

/**
 * The one way the library remembers throwables: by identity, bounded, without locks and without
 * keeping anything alive. The JVM-wide table of recorded aborts ({@link
 * dev.abortguard.server.RecordedAborts}), a request's failures that the stream wrappers saw, the
 * real error that escaped a request's chain, and what an application's own non-blocking listener
 * threw are all instances of it.
 *
 * <p>A fixed table of weak references, written with compare-and-set. A remembered throwable is
 * forgotten when it is garbage collected (whoever asks about it holds it, so it cannot be
 * forgotten while it matters) or when its slot is taken over by a newer one once every probe of its
 * home holds a live throwable; forgetting one only means a failure is treated as not seen, as
 * without the library. The table is allocated on the first {@link #remember}: a request that never
 * fails costs one small object.
 *
 * <p>Internal, not API: may change without notice.
 */
public final class IdentityMemory {

    private static final VarHandle TABLE;
    private static final VarHandle EVICTIONS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TABLE = lookup.findVarHandle(IdentityMemory.class, "table", AtomicReferenceArray.class);
            EVICTIONS = lookup.findVarHandle(IdentityMemory.class, "evictions", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int slots;
    private final int probes;
    @SuppressWarnings("unused") // written through TABLE
    private volatile AtomicReferenceArray<WeakReference<Throwable>> table;
    @SuppressWarnings("unused") // written through EVICTIONS
    private volatile int evictions;

    /**
     * A memory of {@code slots} throwables, each looked for in {@code probes} slots from its home.
     *
     * @param slots the table size, a power of two
     * @param probes how many slots a throwable may occupy from its home, a power of two, at most {@code slots}
     */
    public IdentityMemory(int slots, int probes) {
        if (Integer.bitCount(slots) != 1 || Integer.bitCount(probes) != 1 || probes > slots) {
            throw new IllegalArgumentException("slots and probes must be powers of two, probes <= slots");
        }
        this.slots = slots;
        this.probes = probes;
    }

    /**
     * Remembers {@code t} itself (not its causes); {@code null} is ignored.
     *
     * @param t the throwable to remember
     */
    public void remember(Throwable t) {
        if (t == null) {
            return;
        }
        AtomicReferenceArray<WeakReference<Throwable>> slotsNow = tableForWriting();
        int home = home(t);
        for (int i = 0; i < probes; i++) {
            int slot = (home + i) & (slots - 1);
            WeakReference<Throwable> ref = slotsNow.get(slot);
            Throwable held = ref == null ? null : ref.get();
            if (held == t) {
                return;
            }
            if (held == null && slotsNow.compareAndSet(slot, ref, new WeakReference<>(t))) {
                return;
            }
        }
        // every probe holds a live throwable: take one over, round robin, so that no slot starves
        int victim = (int) EVICTIONS.getAndAdd(this, 1) & (probes - 1);
        slotsNow.set((home + victim) & (slots - 1), new WeakReference<>(t));
    }

    /**
     * Whether {@code t} itself (not a cause of it) is remembered.
     *
     * @param t the throwable asked about, or {@code null} (never remembered)
     * @return {@code true} if this very instance is remembered
     */
    public boolean holds(Throwable t) {
        AtomicReferenceArray<WeakReference<Throwable>> slotsNow = table;
        if (slotsNow == null || t == null) {
            return false;
        }
        int home = home(t);
        for (int i = 0; i < probes; i++) {
            WeakReference<Throwable> ref = slotsNow.get((home + i) & (slots - 1));
            if (ref != null && ref.get() == t) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code t} or one of its causes is remembered.
     *
     * @param t the throwable asked about, or {@code null}
     * @return {@code true} if any instance of {@code t}'s chain is remembered
     */
    public boolean holdsAnyOf(Throwable t) {
        if (table == null) {
            return false;
        }
        for (Throwable current : Causes.chain(t)) {
            if (holds(current)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code t} is remembered or reaches a remembered throwable through carriers only:
     * every throwable above it in the chain passes {@code carrier} (a framework's wrapper, a
     * container's abort type around the failed write). Never throws (but an {@code OutOfMemoryError}).
     *
     * @param t the throwable asked about, or {@code null}
     * @param carrier which throwables only carry a failure on without making it a new one
     * @return {@code true} if {@code t} is a remembered throwable, carried on unchanged in meaning
     */
    public boolean reachedThrough(Throwable t, Predicate<Throwable> carrier) {
        if (table == null) {
            return false;
        }
        try {
            for (Throwable current : Causes.chain(t)) {
                if (holds(current)) {
                    return true;
                }
                if (!carrier.test(current)) {
                    return false;
                }
            }
            return false;
        } catch (Throwable hostile) {
            Causes.rethrowIfFatal(hostile);
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    private AtomicReferenceArray<WeakReference<Throwable>> tableForWriting() {
        AtomicReferenceArray<WeakReference<Throwable>> slotsNow = table;
        if (slotsNow == null) {
            AtomicReferenceArray<WeakReference<Throwable>> fresh = new AtomicReferenceArray<>(slots);
            Object witness = TABLE.compareAndExchange(this, null, fresh);
            slotsNow = witness == null ? fresh : (AtomicReferenceArray<WeakReference<Throwable>>) witness;
        }
        return slotsNow;
    }

    private static int home(Throwable t) {
        int h = System.identityHashCode(t);
        return (h ^ (h >>> 16)) * 0x9E3779B1;
    }
}
