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
        double unknown = count("abortguard.client.failures", "phase", "outcome_unknown");
        double completed = count("abortguard.client.outcomes", "outcome", "completed");
        double opened = count("abortguard.client.connections.opened", null, null);
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
        assertEquals(unknown + 1, count("abortguard.client.failures", "phase", "outcome_unknown"));
        assertEquals(completed + 1, count("abortguard.client.outcomes", "outcome", "completed"));
        // the provider's route is tagged, and Boot's pool is tracked: its connections are counted
        assertEquals(1, registry.find("abortguard.client.failures").counters().stream()
                .map(c -> c.getId().getTag("route")).distinct().count(), "one route tag, the provider's");
        assertTrue(count("abortguard.client.connections.opened", null, null) > opened, "connections counted");
        assertTrue(count("abortguard.client.connections.closed", "reason", "response_timeout") >= 1,
                "the connection of the timed-out attempt is counted closed, with its reason");
        long clientRequests = registry.find("http.client.requests").timers().stream().mapToLong(Timer::count).sum();
        assertTrue(clientRequests >= 1, "Boot's own client observation still records the call");
    }

    /** The sum over every route (and other tags) of the counters with one tag value. */
    private double count(String name, String tag, String value) {
        io.micrometer.core.instrument.search.Search search = registry.find(name);
        if (tag != null) {
            search = search.tag(tag, value);
        }
        return search.counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }
}
