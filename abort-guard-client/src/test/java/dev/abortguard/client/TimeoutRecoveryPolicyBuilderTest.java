package dev.abortguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.hc.client5.http.classic.methods.HttpDelete;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPatch;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpPut;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad settings fail at build() with a message that names the setting. */
class TimeoutRecoveryPolicyBuilderTest {

    static Stream<Arguments> invalidSettings() {
        Duration negative = Duration.ofMillis(-1);
        return Stream.of(
                invalid("maxAttempts", b -> b.maxAttempts(0)),
                invalid("maxAttempts", b -> b.maxAttempts(-3)),
                invalid("recoveryTimeout", b -> b.recoveryTimeout(negative)),
                invalid("recoveryTimeout", b -> b.recoveryTimeout(Duration.ZERO)),
                invalid("recoveryTimeout", b -> b.recoveryTimeout(null)),
                invalid("callbackTimeout", b -> b.callbackTimeout(negative)),
                invalid("callbackTimeout", b -> b.callbackTimeout(Duration.ZERO)),
                invalid("callbackTimeout", b -> b.callbackTimeout(null)),
                invalid("statusCheckBackoff max", b -> b.statusCheckBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1))),
                invalid("addListener", b -> b.addListener(null)),
                invalid("exchangeDeadline", b -> b.exchangeDeadline(negative)),
                invalid("exchangeDeadline", b -> b.exchangeDeadline(Duration.ZERO)),
                invalid("maxRetryAfter", b -> b.maxRetryAfter(negative)),
                invalid("retryBackoff initial", b -> b.retryBackoff(negative, Duration.ofSeconds(1))),
                invalid("retryBackoff max", b -> b.retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1))),
                invalid("statusCheckBackoff initial", b -> b.statusCheckBackoff(Duration.ZERO, Duration.ofSeconds(1))),
                invalid("jitter", b -> b.jitter(1.5)),
                invalid("jitter", b -> b.jitter(-0.1)),
                invalid("idempotencyKeyHeader", b -> b.idempotencyKeyHeader("")),
                invalid("idempotencyKeyHeader", b -> b.idempotencyKeyHeader("Idempotency Key")),
                invalid("idempotencyKeyGenerator", b -> b.idempotencyKeyGenerator(null)),
                invalid("unresolvedOutcomeHandler", b -> b.unresolvedOutcomeHandler(null)),
                invalid("mode", b -> b.mode(null)),
                invalid("statusCheck", b -> b.mode(RecoveryMode.STATUS_CHECK)),
                invalid("statusCheck", b -> b.mode(RecoveryMode.STATUS_CHECK_THEN_CANCEL).cancelAction(c -> CancelResult.CANCELED)),
                invalid("cancelAction", b -> b.mode(RecoveryMode.STATUS_CHECK_THEN_CANCEL).statusCheck(c -> StatusDecision.unknown())),
                invalid("cancelAction", b -> b.mode(RecoveryMode.CANCEL)),
                invalid("retryBudget ratio", b -> b.retryBudget(1.5, 10, Duration.ofSeconds(10))),
                invalid("retryBudget ratio", b -> b.retryBudget(-0.1, 10, Duration.ofSeconds(10))),
                invalid("retryBudget minPerSecond", b -> b.retryBudget(0.2, -1, Duration.ofSeconds(10))),
                invalid("retryBudget window", b -> b.retryBudget(0.2, 10, Duration.ZERO)),
                invalid("retryBudget window", b -> b.retryBudget(0.2, 10, null)),
                invalid("maxInFlightPerRoute limit", b -> b.maxInFlightPerRoute(0, Duration.ofSeconds(1))),
                invalid("maxInFlightPerRoute queueTimeout", b -> b.maxInFlightPerRoute(4, negative)),
                invalid("maxInFlightPerRoute queueTimeout", b -> b.maxInFlightPerRoute(4, null)),
                invalid("notAppliedAnswers", b -> b.notAppliedAnswers(null)),
                invalid("notAppliedAnswers", b -> b.notAppliedAnswers(java.util.Arrays.asList((NotAppliedAnswer) null))));
    }

    static Arguments invalid(String setting, UnaryOperator<TimeoutRecoveryPolicy.Builder> configure) {
        return Arguments.of(setting, configure);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSettings")
    void invalidSettingFailsAtBuildNamingTheSetting(String setting, UnaryOperator<TimeoutRecoveryPolicy.Builder> configure) {
        TimeoutRecoveryPolicy.Builder builder = configure.apply(TimeoutRecoveryPolicy.builder());
        assertThatIllegalArgumentException().isThrownBy(builder::build).withMessageContaining(setting);
    }

    @Test
    void defaultsBuildAndEveryModeBuildsWithItsCallbacks() {
        assertThat(TimeoutRecoveryPolicy.builder().build().toString()).contains("mode=REPORT_ONLY", "Idempotency-Key");
        for (RecoveryMode mode : RecoveryMode.values()) {
            assertThat(TimeoutRecoveryPolicy.builder()
                    .mode(mode)
                    .statusCheck(c -> StatusDecision.unknown())
                    .cancelAction(c -> CancelResult.FAILED)
                    .exchangeDeadline(Duration.ofSeconds(1))
                    .maxRetryAfter(Duration.ZERO)
                    .build()).isNotNull();
        }
    }

    @Test
    void defaultCoverageIsNonIdempotentMethodsAndAnyRequestCarryingAKey() {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder().build();
        assertThat(policy.covers(new HttpPost("http://h/p"))).isTrue();
        assertThat(policy.covers(new HttpPatch("http://h/p"))).isTrue();
        assertThat(policy.covers(new HttpGet("http://h/p"))).isFalse();
        assertThat(policy.covers(new HttpPut("http://h/p"))).isFalse();
        assertThat(policy.covers(new HttpDelete("http://h/p"))).isFalse();
        HttpGet keyed = new HttpGet("http://h/p");
        keyed.setHeader("idempotency-key", "k");
        assertThat(policy.covers(keyed)).isTrue();
    }

    @Test
    void customCoverageReplacesTheDefault() {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .covers(request -> request.getPath().startsWith("/payments"))
                .build();
        assertThat(policy.covers(new HttpGet("http://h/payments/1"))).isTrue();
        assertThat(policy.covers(new HttpPost("http://h/orders"))).isFalse();
    }
}
