package dev.abortguard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;

import dev.abortguard.client.CancelResult;
import dev.abortguard.client.StatusDecision;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bounded callbacks, and what happens to an answer that arrives after the bound. */
public class CallbackRunnerTest {

    final CallbackRunner runner = new CallbackRunner();

    @AfterEach
    void stop() {
        runner.close();
    }

    /** Blocks like socket I/O does: an interrupt does not end the wait. */
    public static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aCompletedResponseThatArrivesAfterTheTimeoutIsClosed() throws Exception {
        ClassicHttpResponse late = mock(ClassicHttpResponse.class);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch returned = new CountDownLatch(1);

        CallbackRunner.Result<StatusDecision> result = runner.run(() -> {
            try {
                awaitUninterruptibly(release);
                return StatusDecision.completed(late);
            } finally {
                returned.countDown();
            }
        }, TimeUnit.MILLISECONDS.toNanos(50), "late-key");

        assertThat(result.ok()).isFalse();
        assertThat(result.failure()).startsWith("timed out");
        release.countDown();
        assertThat(returned.await(5, TimeUnit.SECONDS)).isTrue();
        // the status client's pooled connection goes back only when the response is closed
        verify(late, timeout(5_000)).close();
    }

    @Test
    void aCompletedResponseInTimeIsHandedOverOpen() throws Exception {
        ClassicHttpResponse response = mock(ClassicHttpResponse.class);

        CallbackRunner.Result<StatusDecision> result =
                runner.run(() -> StatusDecision.completed(response), TimeUnit.SECONDS.toNanos(5), "key");

        assertThat(result.ok()).isTrue();
        assertThat(result.value().response()).containsSame(response);
        verify(response, never()).close();
    }

    @Test
    void aCallbackThatHangsIsReportedAsTimedOut() {
        CountDownLatch never = new CountDownLatch(1);

        CallbackRunner.Result<CancelResult> result = runner.run(() -> {
            never.await();
            return CancelResult.CANCELED;
        }, TimeUnit.MILLISECONDS.toNanos(50), "key");

        assertThat(result.ok()).isFalse();
        assertThat(result.value()).isNull();
        assertThat(result.failure()).startsWith("timed out");
    }
}
