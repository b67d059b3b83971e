package dev.abortguard.examples.boot;

import dev.abortguard.client.StatusCheck;
import dev.abortguard.client.StatusDecision;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The only abort-guard code of the application: how to ask the payment provider whether a payment
 * whose answer was lost happened. With it, abort-guard-spring-boot makes Boot's own {@code
 * RestClient.Builder} resolve a timed-out payment by asking, under the same Idempotency-Key,
 * and resend only if it never happened.
 */
@Configuration(proxyBeanMethods = false)
public class ProviderStatusCheck {

    /** Not wrapped: a status check must not recover itself. */
    @Bean(destroyMethod = "close")
    CloseableHttpClient providerStatusClient() {
        return HttpClients.createDefault();
    }

    @Bean
    StatusCheck providerPaymentStatus(CloseableHttpClient providerStatusClient, ProviderLocation provider) {
        return context -> providerStatusClient.execute(
                new HttpGet(provider.baseUrl() + "/provider/payments/" + context.idempotencyKey()),
                response -> {
                    if (response.getCode() == 200) {
                        BasicClassicHttpResponse answer = new BasicClassicHttpResponse(200);
                        answer.setEntity(new StringEntity(EntityUtils.toString(response.getEntity()),
                                ContentType.APPLICATION_JSON));
                        return StatusDecision.completed(answer);
                    }
                    return response.getCode() == 404 ? StatusDecision.notApplied() : StatusDecision.unknown();
                });
    }
}
