package dev.abortguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.abortguard.client.internal.DaemonThreads;
import dev.abortguard.client.internal.DeadlineTimer;
import dev.abortguard.client.internal.ExchangeProgress;
import dev.abortguard.client.internal.RecoveryEngine;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The policy's threads in a container: none without a need, none kept when idle, and none that
 * pins the class loader of whichever (webapp) thread happened to start it.
 */
class ThreadHygieneTest {

    @Test
    void withoutAnExchangeDeadlineNoTimerIsCreated() throws Exception {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder().build();
        try (RecoveryEngine engine = new RecoveryEngine(policy.settings())) {
            ThreadGroup group = new ThreadGroup("caller");
            AtomicReference<DeadlineTimer.Deadline> armed = new AtomicReference<>();
            runIn(group, () -> armed.set(engine.deadlines().arm(new ExchangeProgress(), () -> { })));

            assertThat(armed.get()).isSameAs(DeadlineTimer.Deadline.NONE);
            assertThat(group.activeCount()).as("threads started by arm()").isZero();
        }
    }

    @Test
    void theDeadlineTimerThreadEndsWhenIdleAndComesBackOnDemand() throws Exception {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder().exchangeDeadline(Duration.ofSeconds(30)).build();
        try (RecoveryEngine engine = new RecoveryEngine(policy.settings())) {
            // A thread takes its creator's group: the timer thread started by arm() joins this one.
            ThreadGroup group = new ThreadGroup("caller");
            runIn(group, () -> engine.deadlines().arm(new ExchangeProgress(), () -> { }).disarm());
            assertThat(group.activeCount()).as("timer threads").isEqualTo(1);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(group.activeCount()).as("timer threads").isZero());

            CountDownLatch fired = new CountDownLatch(1);
            TimeoutRecoveryPolicy quick = TimeoutRecoveryPolicy.builder().exchangeDeadline(Duration.ofMillis(1)).build();
            try (RecoveryEngine again = new RecoveryEngine(quick.settings())) {
                again.deadlines().arm(new ExchangeProgress(), fired::countDown);
                assertThat(fires(fired)).isTrue();
            }
        }
    }

    private static void runIn(ThreadGroup group, Runnable task) throws InterruptedException {
        Thread thread = new Thread(group, task, "arming");
        thread.start();
        thread.join();
    }

    @Test
    void policyThreadsAreDaemonsThatDoNotInheritTheCallersContextClassLoader() throws Exception {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder().exchangeDeadline(Duration.ofMillis(1)).build();
        ClassLoader webapp = new URLClassLoader(new URL[0], getClass().getClassLoader());
        Thread caller = Thread.currentThread();
        ClassLoader before = caller.getContextClassLoader();
        AtomicReference<Thread> timerThread = new AtomicReference<>();
        CountDownLatch fired = new CountDownLatch(1);
        caller.setContextClassLoader(webapp);
        try (RecoveryEngine engine = new RecoveryEngine(policy.settings())) {
            engine.deadlines().arm(new ExchangeProgress(), () -> {
                timerThread.set(Thread.currentThread());
                fired.countDown();
            });
            assertThat(fires(fired)).isTrue();
        } finally {
            caller.setContextClassLoader(before);
        }

        assertThat(timerThread.get().isDaemon()).isTrue();
        assertThat(timerThread.get().getContextClassLoader()).isNotSameAs(webapp);
        Thread callbackThread = DaemonThreads.named("probe").newThread(() -> { });
        assertThat(callbackThread.isDaemon()).isTrue();
        assertThat(callbackThread.getContextClassLoader()).isSameAs(DaemonThreads.class.getClassLoader());
    }

    private static boolean fires(CountDownLatch latch) throws InterruptedException {
        return latch.await(5, TimeUnit.SECONDS);
    }
}
