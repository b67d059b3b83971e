package dev.abortguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.abortguard.client.internal.IdempotencyKeys;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.junit.jupiter.api.Test;

class IdempotencyKeysTest {

    @Test
    void callersKeyWinsQuotedOrNot() {
        IdempotencyKeys keys = new IdempotencyKeys("Idempotency-Key", false, () -> "generated");
        HttpPost post = new HttpPost("http://h/p");
        assertThat(keys.existingKey(post)).isNull();
        post.setHeader("Idempotency-Key", "mine");
        assertThat(keys.existingKey(post)).isEqualTo("mine");
        post.setHeader("Idempotency-Key", "\"quoted-\\\"one\\\"\"");
        assertThat(keys.existingKey(post)).isEqualTo("quoted-\"one\"");
    }

    @Test
    void quotingFollowsRfc8941Strings() {
        assertThat(new IdempotencyKeys("Idempotency-Key", true, () -> "x").headerValue("a\"b\\c"))
                .isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(new IdempotencyKeys("Idempotency-Key", false, () -> "x").headerValue("abc")).isEqualTo("abc");
        String key = "8e03978e-40d5-43e8-bc93-6894a57f9324";
        assertThat(IdempotencyKeys.unquote(new IdempotencyKeys("K", true, () -> key).headerValue(key))).isEqualTo(key);
    }

    @Test
    void generatorIsCalledOncePerNewKeyAndItsOutputValidated() {
        AtomicInteger calls = new AtomicInteger();
        IdempotencyKeys keys = new IdempotencyKeys("K", false, () -> "k-" + calls.incrementAndGet());
        assertThat(keys.newKey()).isEqualTo("k-1");
        assertThat(keys.newKey()).isEqualTo("k-2");
        assertThatIllegalStateException().isThrownBy(() -> new IdempotencyKeys("K", false, () -> "has space").newKey())
                .withMessageContaining("idempotencyKeyGenerator");
        assertThatIllegalStateException().isThrownBy(() -> new IdempotencyKeys("K", false, () -> "").newKey())
                .withMessageContaining("idempotencyKeyGenerator");
    }

    @Test
    void aBadGeneratedKeyIsReportedCleanedAndBounded() {
        assertThatIllegalStateException()
                .isThrownBy(() -> new IdempotencyKeys("K", false, () -> "bad\r\nX-Forged: 1").newKey())
                .withMessageContaining("idempotencyKeyGenerator")
                .withMessageNotContaining("\r")
                .withMessageNotContaining("\n");
        assertThatIllegalStateException()
                .isThrownBy(() -> new IdempotencyKeys("K", false, () -> "g".repeat(IdempotencyKeys.MAX_KEY_LENGTH + 1)).newKey())
                .withMessageContaining("longer than " + IdempotencyKeys.MAX_KEY_LENGTH)
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(600));
    }

    @Test
    void defaultKeysAreUuids() {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder().build();
        String key = policy.settings().keys().newKey();
        assertThat(UUID.fromString(key).toString()).isEqualTo(key);
        assertThat(policy.settings().keys().newKey()).isNotEqualTo(key);
    }

    @Test
    void aBlankKeyHeaderOfTheCallerIsReplacedSoExactlyOneKeyGoesOut() {
        IdempotencyKeys keys = new IdempotencyKeys("Idempotency-Key", false, () -> "generated");
        HttpPost post = new HttpPost("http://h/p");
        post.addHeader("idempotency-key", " ");
        post.addHeader("X-Trace", "1");
        assertThat(keys.existingKey(post)).isNull();

        org.apache.hc.core5.http.Header[] sent = keys.withKey(post.getHeaders(), "generated");

        assertThat(sent).extracting(h -> h.getName() + ": " + h.getValue())
                .containsExactly("X-Trace: 1", "Idempotency-Key: generated");
    }
}
