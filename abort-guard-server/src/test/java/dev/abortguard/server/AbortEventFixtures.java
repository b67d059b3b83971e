package dev.abortguard.server;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Abort events for tests of {@link AbortMetrics} implementations, here and in
 * abort-guard-micrometer (through this module's test jar): the event's constructor is not API.
 */
public final class AbortEventFixtures {

    private AbortEventFixtures() {}

    /** An event with every field given. */
    public static ClientAbortEvent event(AbortKind kind, String method, String path, String route, int status,
                                         long bytesWritten, long elapsedNanos, long silenceNanos, Throwable cause) {
        return new ClientAbortEvent(kind, method, path, route, status, bytesWritten, elapsedNanos, silenceNanos,
                null, null, cause);
    }

    /** A GET response-write abort on {@code route}. */
    public static ClientAbortEvent event(String route) {
        return new ClientAbortEvent(AbortKind.RESPONSE_WRITE, "GET", "/x", route, 200, 1, 1, 1, null, null, null);
    }

    /** 8 threads, each recording its own route ({@code /r<round>-<thread>}) at the same moment. */
    public static void recordConcurrently(AbortMetrics metrics, int round) throws Exception {
        int threads = 8;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            Future<?>[] futures = new Future<?>[threads];
            for (int t = 0; t < threads; t++) {
                String route = "/r" + round + "-" + t;
                futures[t] = pool.submit(() -> {
                    start.await();
                    metrics.record(event(route));
                    return null;
                });
            }
            for (Future<?> f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
