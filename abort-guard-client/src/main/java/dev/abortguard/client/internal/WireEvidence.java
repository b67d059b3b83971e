package dev.abortguard.client.internal;

/**
 * What one attempt did on the wire, as a value taken from its {@link ExchangeProgress}.
 *
 * <p>Internal, not API: it may change without notice in any release.
 *
 * @param chainEntered the exchange entered the exec chain of an instrumented client
 * @param connectionReady a connected endpoint was handed to the transport
 * @param observed the phase-recording request executor ran the exchange, so the head flag is reliable
 * @param requestHeadSubmitted the request head was handed to the connection
 * @param responseStatus the status of the received final response head, or 0 when none was received
 * @param bodyFailed reading the response body failed
 * @param deadlineFired the policy's exchange deadline ended the attempt
 */
public record WireEvidence(
        boolean chainEntered,
        boolean connectionReady,
        boolean observed,
        boolean requestHeadSubmitted,
        int responseStatus,
        boolean bodyFailed,
        boolean deadlineFired) {

    /**
     * Whether a failure happened in the middle of the exchange: after the observed head write with
     * no response yet, or while the body of a 2xx response was read.
     *
     * @return whether the wire explains the failure
     */
    public boolean failedOnTheWire() {
        if (responseStatus == 0) {
            return observed && requestHeadSubmitted;
        }
        return responseStatus >= 200 && responseStatus < 300 && bodyFailed;
    }
}
