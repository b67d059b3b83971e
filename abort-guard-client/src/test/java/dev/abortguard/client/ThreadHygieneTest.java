package dev.abortguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The policy's threads in a container: none without a need, none kept when idle, and none that
 * pins the class loader of whichever (webapp) thread happened to start it.
 */
class ThreadHygieneTest {

    @Test
    void withoutAnExchangeDeadlineNoTimerIsCreated() {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder().build();
        try (RecoveryEngine engine = new RecoveryEngine(policy)) {
            assertThat(engine.arm(new ExchangeProgress(), () -> { })).isSameAs(RecoveryEngine.Deadline.NONE);

            assertThat(engine.timer()).isNull();
        }
    }

    @Test
    void theDeadlineTimerThreadEndsWhenIdle() throws Exception {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder().exchangeDeadline(Duration.ofSeconds(30)).build();
        try (RecoveryEngine engine = new RecoveryEngine(policy)) {
            engine.arm(new ExchangeProgress(), () -> { }).disarm();
            assertThat(engine.timer()).isNotNull();

            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(((ThreadPoolExecutor) engine.timer()).getPoolSize()).as("timer threads").isZero());

            // and comes back on demand
            CountDownLatch fired = new CountDownLatch(1);
            TimeoutRecoveryPolicy quick = TimeoutRecoveryPolicy.builder().exchangeDeadline(Duration.ofMillis(1)).build();
            try (RecoveryEngine again = new RecoveryEngine(quick)) {
                again.arm(new ExchangeProgress(), fired::countDown);
                assertThat(fires(fired)).isTrue();
            }
        }
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
        try (RecoveryEngine engine = new RecoveryEngine(policy)) {
            engine.arm(new ExchangeProgress(), () -> {
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
