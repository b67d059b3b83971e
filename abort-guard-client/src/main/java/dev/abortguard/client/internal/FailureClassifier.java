package dev.abortguard.client.internal;

import dev.abortguard.client.FailurePhase;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.RequestNotExecutedException;
import org.apache.hc.core5.util.DeadlineTimeoutException;

/**
 * Decides the {@link FailurePhase} of a failed attempt.
 *
 * <p>Wire evidence first, exception classes last:
 *
 * <ol>
 *   <li>A response head was received: {@link FailurePhase#RESPONSE_BODY_LOST} when it was 2xx and
 *       reading the body failed, otherwise {@link FailurePhase#RESPONSE_RECEIVED}.
 *   <li>The phase-recording request executor observed the exchange: the request head was
 *       submitted → {@link FailurePhase#OUTCOME_UNKNOWN}; it was not → {@link
 *       FailurePhase#NEVER_SENT}, whatever the exception says.
 *   <li>The exchange entered the exec chain of an instrumented client but no connected endpoint
 *       reached the transport: {@link FailurePhase#NEVER_SENT} (nothing of it can have been
 *       written).
 *   <li>No wire evidence (a client built without {@link TimeoutRecoveryPolicy#instrument}, one
 *       whose request executor was replaced after it, the async client, or a failure before the
 *       exec chain ran): only failures that can occur
 *       solely before anything is written count as {@link FailurePhase#NEVER_SENT} — pool lease
 *       timeout, connect timeout (checked before its superclass {@code SocketTimeoutException}),
 *       connection refused, no route, unknown host, request-not-executed. Everything else,
 *       including the policy's own deadline, is {@link FailurePhase#OUTCOME_UNKNOWN}: when in
 *       doubt, assume the server may have acted.
 * </ol>
 *
 * <p>Only the top-level exception is matched, on purpose: a connect failure somewhere down a
 * cause chain does not prove that this request was not written.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class FailureClassifier {

    private FailureClassifier() {}

    public static FailurePhase classify(Throwable failure, ExchangeProgress progress) {
        return classify(failure, progress.evidence());
    }

    /** The phase of {@code failure} given what the wire says. */
    public static FailurePhase classify(Throwable failure, WireEvidence progress) {
        int status = progress.responseStatus();
        if (status > 0) {
            boolean success = status >= 200 && status < 300;
            return success && progress.bodyFailed()
                    ? FailurePhase.RESPONSE_BODY_LOST
                    : FailurePhase.RESPONSE_RECEIVED;
        }
        if (progress.observed()) {
            return progress.requestHeadSubmitted()
                    ? FailurePhase.OUTCOME_UNKNOWN
                    : FailurePhase.NEVER_SENT;
        }
        if (progress.chainEntered() && !progress.connectionReady()) {
            // Failed in the exec chain before a connected endpoint reached the transport: lease, connect,
            // TLS handshake, a request interceptor, or the deadline during any of them.
            return FailurePhase.NEVER_SENT;
        }
        if (progress.deadlineFired()) {
            return FailurePhase.OUTCOME_UNKNOWN;
        }
        return provablyNeverSent(failure) ? FailurePhase.NEVER_SENT : FailurePhase.OUTCOME_UNKNOWN;
    }

    /** Failures that, by where HttpClient raises them, happen before a request byte is written. */
    public static boolean provablyNeverSent(Throwable failure) {
        return failure instanceof ConnectionRequestTimeoutException
                || failure instanceof DeadlineTimeoutException
                || failure instanceof ConnectTimeoutException
                || failure instanceof ConnectException
                || failure instanceof NoRouteToHostException
                || failure instanceof UnknownHostException
                || failure instanceof RequestNotExecutedException;
    }

    /**
     * Whether a {@link FailurePhase#NEVER_SENT} failure is worth retrying: transport failures are,
     * protocol errors and programming errors (a malformed URI, a throwing interceptor) are not, and
     * a fired deadline has used up the time the caller allowed.
     */
    public static boolean retryable(Throwable failure, ExchangeProgress progress) {
        return retryable(failure, progress.evidence());
    }

    /** Whether a never-sent {@code failure} is worth retrying given what the wire says. */
    public static boolean retryable(Throwable failure, WireEvidence progress) {
        if (progress.deadlineFired()) {
            return false;
        }
        return provablyNeverSent(failure)
                || (failure instanceof java.io.IOException
                        && !(failure instanceof org.apache.hc.client5.http.ClientProtocolException));
    }
}
