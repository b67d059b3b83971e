package dev.abortguard.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.apache.hc.core5.http.message.BasicHeader;
import org.junit.jupiter.api.Test;

/** What a listener that logs the context can leak. */
class RecoveryContextTest {

    @Test
    void toStringNamesTheRequestButNeverPrintsHeaders() {
        RecoveryContext context = new RecoveryContext(
                "POST",
                URI.create("http://localhost:8080/payments"),
                List.of(new BasicHeader("Authorization", "Bearer s3cr3t-token"),
                        new BasicHeader("Cookie", "SESSION=c00kie-value"),
                        new BasicHeader("Idempotency-Key", "key-1")),
                "key-1",
                2,
                Duration.ofMillis(1234),
                FailurePhase.OUTCOME_UNKNOWN,
                new SocketTimeoutException("Read timed out with detail"));

        String printed = context.toString();

        assertThat(printed)
                .contains("POST http://localhost:8080/payments", "key-1", "attempt=2", "1234",
                        "OUTCOME_UNKNOWN", "java.net.SocketTimeoutException")
                .doesNotContain("s3cr3t-token", "c00kie-value", "Authorization", "Cookie", "headers");
        assertThat(context.header("Authorization")).as("the headers stay available to callbacks")
                .contains("Bearer s3cr3t-token");
    }

    @Test
    void toStringOfASuccessfulAttemptHasNoPhaseOrCause() {
        RecoveryContext context = new RecoveryContext(
                "POST", URI.create("http://localhost/p"), List.of(), "k", 1, Duration.ZERO, null, null);

        assertThat(context.toString()).contains("phase=null", "cause=null");
    }
}
