package dev.abortguard.boot.payments;

import dev.abortguard.client.StatusCheck;
import dev.abortguard.client.StatusDecision;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * A service that pays through a slow provider with Boot's own {@code RestClient.Builder}; all it
 * adds for abort-guard is the {@link StatusCheck} bean that asks the provider's status API.
 */
@SpringBootApplication
public class PaymentsApplication {

    /** Not wrapped: a status check must not recover itself. */
    @Bean(destroyMethod = "close")
    CloseableHttpClient statusClient() {
        return HttpClients.createDefault();
    }

    // tag::status-check[]
    @Bean
    StatusCheck providerStatusCheck(CloseableHttpClient statusClient, Environment environment) {
        return context -> statusClient.execute(new HttpGet("http://127.0.0.1:" + environment.getProperty("local.server.port")
                + "/provider/payments/" + context.idempotencyKey()), response -> {
            if (response.getCode() == 200) {
                BasicClassicHttpResponse answer = new BasicClassicHttpResponse(200);
                answer.setEntity(new StringEntity(EntityUtils.toString(response.getEntity()), ContentType.APPLICATION_JSON));
                return StatusDecision.completed(answer);
            }
            return response.getCode() == 404 ? StatusDecision.notApplied() : StatusDecision.unknown();
        });
    }
    // end::status-check[]
}
