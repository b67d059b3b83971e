package dev.abortguard.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abortguard.client.internal.LogSafe;
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
                new SocketTimeoutException("Read timed out with detail"),
                "http://localhost:8080");

        String printed = context.toString();

        assertThat(printed)
                .contains("POST http://localhost:8080/payments", "key-1", "attempt=2", "1234",
                        "OUTCOME_UNKNOWN", "java.net.SocketTimeoutException")
                .doesNotContain("s3cr3t-token", "c00kie-value", "Authorization", "Cookie", "headers");
        assertThat(context.header("Authorization")).as("the headers stay available to callbacks")
                .contains("Bearer s3cr3t-token");
    }

    @Test
    void toStringCleansAndBoundsTheMethodThePathAndTheKey() {
        RecoveryContext context = new RecoveryContext(
                "PO\r\nST",
                URI.create("http://localhost/pay\u202Ements/" + "p".repeat(1000)),
                List.of(),
                "key\u001b[2J\u2028" + "k".repeat(100_000),
                1,
                Duration.ZERO,
                FailurePhase.OUTCOME_UNKNOWN,
                null,
                "http://localhost:80");

        String printed = context.toString();

        assertThat(printed).doesNotContain("\r", "\n", "\u001b", "\u2028", "\u202E")
                .contains("PO__ST http://localhost/pay_ments/ppp", "key=key_[2J_kkk");
        assertThat(printed.length()).as("bounded").isLessThan(3 * LogSafe.MAX_LENGTH);
        assertThat(context.idempotencyKey()).as("the accessors stay exact").startsWith("key\u001b");
    }

    @Test
    void toStringOfASuccessfulAttemptHasNoPhaseOrCause() {
        RecoveryContext context = new RecoveryContext(
                "POST", URI.create("http://localhost/p"), List.of(), "k", 1, Duration.ZERO, null, null, "http://localhost:80");

        assertThat(context.toString()).contains("phase=null", "cause=null");
    }
}
