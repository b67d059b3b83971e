package dev.abortguard.boot;

import dev.abortguard.boot.idempotency.PaymentController;
import dev.abortguard.idempotency.IdempotencyStore;
import dev.abortguard.idempotency.servlet.IdempotencyFilter;
import dev.abortguard.idempotency.servlet.IdempotencyHeaders;
import dev.abortguard.server.ClientAbortFilter;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationContext;

import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter's idempotency filter in a real Boot application on Tomcat, asked over loopback with
 * HttpClient 5: configured from properties only, the store chosen from the beans present.
 */
abstract class BootIdempotencyContract {

    static final String PROPERTIES_ROUTES = "abortguard.idempotency.routes[0]=POST /payments";
    static final String PROPERTIES_STATUS = "abortguard.idempotency.status-endpoint=/idempotency/status";

    @LocalServerPort
    int port;
    @Autowired
    PaymentController payments;
    @Autowired
    ApplicationContext context;

    private final CloseableHttpClient http = HttpClients.createDefault();

    /** The store the auto-configuration should have chosen. */
    abstract Class<? extends IdempotencyStore> expectedStore();

    @AfterEach
    void close() throws IOException {
        http.close();
    }

    @Test
    void theStoreIsChosenFromTheBeansAndTheFilterSitsInsideClientAbortFilter() {
        assertThat(context.getBean(IdempotencyStore.class)).isInstanceOf(expectedStore());
        Map<String, FilterRegistrationBean<?>> registrations = context.getBeansOfType(FilterRegistrationBean.class)
                .values().stream().map(r -> (FilterRegistrationBean<?>) r)
                .collect(Collectors.toMap(r -> r.getFilter().getClass().getSimpleName(), r -> r));
        FilterRegistrationBean<?> idempotency = registrations.get(IdempotencyFilter.class.getSimpleName());
        FilterRegistrationBean<?> aborts = registrations.get(ClientAbortFilter.class.getSimpleName());
        assertThat(idempotency).as("the idempotency filter is registered").isNotNull();
        assertThat(aborts).as("abort-guard's ClientAbortFilter is registered").isNotNull();
        assertThat(idempotency.getOrder()).as("inside ClientAbortFilter").isGreaterThan(aborts.getOrder());
        assertThat(idempotency.getOrder()).as("inside Spring Security's filter chain (-100)").isGreaterThan(-100);
    }

    @Test
    void aRepeatedPostRunsTheControllerOnceAndIsReplayedAndTheStatusEndpointHasIt() throws Exception {
        String key = "pay-" + UUID.randomUUID();
        int runs = payments.runs();

        Answer first = send(post("/payments", key, "100"));
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.header(IdempotencyHeaders.REPLAYED)).isNull();
        assertThat(payments.runs()).isEqualTo(runs + 1);

        Answer second = send(post("/payments", key, "100"));
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.header(IdempotencyHeaders.REPLAYED)).isEqualTo("true");
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(second.header("X-Payment-Run")).isEqualTo(first.header("X-Payment-Run"));
        assertThat(payments.runs()).as("the controller ran once").isEqualTo(runs + 1);

        HttpGet status = new HttpGet("http://127.0.0.1:" + port + "/idempotency/status");
        status.setHeader(IdempotencyHeaders.KEY, key);
        Answer known = send(status);
        assertThat(known.status()).isEqualTo(200);
        assertThat(known.header(IdempotencyHeaders.STATUS)).isEqualTo("completed");
        assertThat(known.header(IdempotencyHeaders.RESPONSE_STATUS)).isEqualTo("201");
        assertThat(known.body()).isEqualTo(first.body());

        status.setHeader(IdempotencyHeaders.KEY, "never-" + UUID.randomUUID());
        Answer unknown = send(status);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.header(IdempotencyHeaders.STATUS)).isEqualTo("unknown");

        assertThat(send(post("/payments", key, "250")).status()).as("the key reused with another body").isEqualTo(422);
        assertThat(send(post("/payments", null, "100")).status()).as("no key on the route").isEqualTo(400);
        assertThat(payments.runs()).isEqualTo(runs + 1);

        Answer refund = send(post("/refunds", null, "5"));
        assertThat(refund.status()).as("a route nobody named is not claimed").isEqualTo(200);
        assertThat(payments.runs()).isEqualTo(runs + 2);
    }

    HttpPost post(String path, String key, String body) {
        HttpPost post = new HttpPost("http://127.0.0.1:" + port + path);
        if (key != null) {
            post.setHeader(IdempotencyHeaders.KEY, key);
        }
        post.setEntity(new StringEntity(body, ContentType.TEXT_PLAIN));
        return post;
    }

    Answer send(HttpUriRequestBase request) throws IOException {
        return http.execute(request, response -> new Answer(response.getCode(),
                response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity()),
                response.getHeaders()));
    }

    record Answer(int status, String body, Header[] headers) {
        String header(String name) {
            for (Header h : headers) {
                if (h.getName().equalsIgnoreCase(name)) {
                    return h.getValue();
                }
            }
            return null;
        }
    }
}
