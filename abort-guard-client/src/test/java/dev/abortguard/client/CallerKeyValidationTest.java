package dev.abortguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.abortguard.client.internal.IdempotencyKeys;
import dev.abortguard.client.ledger.LedgerClients;
import dev.abortguard.client.ledger.LedgerServer;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.BasicHttpClientResponseHandler;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A key the caller put on the request is refused before anything is sent when HttpClient could
 * not send it as it is: HttpClient writes CR/LF as spaces and non-ASCII as {@code ?}, so {@code
 * ключ-1} and {@code счёт-1} would reach the server as the same {@code ????-1} while callbacks and
 * the handler saw two different keys.
 */
class CallerKeyValidationTest {

    LedgerServer server;
    RecordingListener steps;
    CloseableHttpClient client;

    @BeforeEach
    void start() throws Exception {
        server = new LedgerServer();
        steps = new RecordingListener();
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        server.close();
    }

    CloseableHttpClient client(boolean quote) {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .quoteIdempotencyKey(quote)
                .addListener(steps)
                .build();
        client = policy.wrap(policy.instrument(LedgerClients.builder(LedgerClients.pool(), Duration.ofSeconds(2))).build());
        return client;
    }

    HttpPost payment(String keyHeader) {
        HttpPost post = new HttpPost(server.baseUri() + "/payments");
        post.setEntity(new StringEntity("amount=1", ContentType.TEXT_PLAIN));
        post.setHeader("Idempotency-Key", keyHeader);
        return post;
    }

    static Stream<Arguments> unsendableKeys() {
        return Stream.of(
                Arguments.of("ключ-1", "not printable ASCII"),
                Arguments.of("счёт-1", "not printable ASCII"),
                Arguments.of("a\r\nX-Injected: 1", "not printable ASCII"),
                Arguments.of("tab\there", "not printable ASCII"),
                Arguments.of("esc\u001b[31mred", "not printable ASCII"),
                Arguments.of("bidi\u202Eevil", "not printable ASCII"),
                Arguments.of("k".repeat(100_000), "longer than 255"),
                Arguments.of("k".repeat(IdempotencyKeys.MAX_KEY_LENGTH + 1), "longer than 255"),
                Arguments.of("\"unterminated", "quoted string"),
                Arguments.of("\"bad \\escape\"", "quoted string"),
                Arguments.of("\"inner \" quote\"", "quoted string"),
                Arguments.of("\"\"", "empty"),
                Arguments.of("\"ключ\"", "not printable ASCII"));
    }

    @ParameterizedTest
    @MethodSource("unsendableKeys")
    void aCallerKeyHttpClientCannotSendAsItIsIsRefusedBeforeAnythingIsSent(String key, String why) {
        client(false);

        IllegalArgumentException refused = catchThrowableOfType(IllegalArgumentException.class,
                () -> client.execute(payment(key), new BasicHttpClientResponseHandler()));

        assertThat(refused).as("refused").isNotNull();
        assertThat(refused.getMessage())
                .contains("Idempotency-Key", why)
                .doesNotContain("\r", "\n", "\t", "\u001b", "\u202E");
        assertThat(refused.getMessage().length()).as("a huge key is not echoed").isLessThan(600);
        assertThat(server.arrivalLog()).as("nothing sent").isEmpty();
        assertThat(steps.failures).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theSameKeysAreRefusedWhenTheKeyIsWrittenQuoted(boolean quote) {
        client(quote);

        Throwable refused = catchThrowable(() -> client.execute(payment("счёт-1"), new BasicHttpClientResponseHandler()));

        assertThat(refused).isInstanceOf(IllegalArgumentException.class);
        assertThat(server.arrivalLog()).isEmpty();
    }

    @Test
    void keysHttpClientSendsAsTheyAreStillGoOutUnchanged() throws Exception {
        client(false);
        String longest = "k".repeat(IdempotencyKeys.MAX_KEY_LENGTH);

        client.execute(payment(longest), new BasicHttpClientResponseHandler());
        client.execute(payment("order:42/1;x=\"y\""), new BasicHttpClientResponseHandler());
        client.execute(payment("\"quoted, with space \\\"and escapes\\\\\""), new BasicHttpClientResponseHandler());

        assertThat(server.arrivalLog()).containsExactly(
                longest, "order:42/1;x=\"y\"", "\"quoted, with space \\\"and escapes\\\\\"");
    }

    @Test
    void theAsyncAdapterFailsTheFutureAndSendsNothing() throws Exception {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder().addListener(steps).build();
        CloseableHttpAsyncClient async = HttpAsyncClients.createDefault();
        async.start();
        try (AsyncTimeoutRecovery recovery = policy.wrapAsync(async)) {
            SimpleHttpRequest request = SimpleRequestBuilder.post(server.baseUri() + "/payments")
                    .setBody("amount=2", ContentType.TEXT_PLAIN)
                    .setHeader("Idempotency-Key", "ключ-1")
                    .build();

            Throwable failed = catchThrowable(() -> recovery.execute(request).get(10, TimeUnit.SECONDS));

            assertThat(failed).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Idempotency-Key");
        }
        assertThat(server.arrivalLog()).isEmpty();
    }
}
