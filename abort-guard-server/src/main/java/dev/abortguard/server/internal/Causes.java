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
        return () -> new Chain(t, maxDepth);
    }

    /**
     * Whether {@code known} is {@code t} or one of its causes (within {@value #MAX_DEPTH}).
     *
     * @param t the throwable whose chain is searched, or {@code null}
     * @param known the instance looked for, or {@code null} (never found)
     * @return {@code true} if {@code known} is in the chain, by identity
     */
    public static boolean contains(Throwable t, Throwable known) {
        if (known == null) {
            return false;
        }
        for (Throwable current : chain(t)) {
            if (current == known) {
                return true;
            }
        }
        return false;
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
     * The walk itself, allocation-light because the classifier walks every chain it judges: the
     * first {@value #EXACT} throwables are compared by identity against each other (a chain is
     * usually that short, and a hostile cycle is usually {@code a -> b -> a}); beyond them, Brent's
     * cycle detection (one saved throwable, compared by identity) ends a longer cycle within about
     * two laps of it, never past the depth bound.
     */
    private static final class Chain implements Iterator<Throwable> {
        private static final int EXACT = 8;

        private final int maxDepth;
        private Throwable next;
        private int depth;
        private Throwable[] seen;
        private Throwable saved;
        private int power = 1;
        private int steps;

        Chain(Throwable first, int maxDepth) {
            this.next = first;
            this.maxDepth = maxDepth;
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
            if (cause != null && repeats(current, cause)) {
                cause = null; // a cycle: what follows was visited already
            }
            next = cause;
            return current;
        }

        /** Whether {@code cause}, the next throwable after {@code current}, closes a cycle. */
        private boolean repeats(Throwable current, Throwable cause) {
            if (depth <= EXACT) {
                if (seen == null) {
                    seen = new Throwable[EXACT];
                }
                seen[depth - 1] = current;
                for (int i = 0; i < depth; i++) {
                    if (seen[i] == cause) {
                        return true;
                    }
                }
                saved = current;
                return false;
            }
            if (cause == saved) {
                return true;
            }
            if (++steps == power) {
                saved = current;
                power <<= 1;
                steps = 0;
            }
            return false;
        }
    }
}
