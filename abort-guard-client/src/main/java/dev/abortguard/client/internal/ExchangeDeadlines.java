package dev.abortguard.client.internal;

import java.time.Duration;

/**
 * The exchange deadline of one wrapped client: a {@link DeadlineTimer} when the policy has an
 * exchange deadline, nothing (and no thread, ever) when it has none.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class ExchangeDeadlines implements AutoCloseable {

    /** How long the idle deadline thread lives; it is recreated on the next armed deadline. */
    public static final Duration TIMER_KEEP_ALIVE = Duration.ofSeconds(1);

    /** {@code null} without an exchange deadline. */
    private final DeadlineTimer timer;

    public ExchangeDeadlines(Duration exchangeDeadline) {
        this.timer = exchangeDeadline == null
                ? null
                : new DeadlineTimer(exchangeDeadline, TIMER_KEEP_ALIVE, DaemonThreads.named("abort-guard-deadline"));
    }

    /**
     * Arms the deadline for one attempt. {@code onDeadline} runs at most once, after the attempt's
     * progress records that the deadline fired, and never if {@link DeadlineTimer.Deadline#disarm()}
     * comes first.
     */
    public DeadlineTimer.Deadline arm(ExchangeProgress progress, Runnable onDeadline) {
        if (timer == null) {
            return DeadlineTimer.Deadline.NONE;
        }
        return timer.arm(() -> {
            progress.markDeadlineFired();
            onDeadline.run();
        });
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.close();
        }
    }
}
