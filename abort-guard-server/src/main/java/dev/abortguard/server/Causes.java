package dev.abortguard.server;

/**
 * Bounded, cycle-safe and fault-safe questions about a throwable and its cause chain.
 *
 * <p>A throwable is application code: its {@code getCause()}, {@code getMessage()} and {@code
 * getStackTrace()} may be overridden, throw, return {@code null} elements or recurse forever. The
 * library only ever reads a foreign throwable through these methods, so that classifying or
 * logging it can never replace the application's exception with one of its own. A throwable whose
 * methods fail is simply "not an abort".
 */
final class Causes {

    /** How deep the library's own identity walks go (the classifier's depth is configurable). */
    static final int MAX_DEPTH = 64;

    private static final StackTraceElement[] NO_FRAMES = new StackTraceElement[0];

    private Causes() {}

    /**
     * The cause of {@code t}, or {@code null} at the end of the chain, on a self-cause, and when
     * {@code getCause()} fails.
     */
    static Throwable cause(Throwable t) {
        try {
            Throwable cause = t.getCause();
            return cause == t ? null : cause;
        } catch (Throwable hostile) {
            rethrowIfFatal(hostile);
            return null;
        }
    }

    /** The message of {@code t}, or {@code null} when it has none or {@code getMessage()} fails. */
    static String message(Throwable t) {
        try {
            return t.getMessage();
        } catch (Throwable hostile) {
            rethrowIfFatal(hostile);
            return null;
        }
    }

    /** The stack of {@code t}; empty when {@code getStackTrace()} fails or returns {@code null}. */
    static StackTraceElement[] stackTrace(Throwable t) {
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
     */
    static void rethrowIfFatal(Throwable t) {
        if (t instanceof OutOfMemoryError) {
            throw (OutOfMemoryError) t;
        }
    }

    /** Whether {@code known} is {@code t} or one of its first {@value #MAX_DEPTH} causes. */
    static boolean contains(Throwable t, Throwable known) {
        if (known == null) {
            return false;
        }
        Throwable current = t;
        for (int depth = 0; current != null && depth < MAX_DEPTH; depth++) {
            if (current == known) {
                return true;
            }
            current = cause(current);
        }
        return false;
    }
}
