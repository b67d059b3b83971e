package dev.abortguard.server.internal;

/**
 * The JVM-wide memory behind {@link dev.abortguard.server.RecordedAborts}: every throwable a
 * filter recorded as a client abort, by identity. One table for all filters of the JVM, because
 * the logging guards that query it are JVM-wide too (a logging configuration does not know which
 * filter served a request).
 *
 * <p>Internal, not API: may change without notice.
 */
public final class RecordedAbortTable {

    /** 4,096 weak references, 8 probes per throwable: a storm of aborts evicts, never grows. */
    public static final IdentityMemory ABORTS = new IdentityMemory(4096, 8);

    private RecordedAbortTable() {}
}
