package dev.abortguard.server;

/** Bounded, cycle-safe questions about a cause chain. */
final class Causes {

    private static final int MAX_DEPTH = 64;

    private Causes() {}

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
            Throwable cause = current.getCause();
            current = cause == current ? null : cause;
        }
        return false;
    }
}
