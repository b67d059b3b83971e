package dev.abortguard.client.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Daemon threads with readable names, so that the policy's threads never keep a JVM alive and
 * are recognisable in a thread dump. An exception escaping a task is logged, never lost.
 *
 * <p>A new thread gets this library's class loader as its context class loader instead of
 * inheriting the creating thread's: pool threads are created lazily by whichever request thread
 * needs one first, and in a servlet container that thread's loader is a webapp's, which a
 * long-lived pool thread would otherwise pin after the webapp is undeployed. User callbacks (status
 * checks, cancel actions) therefore run with the library's loader as context loader.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class DaemonThreads {

    // The logger name users configured before the class moved to the internal package.
    private static final Logger LOG = LoggerFactory.getLogger("dev.abortguard.client.DaemonThreads");

    private DaemonThreads() {}

    public static ThreadFactory named(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            thread.setContextClassLoader(DaemonThreads.class.getClassLoader());
            thread.setUncaughtExceptionHandler(
                    (t, e) -> LOG.error("Uncaught exception on {}", t.getName(), e));
            return thread;
        };
    }
}
