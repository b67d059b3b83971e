package dev.abortguard.server.logging;

/** What both guards need, apart from either logging backend (each may be absent). */
final class Throwables {

    private Throwables() {}

    /** SLF4J and Log4j take a trailing {@code Throwable} argument of a parameterised call as the event's throwable. */
    static Throwable lastThrowable(Object[] params) {
        if (params == null || params.length == 0) {
            return null;
        }
        Object last = params[params.length - 1];
        return last instanceof Throwable ? (Throwable) last : null;
    }
}
