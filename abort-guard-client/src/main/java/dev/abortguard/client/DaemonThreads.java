package dev.abortguard.client;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Daemon threads with readable names, so that the policy's threads never keep a JVM alive and
 * are recognisable in a thread dump. An exception escaping a task is logged, never lost.
 */
final class DaemonThreads {

    private static final Logger LOG = LoggerFactory.getLogger(DaemonThreads.class);

    private DaemonThreads() {}

    static ThreadFactory named(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler(
                    (t, e) -> LOG.error("Uncaught exception on {}", t.getName(), e));
            return thread;
        };
    }
}
