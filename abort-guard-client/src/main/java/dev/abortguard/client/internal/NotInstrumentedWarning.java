package dev.abortguard.client.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says once per wrapped client, at its first covered exchange, that the client was not built from
 * {@code policy.instrument(builder)}. Without it nothing fails — which is the trouble: failures are
 * then classified by exception class only (a read timeout after the request was written cannot be
 * told from one before it), and HttpClient's own retry strategy may resend a covered POST behind the
 * policy's back. A wrapped client cannot be inspected for its exec chain, so the first exchange is
 * where the absence shows: the instrumented chain's first interceptor never ran.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class NotInstrumentedWarning {

    private static final Logger log = LoggerFactory.getLogger("dev.abortguard.client.TimeoutRecoveryPolicy");

    private final String policy;
    private final AtomicBoolean checked = new AtomicBoolean();

    public NotInstrumentedWarning(String policy) {
        this.policy = policy;
    }

    /** Looks at one finished attempt; logs at most once, for the first attempt that reached the client. */
    public void check(ExchangeProgress progress) {
        WireEvidence evidence = progress.evidence();
        // an attempt the caller canceled before sending is marked observed and never entered the chain
        if (checked.get() || (evidence.observed() && !evidence.chainEntered())) {
            return;
        }
        if (checked.compareAndSet(false, true) && !evidence.chainEntered()) {
            log.warn("The client wrapped by {} was not built from policy.instrument(builder): failures are classified "
                    + "by exception class only, and HttpClient's own retry may resend covered requests. Build it as "
                    + "policy.wrap(policy.instrument(HttpClients.custom()).build()), or policy.wrap(HttpClients.custom())",
                    policy);
        }
    }
}
