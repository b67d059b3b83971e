package dev.abortguard.boot;

import dev.abortguard.boot.payments.PaymentsApplication;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A StatusCheck bean and Boot's own RestClient.Builder: a POST whose answer stalls past the read
 * timeout ({@code spring.http.clients.read-timeout}) returns the provider's answer via the status
 * check, once, without a second payment; the meters show it; {@code http.client.requests} is still
 * recorded.
 */
@SpringBootTest(classes = PaymentsApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "spring.http.clients.read-timeout=300ms")
class BootClientRecoveryTest {

    @LocalServerPort
    int port;
    @Autowired
    MeterRegistry registry;
    @Autowired
    dev.abortguard.boot.payments.PaymentsController payments;

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"/checkout", "/checkout-template"})
    void aTimedOutPaymentIsResolvedByTheStatusCheckThroughBootsOwnBuilders(String path) throws Exception {
        int ledger = payments.ledgerSize();
        int calls = payments.providerCallCount();
        double unknown = registry.counter("abortguard.client.failures", "phase", "outcome_unknown").count();
        double completed = registry.counter("abortguard.client.outcomes", "outcome", "completed").count();
        try (CloseableHttpClient caller = HttpClients.createDefault()) {
            HttpPost checkout = new HttpPost("http://127.0.0.1:" + port + path);
            checkout.setEntity(new StringEntity("100", ContentType.TEXT_PLAIN));
            String body = caller.execute(checkout, response -> {
                assertEquals(200, response.getCode(), "the checkout succeeded for its caller");
                return EntityUtils.toString(response.getEntity());
            });
            assertEquals("{\"amount\":100,\"status\":\"COMPLETED\"}", body, "the status API's answer, not an exception");
        }
        assertEquals(ledger + 1, payments.ledgerSize(), "paid once");
        assertEquals(calls + 1, payments.providerCallCount(), "never resent: the status check proved it happened");
        assertEquals(unknown + 1, registry.counter("abortguard.client.failures", "phase", "outcome_unknown").count());
        assertEquals(completed + 1, registry.counter("abortguard.client.outcomes", "outcome", "completed").count());
        long clientRequests = registry.find("http.client.requests").timers().stream().mapToLong(Timer::count).sum();
        assertTrue(clientRequests >= 1, "Boot's own client observation still records the call");
    }
}
