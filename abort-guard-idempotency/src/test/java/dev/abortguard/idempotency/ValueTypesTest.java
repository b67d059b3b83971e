package dev.abortguard.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.abortguard.idempotency.internal.HeaderCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The value types: the key rule (the client's), fingerprints, immutable responses, the header encoding. */
class ValueTypesTest {

    @Test
    void aKeyIsOneTo255PrintableAsciiCharactersAsTheClientSendsIt() {
        assertThat(IdempotencyKey.of("a").value()).isEqualTo("a");
        assertThat(IdempotencyKey.of("x".repeat(255)).value()).hasSize(255);
        // a quoted key may hold a space, and the store receives it unquoted
        assertThat(IdempotencyKey.of("order 7 \"x\"").value()).isEqualTo("order 7 \"x\"");
        assertThat(IdempotencyKey.problem("")).isEqualTo("empty");
        assertThat(IdempotencyKey.problem("x".repeat(256))).isEqualTo("longer than 255 characters: 256");
        assertThat(IdempotencyKey.problem("ключ-1")).isEqualTo("character U+043A at index 0 is not printable ASCII");
        assertThat(IdempotencyKey.problem("a\r\nb")).contains("U+000D");
        assertThat(IdempotencyKey.problem("tab\t")).contains("U+0009");
        assertThat(IdempotencyKey.problem(null)).isEqualTo("missing");
        assertThatIllegalArgumentException().isThrownBy(() -> IdempotencyKey.of("\u007f")).withMessageContaining("U+007F");
        assertThatNullPointerException().isThrownBy(() -> IdempotencyKey.of(null)).withMessage("value");
    }

    @Test
    void aFingerprintIsMethodPathAndTheBodysSha256() {
        RequestFingerprint fp = RequestFingerprint.of("POST", "/payments", "abc".getBytes(StandardCharsets.UTF_8));
        assertThat(fp.bodySha256()).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(fp).isEqualTo(RequestFingerprint.ofDigest("POST", "/payments",
                RequestFingerprint.sha256().digest("abc".getBytes(StandardCharsets.UTF_8))));
        assertThat(fp).isNotEqualTo(RequestFingerprint.of("POST", "/payments", "abd".getBytes(StandardCharsets.UTF_8)));
        assertThatIllegalArgumentException().isThrownBy(() -> new RequestFingerprint("POST", "/p", "ABC"));
        assertThatIllegalArgumentException().isThrownBy(() -> RequestFingerprint.of("PO ST", "/p", new byte[0]));
        assertThatIllegalArgumentException().isThrownBy(() -> RequestFingerprint.of("POST", "/p\n", new byte[0]));
        assertThatIllegalArgumentException().isThrownBy(() -> RequestFingerprint.of("POST", "/".repeat(2049), new byte[0]));
        assertThatNullPointerException().isThrownBy(() -> RequestFingerprint.of("POST", null, new byte[0])).withMessage("path");
    }

    @Test
    void aStoredResponseCopiesItsBodyInAndOut() {
        byte[] body = {1, 2, 3};
        RequestFingerprint fp = RequestFingerprint.of("POST", "/p", new byte[0]);
        StoredResponse response = new StoredResponse(200, List.of(), body, fp);
        body[0] = 9;
        response.body()[1] = 9;
        assertThat(response.body()).containsExactly(1, 2, 3);
        assertThat(response).isEqualTo(new StoredResponse(200, List.of(), new byte[] {1, 2, 3}, fp));
        assertThat(response.toString()).contains("3 bytes (010203)");
        assertThatIllegalArgumentException().isThrownBy(() -> new StoredResponse(600, List.of(), body, fp));
        assertThatIllegalArgumentException().isThrownBy(() -> new StoredResponse.Header("X-A", "1\r\nSet-Cookie: x"));
        assertThatIllegalArgumentException().isThrownBy(() -> new StoredResponse.Header("X:A", "1"));
        assertThatIllegalArgumentException().isThrownBy(() -> new StoredResponse.Header("", "1"));
    }

    @Test
    void headersSurviveTheirEncodingInOrder() {
        List<StoredResponse.Header> headers = List.of(new StoredResponse.Header("A", "1:2:3"),
                new StoredResponse.Header("a", ""), new StoredResponse.Header("12", "34:"), new StoredResponse.Header("Ü", "é €"));
        assertThat(HeaderCodec.decode(HeaderCodec.encode(headers))).containsExactlyElementsOf(headers);
        assertThat(HeaderCodec.decode("")).isEmpty();
    }
}
