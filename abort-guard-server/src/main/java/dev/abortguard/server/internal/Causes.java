package dev.abortguard.server.internal;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Bounded, cycle-safe and fault-safe questions about a throwable and its cause chain; the one
 * place that walks a cause chain ({@link #chain(Throwable, int)}).
 *
 * <p>A throwable is application code: its {@code getCause()}, {@code getMessage()} and {@code
 * getStackTrace()} may be overridden, throw, return {@code null} elements or recurse forever. The
 * library only ever reads a foreign throwable through these methods, so that classifying or
 * logging it can never replace the application's exception with one of its own. A throwable whose
 * methods fail is simply "not an abort".
 *
 * <p>Internal, not API: may change without notice.
 */
public final class Causes {

    /** How deep the library's own walks go (the classifier's depth is configurable). */
    public static final int MAX_DEPTH = 64;

    private static final StackTraceElement[] NO_FRAMES = new StackTraceElement[0];

    private Causes() {}

    /**
     * {@code t} and its causes, first to last: at most {@value #MAX_DEPTH} throwables, a cycle
     * cut where it repeats.
     *
     * @param t the first throwable, or {@code null} for an empty chain
     * @return a chain that can be iterated more than once
     */
    public static Iterable<Throwable> chain(Throwable t) {
        return chain(t, MAX_DEPTH);
    }

    /**
     * {@code t} and its causes, first to last: at most {@code maxDepth} throwables. A cyclic chain
     * ({@code a -> b -> a}) ends where it would repeat itself (a cycle longer than a few throwables
     * within about two laps, see {@link Chain}); a cause that cannot be read ({@code getCause()}
     * throws) ends the chain.
     *
     * @param t the first throwable, or {@code null} for an empty chain
     * @param maxDepth how many throwables are visited at most
     * @return a chain that can be iterated more than once
     */
    public static Iterable<Throwable> chain(Throwable t, int maxDepth) {
        return new Chain(t, maxDepth);
    }

    /**
     * The last throwable of {@code t}'s chain (within {@value #MAX_DEPTH}).
     *
     * @param t a throwable, not {@code null}
     * @return the root cause, or {@code t} itself when it has none
     */
    public static Throwable root(Throwable t) {
        Throwable root = t;
        for (Throwable current : chain(t)) {
            root = current;
        }
        return root;
    }

    /**
     * The cause of {@code t}, or {@code null} at the end of the chain, on a self-cause, and when
     * {@code getCause()} fails.
     *
     * @param t a throwable, not {@code null}
     * @return its cause, or {@code null}
     */
    public static Throwable cause(Throwable t) {
        try {
            Throwable cause = t.getCause();
            return cause == t ? null : cause;
        } catch (Throwable hostile) {
            rethrowIfFatal(hostile);
            return null;
        }
    }

    /**
     * The message of {@code t}, or {@code null} when it has none or {@code getMessage()} fails.
     *
     * @param t a throwable, not {@code null}
     * @return its message, or {@code null}
     */
    public static String message(Throwable t) {
        try {
            return t.getMessage();
        } catch (Throwable hostile) {
            rethrowIfFatal(hostile);
            return null;
        }
    }

    /**
     * The stack of {@code t}; empty when {@code getStackTrace()} fails or returns {@code null}.
     *
     * @param t a throwable, not {@code null}
     * @return its frames (elements may be {@code null})
     */
    public static StackTraceElement[] stackTrace(Throwable t) {
        try {
            StackTraceElement[] frames = t.getStackTrace();
            return frames == null ? NO_FRAMES : frames;
        } catch (Throwable hostile) {
            rethrowIfFatal(hostile);
            return NO_FRAMES;
        }
    }

    /**
     * An {@link OutOfMemoryError} is the JVM's, not the throwable's: it is never swallowed. Anything
     * else a throwable's own method throws (a {@code StackOverflowError} of a recursive {@code
     * getMessage()} included) only means that throwable cannot be read.
     *
     * @param t what a throwable's method, or deciding about it, threw
     */
    public static void rethrowIfFatal(Throwable t) {
        if (t instanceof OutOfMemoryError) {
            throw (OutOfMemoryError) t;
        }
    }

    /**
     * The walk itself (the chain and its first iteration are one object), because the classifier walks every
     * chain it judges: Brent's cycle detection keeps one saved throwable and compares each next
     * cause with it by identity, which ends {@code a -> b -> a} before it repeats and a longer
     * cycle within about two laps of it, never past the depth bound.
     */
    private static final class Chain implements Iterable<Throwable>, Iterator<Throwable> {
        private final Throwable first;
        private final int maxDepth;
        private boolean started;
        private Throwable next;
        private int depth;
        private Throwable saved;
        private int power = 1;
        private int steps;

        Chain(Throwable first, int maxDepth) {
            this.first = first;
            this.next = first;
            this.maxDepth = maxDepth;
            this.saved = first;
        }

        /** The walk itself the first time (one object per walk), a fresh one after that. */
        @Override
        public Iterator<Throwable> iterator() {
            if (started) {
                return new Chain(first, maxDepth);
            }
            started = true;
            return this;
        }

        @Override
        public boolean hasNext() {
            return next != null && depth < maxDepth;
        }

        @Override
        public Throwable next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Throwable current = next;
            depth++;
            Throwable cause = depth < maxDepth ? cause(current) : null;
            if (cause != null && cause == saved) {
                cause = null; // a cycle: what follows was visited already
            } else if (++steps == power) {
                saved = current;
                power <<= 1;
                steps = 0;
            }
            next = cause;
            return current;
        }
    }
}
