package dev.abortguard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.hc.core5.http.message.BasicHttpResponse;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class BackoffAndRetryAfterTest {

    @RepeatedTest(20)
    void backoffDoublesUpToTheCapWithinTheJitter() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), 0.2);
        assertThat(backoff.delay(0)).isBetween(Duration.ofMillis(80), Duration.ofMillis(120));
        assertThat(backoff.delay(1)).isBetween(Duration.ofMillis(160), Duration.ofMillis(240));
        assertThat(backoff.delay(10)).isBetween(Duration.ofMillis(800), Duration.ofMillis(1200));
        assertThat(new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), 0).delay(2)).isEqualTo(Duration.ofMillis(400));
    }

    @RepeatedTest(20)
    void aRetryAfterWaitIsAtLeastTheBackoffAndJitteredUpwardsOnly() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), 0.2);
        assertThat(backoff.atLeast(Duration.ZERO, 0)).isBetween(Duration.ofMillis(100), Duration.ofMillis(120));
        assertThat(backoff.atLeast(Duration.ZERO, 3)).isBetween(Duration.ofMillis(800), Duration.ofMillis(960));
        assertThat(backoff.atLeast(Duration.ofSeconds(2), 0)).isBetween(Duration.ofSeconds(2), Duration.ofMillis(2400));
        assertThat(new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), 0).atLeast(Duration.ZERO, 1))
                .isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void retryAfterWaitsAreSpread() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), 0.2);
        java.util.Set<Duration> seen = new java.util.HashSet<>();
        for (int i = 0; i < 50; i++) {
            seen.add(backoff.atLeast(Duration.ofSeconds(1), 0));
        }
        assertThat(seen).as("callers told the same time do not come back together").hasSizeGreaterThan(1);
    }

    @Test
    void retryAfterIsReadFrom429And503OnlyAndCapped() {
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        BasicHttpResponse busy = new BasicHttpResponse(503);
        busy.setHeader("Retry-After", "2");
        assertThat(RetryAfter.delay(busy, Duration.ofSeconds(5), clock)).contains(Duration.ofSeconds(2));
        assertThat(RetryAfter.delay(busy, Duration.ofSeconds(1), clock)).as("over the cap").isEmpty();
        assertThat(RetryAfter.delay(busy, Duration.ZERO, clock)).as("disabled").isEmpty();

        BasicHttpResponse tooMany = new BasicHttpResponse(429);
        tooMany.setHeader("Retry-After", "Thu, 01 Jan 2026 00:00:03 GMT");
        assertThat(RetryAfter.delay(tooMany, Duration.ofSeconds(5), clock)).contains(Duration.ofSeconds(3));

        BasicHttpResponse error = new BasicHttpResponse(500);
        error.setHeader("Retry-After", "1");
        assertThat(RetryAfter.delay(error, Duration.ofSeconds(5), clock)).isEmpty();
        assertThat(RetryAfter.delay(new BasicHttpResponse(503), Duration.ofSeconds(5), clock)).as("no header").isEmpty();
        BasicHttpResponse garbage = new BasicHttpResponse(503);
        garbage.setHeader("Retry-After", "soon");
        assertThat(RetryAfter.delay(garbage, Duration.ofSeconds(5), clock)).isEmpty();
    }
}
