package dev.abortguard.idempotency.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.abortguard.idempotency.InMemoryIdempotencyStore;
import dev.abortguard.idempotency.servlet.internal.KeyHeader;
import dev.abortguard.idempotency.servlet.internal.RoutePattern;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IdempotencyFilterSettingsTest {

    @Test
    void everyBadSettingIsNamedAtBuild() {
        assertThatThrownBy(() -> IdempotencyFilter.builder(new InMemoryIdempotencyStore())
                .route("POST", "payments")
                .route("POST", "/a/**/b")
                .route("PO ST", "/x")
                .keyHeader("Idempotency Key")
                .lease(Duration.ZERO)
                .maxRequestBodyBytes(-1)
                .maxResponseBodyBytes(-2)
                .serverErrors(null)
                .statusEndpoint("status")
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must start with '/': 'payments'")
                .hasMessageContaining("'**' may only be the whole last segment")
                .hasMessageContaining("route method must be an HTTP method token")
                .hasMessageContaining("keyHeader")
                .hasMessageContaining("lease must be at least 1 ms")
                .hasMessageContaining("maxRequestBodyBytes must not be negative")
                .hasMessageContaining("maxResponseBodyBytes must not be negative")
                .hasMessageContaining("serverErrors")
                .hasMessageContaining("statusEndpoint");
        assertThatThrownBy(() -> IdempotencyFilter.builder(new InMemoryIdempotencyStore()).build())
                .hasMessageContaining("no route and no statusEndpoint");
        assertThatThrownBy(() -> IdempotencyFilter.builder(null)).isInstanceOf(NullPointerException.class).hasMessage("store");
    }

    @ParameterizedTest
    @CsvSource({
        "POST, /payments, POST, /payments, true",
        "POST, /payments, POST, /payments/, true",
        "post, /payments, POST, /payments, true",
        "POST, /payments, PUT, /payments, false",
        "POST, /payments, POST, /payments/1, false",
        "POST, /orders/*/capture, POST, /orders/17/capture, true",
        "POST, /orders/*/capture, POST, /orders/capture, false",
        "POST, /orders/*/capture, POST, /orders/1/2/capture, false",
        "POST, /api/**, POST, /api, true",
        "POST, /api/**, POST, /api/a/b/c, true",
        "POST, /api/**, POST, /apix, false",
        "POST, /Payments, POST, /payments, false",
    })
    void routePatterns(String method, String pattern, String requestMethod, String path, boolean matches) {
        assertThat(RoutePattern.of(method, pattern).matches(requestMethod, path)).isEqualTo(matches);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "k-1                 | k-1",
        "\"k-1\"             | k-1",
        "\"a b\"             | a b",
        "\"a\\\"b\"          | a\"b",
        "\"a\\\\b\"          | a\\b",
    })
    void validKeys(String header, String key) {
        assertThat(KeyHeader.parse(header)).isEqualTo(new KeyHeader.Valid(new dev.abortguard.idempotency.IdempotencyKey(key)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"abc            | no closing quote",
        "\"a\\nb\"        | only",
        "\"a\"b\"         | unescaped quote",
        "a b              | whitespace",
        "\"\"             | empty",
        "\"a\\\"          | a backslash ends it",
    })
    void invalidKeys(String header, String problem) {
        assertThat(KeyHeader.parse(header)).isInstanceOfSatisfying(KeyHeader.Invalid.class,
                invalid -> assertThat(invalid.problem()).contains(problem));
    }

    @Test
    void hostileKeysAreRefusedWithoutEchoingThem() {
        String control = "\"a\u0000b\u001b[31m\"";
        assertThat(KeyHeader.parse(control)).isInstanceOfSatisfying(KeyHeader.Invalid.class,
                invalid -> assertThat(invalid.problem()).contains("U+0000").doesNotContain("\u001b"));
        assertThat(KeyHeader.parse("k".repeat(100_000))).isInstanceOfSatisfying(KeyHeader.Invalid.class,
                invalid -> assertThat(invalid.problem()).contains("longer than 255").hasSizeLessThan(80));
    }
}
