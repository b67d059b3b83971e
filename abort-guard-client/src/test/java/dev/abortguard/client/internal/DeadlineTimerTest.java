package dev.abortguard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The FIFO deadline timer: fires what is due, never what was disarmed, and keeps working. */
class DeadlineTimerTest {

    private static DeadlineTimer timer(Duration delay, Duration keepAlive) {
        return new DeadlineTimer(delay, keepAlive, DaemonThreads.named("test-deadline"));
    }

    /**
     * A timer whose worker thread starts its work only once {@code gate} opens. Deadlines fire only
     * on that thread, so until then nothing can fire however long the test thread is descheduled
     * between arm() and disarm() or close(): the test waits on the gate, not on a short delay.
     */
    private static DeadlineTimer gated(Duration delay, Duration keepAlive, CountDownLatch gate,
                                       java.util.concurrent.atomic.AtomicReference<Thread> worker) {
        java.util.concurrent.ThreadFactory named = DaemonThreads.named("test-deadline");
        return new DeadlineTimer(delay, keepAlive, runnable -> {
            Thread thread = named.newThread(() -> {
                CallbackRunnerTest.awaitUninterruptibly(gate);
                runnable.run();
            });
            worker.set(thread);
            return thread;
        });
    }

    @Test
    void anArmedDeadlineFiresOnceAfterItsDelay() throws Exception {
        try (DeadlineTimer timer = timer(Duration.ofMillis(50), Duration.ofSeconds(1))) {
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch fired = new CountDownLatch(1);
            long start = System.nanoTime();
            timer.arm(() -> {
                runs.incrementAndGet();
                fired.countDown();
            });

            assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> runs.get() == 1);
        }
    }

    @Test
    void aDisarmedDeadlineNeverFires() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (DeadlineTimer timer = gated(Duration.ofMillis(20), Duration.ofSeconds(1), gate, new java.util.concurrent.atomic.AtomicReference<>())) {
            AtomicInteger disarmedRuns = new AtomicInteger();
            timer.arm(disarmedRuns::incrementAndGet).disarm();
            CountDownLatch later = new CountDownLatch(1);
            timer.arm(later::countDown); // armed after it, due after it
            gate.countDown(); // both are due by the time the worker looks: only the armed one fires

            assertThat(later.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(disarmedRuns).hasValue(0);
        }
    }

    @Test
    void aDeadlineArmedWhileTheThreadIdlesOnAnEmptyQueueIsNotHeldBackByTheKeepAlive() throws Exception {
        CountDownLatch open = new CountDownLatch(0);
        java.util.concurrent.atomic.AtomicReference<Thread> worker = new java.util.concurrent.atomic.AtomicReference<>();
        try (DeadlineTimer timer = gated(Duration.ofMillis(20), Duration.ofSeconds(60), open, worker)) {
            CountDownLatch first = new CountDownLatch(1);
            timer.arm(first::countDown);
            assertThat(first.await(5, TimeUnit.SECONDS)).isTrue();
            // The queue is empty now: wait until the worker is parked on it, then arm again.
            awaitParkedOnAnEmptyQueue(worker.get());

            CountDownLatch second = new CountDownLatch(1);
            timer.arm(second::countDown);
            assertThat(second.await(5, TimeUnit.SECONDS)).as("fired long before the keep-alive ends").isTrue();
        }
    }

    @Test
    void armingWhileTheQueueIsEmptyDoesNotWakeTheThread() throws Exception {
        // A closed-loop client empties the queue between requests; waking the timer thread for
        // each new deadline was a context switch per request (docs/BENCHMARKS.md, section 3).
        java.util.concurrent.atomic.AtomicReference<Thread> worker = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.ThreadFactory named = DaemonThreads.named("test-deadline");
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        try (DeadlineTimer timer = new DeadlineTimer(Duration.ofSeconds(30), Duration.ofSeconds(60), runnable -> {
            Thread thread = named.newThread(runnable);
            worker.set(thread);
            return thread;
        })) {
            timer.arm(() -> { }).disarm();
            awaitParkedOnAnEmptyQueue(worker.get());
            long parksBefore = threads.getThreadInfo(worker.get().getId()).getWaitedCount();

            for (int i = 0; i < 50; i++) {
                timer.arm(() -> { }).disarm();
            }

            // The worker may wake once to drop the disarmed entries when a sweep falls due, never 50 times.
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
                    .until(() -> worker.get().getState() == Thread.State.TIMED_WAITING);
            long parks = threads.getThreadInfo(worker.get().getId()).getWaitedCount() - parksBefore;
            assertThat(parks).as("times the timer thread was woken by 50 arm/disarm pairs").isLessThanOrEqualTo(2);
        }
    }

    private static void awaitParkedOnAnEmptyQueue(Thread thread) {
        await().atMost(Duration.ofSeconds(5)).until(() -> thread != null && thread.getState() == Thread.State.TIMED_WAITING);
        // the disarmed entry is dropped without parking; give the worker time to reach its long park
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5))
                .until(() -> thread.getState() == Thread.State.TIMED_WAITING);
    }

    @Test
    void anActionThatThrowsDoesNotStopTheTimer() throws Exception {
        try (DeadlineTimer timer = timer(Duration.ofMillis(10), Duration.ofSeconds(1))) {
            timer.arm(() -> {
                throw new IllegalStateException("boom");
            });
            CountDownLatch next = new CountDownLatch(1);
            timer.arm(next::countDown);

            assertThat(next.await(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void closeDropsArmedDeadlinesAndArmsNothingAfterwards() {
        CountDownLatch gate = new CountDownLatch(1);
        DeadlineTimer timer = gated(Duration.ofMillis(100), Duration.ofSeconds(1), gate, new java.util.concurrent.atomic.AtomicReference<>());
        AtomicInteger runs = new AtomicInteger();
        timer.arm(runs::incrementAndGet);
        timer.close();
        gate.countDown(); // the worker runs only now, with the deadline due by the end of the wait below

        assertThat(timer.arm(runs::incrementAndGet)).isSameAs(DeadlineTimer.Deadline.NONE);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> runs.get() == 0);
    }

    @Test
    void underConcurrentArmingExactlyTheDeadlinesLeftArmedFire() throws Exception {
        // Nothing fires before every arming thread is done, however they are scheduled; then every
        // deadline is due at once, and only those left armed may fire.
        CountDownLatch gate = new CountDownLatch(1);
        try (DeadlineTimer timer = gated(Duration.ofMillis(10), Duration.ofMillis(50), gate, new java.util.concurrent.atomic.AtomicReference<>())) {
            AtomicInteger disarmedRuns = new AtomicInteger();
            AtomicInteger keptRuns = new AtomicInteger();
            int perThread = 50_000;
            int keptEvery = 1_000;
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                Thread thread = new Thread(() -> {
                    for (int i = 1; i <= perThread; i++) {
                        if (i % keptEvery == 0) {
                            timer.arm(keptRuns::incrementAndGet);
                        } else {
                            timer.arm(disarmedRuns::incrementAndGet).disarm();
                        }
                    }
                });
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            gate.countDown();

            int kept = 2 * perThread / keptEvery;
            await().atMost(Duration.ofSeconds(10)).until(() -> keptRuns.get() == kept);
            await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(2)).until(() -> keptRuns.get() == kept);
            assertThat(disarmedRuns).hasValue(0);
        }
    }
}
