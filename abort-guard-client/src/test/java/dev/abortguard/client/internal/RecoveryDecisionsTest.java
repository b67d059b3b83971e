package dev.abortguard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abortguard.client.CancelResult;
import dev.abortguard.client.FailurePhase;
import dev.abortguard.client.RecoveryMode;
import dev.abortguard.client.RecoveryOutcome;
import dev.abortguard.client.StatusDecision;
import dev.abortguard.client.internal.RecoveryDecisions.Facts;
import dev.abortguard.client.internal.RecoveryDecisions.Resent;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.apache.hc.core5.http2.H2Error;
import org.apache.hc.core5.http2.H2StreamResetException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The README's decision tables, one row per combination: how an attempt ended (its phase on the
 * wire), the recovery mode, the status check's answer, and what is left (attempts, a repeatable
 * payload, time, budget). Pure functions, no I/O: the whole table runs in milliseconds.
 */
class RecoveryDecisionsTest {

    /** How an attempt ended. */
    enum Ending {
        ANSWERED, NEVER_SENT, NEVER_SENT_NOT_RETRYABLE, RESPONSE_RECEIVED, OUTCOME_UNKNOWN, RESPONSE_BODY_LOST,
        RETRY_AFTER_2S, NOT_APPLIED_REPLY, REFUSED_STREAM, UNSETTLED_409, BROKEN
    }

    /** What a status check answered. */
    enum Answer {
        COMPLETED_WITH_RESPONSE, COMPLETED, NOT_APPLIED, PENDING, UNKNOWN
    }

    /** What differs from "first failure, everything left". */
    enum Given {
        FAILED_BEFORE, RESENT_BLIND, RESENT_AFTER_NOT_APPLIED, NO_ATTEMPTS_LEFT, NOT_REPEATABLE,
        CANCELED_BY_CALLER, NO_BUDGET, RECOVERY_TIMEOUT_PASSED, NO_TIME_FOR_NEXT_CHECK, WITHIN_NOT_APPLIED_HORIZON
    }

    private static final RecoveryMode[] MODES = RecoveryMode.values();
    private static final Duration NEXT_CHECK = Duration.ofMillis(200);

    // ---- after an attempt: phase on the wire x mode x what is left ----

    static Stream<Arguments> afterAttempt() {
        List<Arguments> rows = new ArrayList<>();
        // README "Client: by phase on the wire": NEVER_SENT is retried with backoff, in every mode.
        everyMode(rows, Ending.NEVER_SENT, "retry backoff");
        everyMode(rows, Ending.NEVER_SENT, "rethrow FAILED", Given.NO_ATTEMPTS_LEFT);
        everyMode(rows, Ending.NEVER_SENT, "rethrow FAILED", Given.NOT_REPEATABLE);
        everyMode(rows, Ending.NEVER_SENT, "rethrow FAILED", Given.CANCELED_BY_CALLER);
        everyMode(rows, Ending.NEVER_SENT, "rethrow FAILED", Given.NO_BUDGET);
        everyMode(rows, Ending.NEVER_SENT_NOT_RETRYABLE, "rethrow FAILED");
        // A resend that never went out settles nothing: end with what was known before it.
        everyMode(rows, Ending.NEVER_SENT, "end OUTCOME_UNKNOWN UNRESOLVED", Given.RESENT_BLIND, Given.NO_ATTEMPTS_LEFT);
        everyMode(rows, Ending.NEVER_SENT, "end NEVER_SENT NOT_APPLIED",
                Given.RESENT_AFTER_NOT_APPLIED, Given.NO_ATTEMPTS_LEFT);
        // RESPONSE_RECEIVED: nothing, the caller gets it unchanged.
        everyMode(rows, Ending.RESPONSE_RECEIVED, "rethrow FAILED");
        // OUTCOME_UNKNOWN: recovery per mode.
        rows.add(row(Ending.OUTCOME_UNKNOWN, RecoveryMode.REPORT_ONLY, "end OUTCOME_UNKNOWN UNRESOLVED (REPORT_ONLY)"));
        rows.add(row(Ending.OUTCOME_UNKNOWN, RecoveryMode.RESEND_WITH_KEY, "resend blind"));
        rows.add(row(Ending.OUTCOME_UNKNOWN, RecoveryMode.STATUS_CHECK, "check after 0ms"));
        rows.add(row(Ending.OUTCOME_UNKNOWN, RecoveryMode.STATUS_CHECK_THEN_CANCEL, "check after 0ms"));
        rows.add(row(Ending.OUTCOME_UNKNOWN, RecoveryMode.CANCEL, "cancel"));
        rows.add(row(Ending.OUTCOME_UNKNOWN, RecoveryMode.RESEND_WITH_KEY,
                "end OUTCOME_UNKNOWN UNRESOLVED (NOT_REPEATABLE)", Given.NOT_REPEATABLE));
        rows.add(row(Ending.OUTCOME_UNKNOWN, RecoveryMode.RESEND_WITH_KEY,
                "end OUTCOME_UNKNOWN UNRESOLVED (ATTEMPTS_EXHAUSTED)", Given.NO_ATTEMPTS_LEFT));
        rows.add(row(Ending.OUTCOME_UNKNOWN, RecoveryMode.RESEND_WITH_KEY,
                "end OUTCOME_UNKNOWN UNRESOLVED (RESEND_TOO_LATE)", Given.RECOVERY_TIMEOUT_PASSED));
        rows.add(row(Ending.OUTCOME_UNKNOWN, RecoveryMode.RESEND_WITH_KEY,
                "end OUTCOME_UNKNOWN UNRESOLVED (BUDGET_EXHAUSTED)", Given.NO_BUDGET));
        rows.add(row(Ending.OUTCOME_UNKNOWN, RecoveryMode.STATUS_CHECK,
                "end OUTCOME_UNKNOWN UNRESOLVED (BUDGET_EXHAUSTED)", Given.NO_BUDGET));
        rows.add(row(Ending.OUTCOME_UNKNOWN, RecoveryMode.STATUS_CHECK_THEN_CANCEL,
                "end OUTCOME_UNKNOWN UNRESOLVED (BUDGET_EXHAUSTED)", Given.NO_BUDGET));
        // Status checks and cancels do not send the request again: attempts and payload do not matter.
        rows.add(row(Ending.OUTCOME_UNKNOWN, RecoveryMode.STATUS_CHECK, "check after 0ms",
                Given.NO_ATTEMPTS_LEFT, Given.NOT_REPEATABLE));
        rows.add(row(Ending.OUTCOME_UNKNOWN, RecoveryMode.CANCEL, "cancel", Given.NO_ATTEMPTS_LEFT, Given.NOT_REPEATABLE));
        everyMode(rows, Ending.OUTCOME_UNKNOWN, "end OUTCOME_UNKNOWN UNRESOLVED (CANCELED_BY_CALLER)",
                Given.CANCELED_BY_CALLER);
        // RESPONSE_BODY_LOST: recovery, but the 2xx head said the server acted: never cancel it.
        rows.add(row(Ending.RESPONSE_BODY_LOST, RecoveryMode.REPORT_ONLY,
                "end RESPONSE_BODY_LOST COMPLETED_WITHOUT_RESPONSE (REPORT_ONLY)"));
        rows.add(row(Ending.RESPONSE_BODY_LOST, RecoveryMode.RESEND_WITH_KEY, "resend blind"));
        rows.add(row(Ending.RESPONSE_BODY_LOST, RecoveryMode.STATUS_CHECK, "check after 0ms"));
        rows.add(row(Ending.RESPONSE_BODY_LOST, RecoveryMode.STATUS_CHECK_THEN_CANCEL, "check after 0ms"));
        rows.add(row(Ending.RESPONSE_BODY_LOST, RecoveryMode.CANCEL,
                "end RESPONSE_BODY_LOST COMPLETED_WITHOUT_RESPONSE (SUCCESS_NOT_CANCELED)"));
        rows.add(row(Ending.RESPONSE_BODY_LOST, RecoveryMode.STATUS_CHECK,
                "end RESPONSE_BODY_LOST COMPLETED_WITHOUT_RESPONSE (BUDGET_EXHAUSTED)", Given.NO_BUDGET));
        everyMode(rows, Ending.RESPONSE_BODY_LOST, "end RESPONSE_BODY_LOST UNRESOLVED (CANCELED_BY_CALLER)",
                Given.CANCELED_BY_CALLER);
        // 429/503 with an acceptable Retry-After (only ever returned when honoured): wait as asked.
        everyMode(rows, Ending.RETRY_AFTER_2S, "retry after 2000ms");
        // A reply that proves the request was not processed (fasthttp's concurrency-limit 503, Finagle's
        // nack; only ever returned when the attempt may send again): retry after the plain backoff.
        everyMode(rows, Ending.NOT_APPLIED_REPLY, "retry backoff");
        everyMode(rows, Ending.NOT_APPLIED_REPLY, "retry backoff", Given.RESENT_BLIND);
        // An HTTP/2 REFUSED_STREAM: proven unprocessed, but a failure with no answer to return. Retried
        // after the plain backoff while attempts are left; the budget is asked when the retry is carried
        // out (so that a spent one is reported), so NO_BUDGET still decides a retry here.
        everyMode(rows, Ending.REFUSED_STREAM, "retry backoff");
        everyMode(rows, Ending.REFUSED_STREAM, "retry backoff", Given.NO_BUDGET);
        everyMode(rows, Ending.REFUSED_STREAM, "retry backoff", Given.RESENT_BLIND);
        everyMode(rows, Ending.REFUSED_STREAM, "rethrow FAILED", Given.NO_ATTEMPTS_LEFT);
        everyMode(rows, Ending.REFUSED_STREAM, "rethrow FAILED", Given.CANCELED_BY_CALLER);
        everyMode(rows, Ending.REFUSED_STREAM, "rethrow FAILED", Given.NOT_REPEATABLE);
        // a refused resend settles nothing about the attempts before it
        everyMode(rows, Ending.REFUSED_STREAM, "end OUTCOME_UNKNOWN UNRESOLVED", Given.RESENT_BLIND, Given.NO_ATTEMPTS_LEFT);
        everyMode(rows, Ending.REFUSED_STREAM, "end NEVER_SENT NOT_APPLIED",
                Given.RESENT_AFTER_NOT_APPLIED, Given.NO_ATTEMPTS_LEFT);
        // A cancel is a request to the upstream too: it needs the budget.
        rows.add(row(Ending.OUTCOME_UNKNOWN, RecoveryMode.CANCEL,
                "end OUTCOME_UNKNOWN UNRESOLVED (BUDGET_EXHAUSTED)", Given.NO_BUDGET));
        rows.add(row(Ending.RESPONSE_BODY_LOST, RecoveryMode.CANCEL,
                "end RESPONSE_BODY_LOST COMPLETED_WITHOUT_RESPONSE (SUCCESS_NOT_CANCELED)", Given.NO_BUDGET));
        // A resend answered 409/425/408/429/5xx: as unknown as before; back to the status check if any.
        rows.add(row(Ending.UNSETTLED_409, RecoveryMode.REPORT_ONLY, "end OUTCOME_UNKNOWN UNRESOLVED", Given.RESENT_BLIND));
        rows.add(row(Ending.UNSETTLED_409, RecoveryMode.RESEND_WITH_KEY, "end OUTCOME_UNKNOWN UNRESOLVED", Given.RESENT_BLIND));
        rows.add(row(Ending.UNSETTLED_409, RecoveryMode.CANCEL, "end OUTCOME_UNKNOWN UNRESOLVED", Given.RESENT_BLIND));
        rows.add(row(Ending.UNSETTLED_409, RecoveryMode.STATUS_CHECK, "check after 0ms", Given.RESENT_AFTER_NOT_APPLIED));
        rows.add(row(Ending.UNSETTLED_409, RecoveryMode.STATUS_CHECK_THEN_CANCEL, "check after 0ms",
                Given.RESENT_AFTER_NOT_APPLIED));
        // Answers: the outcome says what it took.
        everyMode(rows, Ending.ANSWERED, "return -");
        everyMode(rows, Ending.ANSWERED, "return RETRIED", Given.FAILED_BEFORE);
        everyMode(rows, Ending.ANSWERED, "return RESENT", Given.FAILED_BEFORE, Given.RESENT_BLIND);
        everyMode(rows, Ending.ANSWERED, "return RESENT", Given.FAILED_BEFORE, Given.RESENT_AFTER_NOT_APPLIED);
        // An unchecked exception the wire does not explain: the caller's, unless a resend was pending.
        everyMode(rows, Ending.BROKEN, "rethrow");
        everyMode(rows, Ending.BROKEN, "rethrow FAILED", Given.FAILED_BEFORE);
        everyMode(rows, Ending.BROKEN, "end OUTCOME_UNKNOWN UNRESOLVED", Given.FAILED_BEFORE, Given.RESENT_BLIND);
        everyMode(rows, Ending.BROKEN, "end NEVER_SENT NOT_APPLIED", Given.FAILED_BEFORE, Given.RESENT_AFTER_NOT_APPLIED);
        return rows.stream();
    }

    @ParameterizedTest(name = "{0} in {1} given {3} -> {2}")
    @MethodSource
    void afterAttempt(Ending ending, RecoveryMode mode, String expected, Set<Given> given) {
        Decision decision = RecoveryDecisions.afterAttempt(result(ending), facts(mode, given), nanosLeft(given));
        assertThat(describe(decision)).isEqualTo(expected);
    }

    // ---- after a status check: answer x mode x phase x what is left ----

    static Stream<Arguments> afterStatusCheck() {
        List<Arguments> rows = new ArrayList<>();
        for (RecoveryMode mode : List.of(RecoveryMode.STATUS_CHECK, RecoveryMode.STATUS_CHECK_THEN_CANCEL)) {
            for (FailurePhase phase : List.of(FailurePhase.OUTCOME_UNKNOWN, FailurePhase.RESPONSE_BODY_LOST)) {
                rows.add(check(Answer.COMPLETED_WITH_RESPONSE, mode, phase, "adopt"));
                rows.add(check(Answer.COMPLETED, mode, phase, "end " + phase + " COMPLETED_WITHOUT_RESPONSE"));
                // NOT_APPLIED: resend under the same key when safe; a known NOT_APPLIED is not bound by
                // the recovery timeout (nothing is unknown any more).
                rows.add(check(Answer.NOT_APPLIED, mode, phase, "resend NOT_APPLIED"));
                rows.add(check(Answer.NOT_APPLIED, mode, phase, "resend NOT_APPLIED", Given.RECOVERY_TIMEOUT_PASSED));
                rows.add(check(Answer.NOT_APPLIED, mode, phase, "end " + phase + " NOT_APPLIED (NOT_REPEATABLE)",
                        Given.NOT_REPEATABLE));
                rows.add(check(Answer.NOT_APPLIED, mode, phase, "end " + phase + " NOT_APPLIED (ATTEMPTS_EXHAUSTED)",
                        Given.NO_ATTEMPTS_LEFT));
                rows.add(check(Answer.NOT_APPLIED, mode, phase, "end " + phase + " NOT_APPLIED (BUDGET_EXHAUSTED)",
                        Given.NO_BUDGET));
                // Issue 15 item 2: too soon after the latest send, "not found" is not believed: it counts as
                // PENDING (checked again), and the recovery timeout ends it as an unknown, never as a resend.
                rows.add(check(Answer.NOT_APPLIED, mode, phase, "check after 200ms", Given.WITHIN_NOT_APPLIED_HORIZON));
                rows.add(check(Answer.NOT_APPLIED, mode, phase, "end " + phase + " "
                        + (phase == FailurePhase.RESPONSE_BODY_LOST ? "COMPLETED_WITHOUT_RESPONSE" : "UNRESOLVED")
                        + " (BUDGET_EXHAUSTED)", Given.WITHIN_NOT_APPLIED_HORIZON, Given.NO_BUDGET));
                String budgetEnd = phase == FailurePhase.RESPONSE_BODY_LOST ? "COMPLETED_WITHOUT_RESPONSE" : "UNRESOLVED";
                for (Answer open : List.of(Answer.PENDING, Answer.UNKNOWN)) {
                    rows.add(check(open, mode, phase, "check after 200ms"));
                    rows.add(check(open, mode, phase, "end " + phase + " " + budgetEnd + " (BUDGET_EXHAUSTED)",
                            Given.NO_BUDGET));
                }
            }
        }
        // The next check would start after the recovery timeout, with the status still open: cancel only
        // in THEN_CANCEL, never after a 2xx head (the body was lost, the server acted). The trail says
        // the next check would not fit, not that the timeout passed (issue 15, item 6).
        for (Answer open : List.of(Answer.PENDING, Answer.UNKNOWN)) {
            rows.add(check(open, RecoveryMode.STATUS_CHECK, FailurePhase.OUTCOME_UNKNOWN,
                    "end OUTCOME_UNKNOWN UNRESOLVED (NEXT_CHECK_TOO_LATE)", Given.NO_TIME_FOR_NEXT_CHECK));
            rows.add(check(Answer.NOT_APPLIED, RecoveryMode.STATUS_CHECK, FailurePhase.OUTCOME_UNKNOWN,
                    "end OUTCOME_UNKNOWN UNRESOLVED (NEXT_CHECK_TOO_LATE)", Given.NO_TIME_FOR_NEXT_CHECK,
                    Given.WITHIN_NOT_APPLIED_HORIZON));
            rows.add(check(open, RecoveryMode.STATUS_CHECK_THEN_CANCEL, FailurePhase.OUTCOME_UNKNOWN,
                    "cancel (NEXT_CHECK_TOO_LATE)", Given.NO_TIME_FOR_NEXT_CHECK));
            rows.add(check(open, RecoveryMode.STATUS_CHECK_THEN_CANCEL, FailurePhase.OUTCOME_UNKNOWN,
                    "end OUTCOME_UNKNOWN UNRESOLVED (BUDGET_EXHAUSTED)", Given.NO_TIME_FOR_NEXT_CHECK, Given.NO_BUDGET));
            rows.add(check(open, RecoveryMode.STATUS_CHECK, FailurePhase.RESPONSE_BODY_LOST,
                    "end RESPONSE_BODY_LOST COMPLETED_WITHOUT_RESPONSE (NEXT_CHECK_TOO_LATE)", Given.NO_TIME_FOR_NEXT_CHECK));
            rows.add(check(open, RecoveryMode.STATUS_CHECK_THEN_CANCEL, FailurePhase.RESPONSE_BODY_LOST,
                    "end RESPONSE_BODY_LOST COMPLETED_WITHOUT_RESPONSE (NEXT_CHECK_TOO_LATE)", Given.NO_TIME_FOR_NEXT_CHECK));
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0} in {1} after {2} given {4} -> {3}")
    @MethodSource
    void afterStatusCheck(Answer answer, RecoveryMode mode, FailurePhase phase, String expected, Set<Given> given) {
        long nanosLeft = given.contains(Given.NO_TIME_FOR_NEXT_CHECK) ? NEXT_CHECK.toNanos() - 1 : nanosLeft(given);
        Decision decision =
                RecoveryDecisions.afterStatusCheck(answer(answer), phase, facts(mode, given), nanosLeft, NEXT_CHECK);
        assertThat(describe(decision)).isEqualTo(expected);
    }

    // ---- the other endings of recovery ----

    static Stream<Arguments> endings() {
        return Stream.of(
                Arguments.of("recovery timeout, STATUS_CHECK, OUTCOME_UNKNOWN",
                        RecoveryDecisions.afterRecoveryTimeout(FailurePhase.OUTCOME_UNKNOWN, facts(RecoveryMode.STATUS_CHECK)),
                        "end OUTCOME_UNKNOWN UNRESOLVED (RECOVERY_TIMEOUT)"),
                Arguments.of("recovery timeout, STATUS_CHECK_THEN_CANCEL, OUTCOME_UNKNOWN",
                        RecoveryDecisions.afterRecoveryTimeout(FailurePhase.OUTCOME_UNKNOWN,
                                facts(RecoveryMode.STATUS_CHECK_THEN_CANCEL)),
                        "cancel (RECOVERY_TIMEOUT)"),
                Arguments.of("recovery timeout, STATUS_CHECK_THEN_CANCEL, RESPONSE_BODY_LOST",
                        RecoveryDecisions.afterRecoveryTimeout(FailurePhase.RESPONSE_BODY_LOST,
                                facts(RecoveryMode.STATUS_CHECK_THEN_CANCEL)),
                        "end RESPONSE_BODY_LOST COMPLETED_WITHOUT_RESPONSE (RECOVERY_TIMEOUT)"),
                Arguments.of("status check not started, OUTCOME_UNKNOWN",
                        RecoveryDecisions.statusCheckNotStarted(FailurePhase.OUTCOME_UNKNOWN),
                        "end OUTCOME_UNKNOWN UNRESOLVED"),
                Arguments.of("status check not started, RESPONSE_BODY_LOST",
                        RecoveryDecisions.statusCheckNotStarted(FailurePhase.RESPONSE_BODY_LOST),
                        "end RESPONSE_BODY_LOST COMPLETED_WITHOUT_RESPONSE"),
                Arguments.of("wait before a status check interrupted",
                        RecoveryDecisions.afterInterruptedStatusWait(FailurePhase.RESPONSE_BODY_LOST),
                        "end RESPONSE_BODY_LOST UNRESOLVED"),
                Arguments.of("cancel CANCELED", RecoveryDecisions.afterCancel(CancelResult.CANCELED, FailurePhase.OUTCOME_UNKNOWN),
                        "end OUTCOME_UNKNOWN CANCELED"),
                Arguments.of("cancel ALREADY_COMPLETED",
                        RecoveryDecisions.afterCancel(CancelResult.ALREADY_COMPLETED, FailurePhase.OUTCOME_UNKNOWN),
                        "end OUTCOME_UNKNOWN COMPLETED_WITHOUT_RESPONSE"),
                Arguments.of("cancel FAILED", RecoveryDecisions.afterCancel(CancelResult.FAILED, FailurePhase.OUTCOME_UNKNOWN),
                        "end OUTCOME_UNKNOWN UNRESOLVED"),
                Arguments.of("cancel not started", RecoveryDecisions.afterCancel(null, FailurePhase.OUTCOME_UNKNOWN),
                        "end OUTCOME_UNKNOWN UNRESOLVED"),
                Arguments.of("interrupted retry, nothing resent",
                        RecoveryDecisions.afterNoRetry(facts(RecoveryMode.STATUS_CHECK)), "rethrow FAILED"),
                Arguments.of("interrupted retry after a blind resend",
                        RecoveryDecisions.afterNoRetry(facts(RecoveryMode.RESEND_WITH_KEY, Given.RESENT_BLIND)),
                        "end OUTCOME_UNKNOWN UNRESOLVED"),
                Arguments.of("interrupted retry after a NOT_APPLIED resend",
                        RecoveryDecisions.afterNoRetry(facts(RecoveryMode.STATUS_CHECK, Given.RESENT_AFTER_NOT_APPLIED)),
                        "end NEVER_SENT NOT_APPLIED"),
                // The budget was spent between the decision and carrying it out (another request took
                // the last token): stop with what is known.
                Arguments.of("budget gone before a retry, nothing resent",
                        RecoveryDecisions.budgetRefused(new Decision.Retry(null), FailurePhase.NEVER_SENT,
                                facts(RecoveryMode.STATUS_CHECK)), "rethrow FAILED"),
                Arguments.of("budget gone before a retry after a blind resend",
                        RecoveryDecisions.budgetRefused(new Decision.Retry(null), FailurePhase.NEVER_SENT,
                                facts(RecoveryMode.RESEND_WITH_KEY, Given.RESENT_BLIND)), "end OUTCOME_UNKNOWN UNRESOLVED"),
                Arguments.of("budget gone before a blind resend",
                        RecoveryDecisions.budgetRefused(new Decision.Resend(false), FailurePhase.OUTCOME_UNKNOWN,
                                facts(RecoveryMode.RESEND_WITH_KEY)), "end OUTCOME_UNKNOWN UNRESOLVED"),
                Arguments.of("budget gone before a NOT_APPLIED resend",
                        RecoveryDecisions.budgetRefused(new Decision.Resend(true), FailurePhase.OUTCOME_UNKNOWN,
                                facts(RecoveryMode.STATUS_CHECK)), "end OUTCOME_UNKNOWN NOT_APPLIED"),
                Arguments.of("budget gone before a status check",
                        RecoveryDecisions.budgetRefused(new Decision.CheckStatus(Duration.ZERO), FailurePhase.OUTCOME_UNKNOWN,
                                facts(RecoveryMode.STATUS_CHECK)), "end OUTCOME_UNKNOWN UNRESOLVED"),
                Arguments.of("budget gone before a status check, 2xx head seen",
                        RecoveryDecisions.budgetRefused(new Decision.CheckStatus(Duration.ZERO),
                                FailurePhase.RESPONSE_BODY_LOST, facts(RecoveryMode.STATUS_CHECK)),
                        "end RESPONSE_BODY_LOST COMPLETED_WITHOUT_RESPONSE"),
                Arguments.of("budget gone before a cancel",
                        RecoveryDecisions.budgetRefused(new Decision.Cancel(null), FailurePhase.OUTCOME_UNKNOWN,
                                facts(RecoveryMode.CANCEL)), "end OUTCOME_UNKNOWN UNRESOLVED"));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource
    void endings(String situation, Decision decision, String expected) {
        assertThat(describe(decision)).isEqualTo(expected);
    }

    // ---- whether an attempt may honour Retry-After at all ----

    static Stream<Arguments> honoursRetryAfter() {
        return Stream.of(
                Arguments.of(EnumSet.noneOf(Given.class), true),
                Arguments.of(EnumSet.of(Given.NO_ATTEMPTS_LEFT), false),
                Arguments.of(EnumSet.of(Given.NOT_REPEATABLE), false),
                Arguments.of(EnumSet.of(Given.NO_BUDGET), false));
    }

    @ParameterizedTest(name = "given {0} -> {1}")
    @MethodSource
    void honoursRetryAfter(Set<Given> given, boolean expected) {
        assertThat(RecoveryDecisions.honoursRetryAfter(facts(RecoveryMode.STATUS_CHECK, given))).isEqualTo(expected);
    }

    // ---- the table's vocabulary ----

    private static void everyMode(List<Arguments> rows, Ending ending, String expected, Given... given) {
        for (RecoveryMode mode : MODES) {
            rows.add(row(ending, mode, expected, given));
        }
    }

    private static Arguments row(Ending ending, RecoveryMode mode, String expected, Given... given) {
        return Arguments.of(ending, mode, expected, set(given));
    }

    private static Arguments check(Answer answer, RecoveryMode mode, FailurePhase phase, String expected, Given... given) {
        return Arguments.of(answer, mode, phase, expected, set(given));
    }

    private static Set<Given> set(Given... given) {
        EnumSet<Given> set = EnumSet.noneOf(Given.class);
        set.addAll(List.of(given));
        return set;
    }

    private static Facts facts(RecoveryMode mode, Given... given) {
        return facts(mode, set(given));
    }

    private static Facts facts(RecoveryMode mode, Set<Given> given) {
        Resent resent = given.contains(Given.RESENT_BLIND)
                ? Resent.WITHOUT_ASKING
                : given.contains(Given.RESENT_AFTER_NOT_APPLIED) ? Resent.AFTER_NOT_APPLIED : Resent.NO;
        return new Facts(
                mode,
                given.contains(Given.FAILED_BEFORE),
                resent,
                !given.contains(Given.NO_ATTEMPTS_LEFT),
                !given.contains(Given.NOT_REPEATABLE),
                given.contains(Given.CANCELED_BY_CALLER),
                !given.contains(Given.NO_BUDGET),
                given.contains(Given.WITHIN_NOT_APPLIED_HORIZON));
    }

    private static long nanosLeft(Set<Given> given) {
        return given.contains(Given.RECOVERY_TIMEOUT_PASSED) ? 0 : Duration.ofSeconds(10).toNanos();
    }

    private static AttemptResult<Object> result(Ending ending) {
        IOException timeout = new SocketTimeoutException("Read timed out");
        switch (ending) {
            case ANSWERED:
                return new AttemptResult.Answered<>("response");
            case NEVER_SENT:
                return new AttemptResult.Failed<>(FailurePhase.NEVER_SENT, timeout, true, false);
            case NEVER_SENT_NOT_RETRYABLE:
                return new AttemptResult.Failed<>(FailurePhase.NEVER_SENT, timeout, false, false);
            case RESPONSE_RECEIVED:
                return new AttemptResult.Failed<>(FailurePhase.RESPONSE_RECEIVED, timeout, false, false);
            case OUTCOME_UNKNOWN:
                return new AttemptResult.Failed<>(FailurePhase.OUTCOME_UNKNOWN, timeout, false, false);
            case RESPONSE_BODY_LOST:
                return new AttemptResult.Failed<>(FailurePhase.RESPONSE_BODY_LOST, timeout, false, false);
            case RETRY_AFTER_2S:
                return new AttemptResult.RetryAfterAnswer<>(503, Duration.ofSeconds(2), null);
            case NOT_APPLIED_REPLY:
                return new AttemptResult.NotAppliedReply<>(503, "fasthttp Server.Concurrency limit", null);
            case REFUSED_STREAM:
                return new AttemptResult.RefusedUnprocessed<>(
                        new H2StreamResetException(H2Error.REFUSED_STREAM, "Stream reset (7)"),
                        "HTTP/2 RST_STREAM REFUSED_STREAM");
            case UNSETTLED_409:
                return new AttemptResult.Unsettled<>(409);
            case BROKEN:
            default:
                return new AttemptResult.Broken<>(new IllegalStateException("interceptor threw"));
        }
    }

    private static StatusDecision answer(Answer answer) {
        switch (answer) {
            case COMPLETED_WITH_RESPONSE:
                return StatusDecision.completed(new BasicClassicHttpResponse(200));
            case COMPLETED:
                return StatusDecision.completed();
            case NOT_APPLIED:
                return StatusDecision.notApplied();
            case PENDING:
                return StatusDecision.pending();
            case UNKNOWN:
            default:
                return StatusDecision.unknown();
        }
    }

    /** One line per decision, as the table's last column reads. */
    private static String describe(Decision decision) {
        if (decision instanceof Decision.ReturnResponse) {
            RecoveryOutcome outcome = ((Decision.ReturnResponse) decision).outcome();
            return "return " + (outcome == null ? "-" : outcome);
        }
        if (decision instanceof Decision.Rethrow) {
            return ((Decision.Rethrow) decision).reportFailed() ? "rethrow FAILED" : "rethrow";
        }
        if (decision instanceof Decision.Retry) {
            Duration asked = ((Decision.Retry) decision).asked();
            return asked == null ? "retry backoff" : "retry after " + asked.toMillis() + "ms";
        }
        if (decision instanceof Decision.Resend) {
            return ((Decision.Resend) decision).knownNotApplied() ? "resend NOT_APPLIED" : "resend blind";
        }
        if (decision instanceof Decision.CheckStatus) {
            return "check after " + ((Decision.CheckStatus) decision).after().toMillis() + "ms";
        }
        if (decision instanceof Decision.Cancel) {
            Decision.Reason reason = ((Decision.Cancel) decision).reason();
            return "cancel" + (reason == null ? "" : " (" + reason + ")");
        }
        if (decision instanceof Decision.Adopt) {
            return "adopt";
        }
        Decision.GiveUp end = (Decision.GiveUp) decision;
        return "end " + end.phase() + " " + end.outcome() + (end.reason() == null ? "" : " (" + end.reason() + ")");
    }
}
