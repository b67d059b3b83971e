package dev.abortguard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abortguard.client.FailurePhase;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.impl.classic.RequestFailedException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.RequestNotExecutedException;
import org.apache.hc.core5.util.DeadlineTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every exception against every wire phase. */
class FailureClassifierTest {

    /** The exceptions HttpClient 5 raises, and whether their class alone proves "never sent". */
    static Stream<Arguments> exceptions() {
        return Stream.of(
                Arguments.of(new ConnectionRequestTimeoutException("lease"), true),
                Arguments.of(DeadlineTimeoutException.from(org.apache.hc.core5.util.Deadline.MIN_VALUE), true),
                Arguments.of(new ConnectTimeoutException("connect timed out"), true),
                Arguments.of(new HttpHostConnectException("refused"), true),
                Arguments.of(new ConnectException("refused"), true),
                Arguments.of(new NoRouteToHostException("no route"), true),
                Arguments.of(new UnknownHostException("nowhere.invalid"), true),
                Arguments.of(new RequestNotExecutedException(), true),
                Arguments.of(new SocketTimeoutException("Read timed out"), false),
                Arguments.of(new NoHttpResponseException("failed to respond"), false),
                Arguments.of(new SocketException("Connection reset"), false),
                Arguments.of(new ConnectionClosedException("closed"), false),
                Arguments.of(new RequestFailedException("Request aborted"), false),
                Arguments.of(new InterruptedIOException("canceled"), false),
                Arguments.of(new SSLException("handshake"), false),
                Arguments.of(new IOException("something"), false));
    }

    static ExchangeProgress progress(boolean observed, boolean headSubmitted, int status, boolean bodyFailure, boolean deadline) {
        ExchangeProgress progress = new ExchangeProgress();
        if (observed) {
            progress.markObserved();
        }
        if (headSubmitted) {
            progress.markRequestHeadSubmitted();
        }
        if (status > 0) {
            progress.markResponseHead(status);
        }
        if (bodyFailure) {
            progress.markBodyFailure(new SocketTimeoutException("Read timed out"));
        }
        if (deadline) {
            progress.markDeadlineFired();
        }
        return progress;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exceptions")
    void withoutWireEvidenceOnlyConnectPhaseClassesAreNeverSent(Throwable failure, boolean neverSent) {
        assertThat(FailureClassifier.classify(failure, progress(false, false, 0, false, false)))
                .isEqualTo(neverSent ? FailurePhase.NEVER_SENT : FailurePhase.OUTCOME_UNKNOWN);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exceptions")
    void observedBeforeTheHeadWasWrittenIsNeverSentWhateverTheClass(Throwable failure, boolean ignored) {
        assertThat(FailureClassifier.classify(failure, progress(true, false, 0, false, false)))
                .isEqualTo(FailurePhase.NEVER_SENT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exceptions")
    void observedAfterTheHeadWasWrittenIsOutcomeUnknownWhateverTheClass(Throwable failure, boolean ignored) {
        // ConnectTimeoutException extends SocketTimeoutException: the wire, not the class, decides.
        assertThat(FailureClassifier.classify(failure, progress(true, true, 0, false, false)))
                .isEqualTo(FailurePhase.OUTCOME_UNKNOWN);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exceptions")
    void afterA2xxHeadABodyFailureIsBodyLost(Throwable failure, boolean ignored) {
        assertThat(FailureClassifier.classify(failure, progress(true, true, 200, true, false)))
                .isEqualTo(FailurePhase.RESPONSE_BODY_LOST);
        assertThat(FailureClassifier.classify(failure, progress(false, false, 201, true, false)))
                .isEqualTo(FailurePhase.RESPONSE_BODY_LOST);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exceptions")
    void afterANon2xxHeadOrWithoutBodyFailureTheResponseWasReceived(Throwable failure, boolean ignored) {
        assertThat(FailureClassifier.classify(failure, progress(true, true, 500, true, false)))
                .isEqualTo(FailurePhase.RESPONSE_RECEIVED);
        assertThat(FailureClassifier.classify(failure, progress(true, true, 404, false, false)))
                .isEqualTo(FailurePhase.RESPONSE_RECEIVED);
        assertThat(FailureClassifier.classify(failure, progress(true, true, 200, false, false)))
                .as("a 2xx whose handler rejected it without a body failure")
                .isEqualTo(FailurePhase.RESPONSE_RECEIVED);
    }

    @Test
    void deadlineIsOutcomeUnknownOnceTheHeadWasWrittenAndNeverSentBefore() {
        RequestFailedException canceled = new RequestFailedException("Request aborted");
        assertThat(FailureClassifier.classify(canceled, progress(true, true, 0, false, true)))
                .isEqualTo(FailurePhase.OUTCOME_UNKNOWN);
        assertThat(FailureClassifier.classify(canceled, progress(true, false, 0, false, true)))
                .isEqualTo(FailurePhase.NEVER_SENT);
        assertThat(FailureClassifier.classify(new ConnectException("refused"), progress(false, false, 0, false, true)))
                .as("without wire evidence a fired deadline is never taken for unsent")
                .isEqualTo(FailurePhase.OUTCOME_UNKNOWN);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exceptions")
    void aFailureInTheChainBeforeAConnectionWasReadyIsNeverSentWhateverTheClass(Throwable failure, boolean ignored) {
        ExchangeProgress progress = new ExchangeProgress();
        progress.markChainEntered();
        assertThat(FailureClassifier.classify(failure, progress)).isEqualTo(FailurePhase.NEVER_SENT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exceptions")
    void aConnectionReadyWithoutThePolicysExecutorFallsBackToTheClass(Throwable failure, boolean neverSent) {
        // instrument(), then setRequestExecutor(...): the chain ran, the head write went unrecorded
        ExchangeProgress progress = new ExchangeProgress();
        progress.markChainEntered();
        progress.markConnectionReady();
        assertThat(FailureClassifier.classify(failure, progress))
                .isEqualTo(neverSent ? FailurePhase.NEVER_SENT : FailurePhase.OUTCOME_UNKNOWN);
    }

    @Test
    void aNewRequestHeadStartsANewHopAfterARedirectOrAuthChallenge() {
        ExchangeProgress progress = progress(true, true, 302, false, false);
        progress.markRequestHeadSubmitted();
        assertThat(FailureClassifier.classify(new SocketTimeoutException("Read timed out"), progress))
                .isEqualTo(FailurePhase.OUTCOME_UNKNOWN);
    }

    @Test
    void connectTimeoutIsCheckedBeforeItsSuperclassSocketTimeout() {
        assertThat(new ConnectTimeoutException("x")).isInstanceOf(SocketTimeoutException.class);
        assertThat(FailureClassifier.classify(new ConnectTimeoutException("x"), new ExchangeProgress()))
                .isEqualTo(FailurePhase.NEVER_SENT);
        assertThat(FailureClassifier.classify(new SocketTimeoutException("x"), new ExchangeProgress()))
                .isEqualTo(FailurePhase.OUTCOME_UNKNOWN);
    }

    @Test
    void aConnectFailureDeepInACauseChainProvesNothing() {
        IOException wrapped = new IOException("wrapper", new ConnectException("refused"));
        assertThat(FailureClassifier.classify(wrapped, new ExchangeProgress())).isEqualTo(FailurePhase.OUTCOME_UNKNOWN);
    }

    @Test
    void neverSentRetriesAreForTransportFailuresOnlyAndNotAfterTheDeadline() {
        assertThat(FailureClassifier.retryable(new ConnectException("x"), new ExchangeProgress())).isTrue();
        assertThat(FailureClassifier.retryable(new SocketException("x"), progress(true, false, 0, false, false))).isTrue();
        assertThat(FailureClassifier.retryable(new ClientProtocolException("bad uri"), progress(true, false, 0, false, false))).isFalse();
        assertThat(FailureClassifier.retryable(new ConnectException("x"), progress(false, false, 0, false, true))).isFalse();
    }
}
