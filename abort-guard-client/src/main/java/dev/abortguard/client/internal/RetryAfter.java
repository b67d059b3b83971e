package dev.abortguard.client.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;

/**
 * Reads {@code Retry-After} from a 429 or 503 answer. Those statuses mean the server refused the
 * request without acting on it; the header is the server's explicit invitation to come back, so
 * only answers that carry it are retried, and only when the wait fits under the configured cap
 * (a longer wait is the server's business to announce and the caller's to decide).
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class RetryAfter {

    private RetryAfter() {}

    public static Optional<Duration> delay(HttpResponse response, Duration cap, Clock clock) {
        int code = response.getCode();
        if ((code != 429 && code != 503) || cap.isZero()) {
            return Optional.empty();
        }
        Header header = response.getFirstHeader("Retry-After");
        if (header == null || header.getValue() == null) {
            return Optional.empty();
        }
        Optional<Duration> parsed = parse(header.getValue().trim(), clock);
        return parsed.filter(d -> d.compareTo(cap) <= 0);
    }

    public static Optional<Duration> parse(String value, Clock clock) {
        if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration delay = Duration.between(clock.instant(), at.toInstant());
            return Optional.of(delay.isNegative() ? Duration.ZERO : delay);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
