package dev.abortguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.abortguard.client.ledger.LedgerClients;
import dev.abortguard.client.ledger.LedgerServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.BasicHttpClientResponseHandler;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Why the phase comes from the wire: an exception class can claim "connect failure" after the
 * request head is already on the wire. An instrumented client is not fooled; the class-based
 * fallback of an uninstrumented one is (its documented limit).
 */
class WireEvidenceTest {

    /** Writes part of the body, then fails with a connect-phase exception class. */
    static final class MisleadingEntity extends AbstractHttpEntity {
        MisleadingEntity() {
            super(ContentType.TEXT_PLAIN, null, true);
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            out.write("amount=".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            throw new ConnectException("looks like a connect failure, is not");
        }

        @Override
        public java.io.InputStream getContent() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isRepeatable() {
            return true;
        }

        @Override
        public long getContentLength() {
            return -1;
        }

        @Override
        public boolean isStreaming() {
            return false;
        }

        @Override
        public void close() {}
    }

    LedgerServer server;
    RecordingListener steps;

    @BeforeEach
    void start() throws IOException {
        server = new LedgerServer();
        steps = new RecordingListener();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    HttpPost misleading() {
        HttpPost post = new HttpPost(server.baseUri() + "/status/200");
        post.setEntity(new MisleadingEntity());
        return post;
    }

    @Test
    void instrumentedClientSeesTheHeadWasWrittenWhateverTheExceptionClass() throws Exception {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .unresolvedOutcomeHandler(e -> { })
                .addListener(steps)
                .build();
        try (CloseableHttpClient client = policy.wrap(policy.instrument(
                LedgerClients.builder(LedgerClients.pool(), Duration.ofMillis(300))).build())) {

            TimeoutRecoveryException failure = catchThrowableOfType(TimeoutRecoveryException.class,
                    () -> client.execute(misleading(), new BasicHttpClientResponseHandler()));

            assertThat(failure.phase()).isEqualTo(FailurePhase.OUTCOME_UNKNOWN);
            assertThat(failure.getCause()).isInstanceOf(ConnectException.class);
            assertThat(steps.retries).as("not retried as if never sent").isEmpty();
        }
    }

    @Test
    void uninstrumentedClientFallsBackToTheClassAndIsFooled() throws Exception {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(2))
                .addListener(steps)
                .build();
        try (CloseableHttpClient client = policy.wrap(
                LedgerClients.builder(LedgerClients.pool(), Duration.ofMillis(300)).build())) {

            assertThatThrownBy(() -> client.execute(misleading(), new BasicHttpClientResponseHandler()))
                    .isInstanceOf(ConnectException.class);

            assertThat(steps.failures).extracting(RecoveryContext::phase).containsOnly(FailurePhase.NEVER_SENT);
            assertThat(steps.retries).hasSize(2);
        }
    }
}
