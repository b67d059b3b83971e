package dev.abortguard.examples.boot;

import dev.abortguard.client.MicrometerRecoveryMetrics;
import dev.abortguard.client.RecoveryMode;
import dev.abortguard.client.StatusDecision;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import dev.abortguard.server.ClientAbortFilter;
import dev.abortguard.server.ClientAbortHandler;
import dev.abortguard.server.MicrometerAbortMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.apache.hc.core5.util.Timeout;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import java.time.Duration;

/** The three things a Spring Boot service does to adopt abort-guard. */
@Configuration(proxyBeanMethods = false)
public class AbortGuardConfiguration {

    /** 1. Register the filter first, for REQUEST and ASYNC dispatches, counting into the actuator's registry. */
    @Bean
    public FilterRegistrationBean<ClientAbortFilter> clientAbortFilter(MeterRegistry registry) {
        ClientAbortFilter filter = ClientAbortFilter.builder()
                .metrics(new MicrometerAbortMetrics(registry))
                .build();
        FilterRegistrationBean<ClientAbortFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        registration.addUrlPatterns("/*");
        return registration;
    }

    /** 2. The handler for code that catches exceptions itself (executors, {@code @ExceptionHandler}). */
    @Bean
    public ClientAbortHandler clientAbortHandler(FilterRegistrationBean<ClientAbortFilter> clientAbortFilter) {
        return clientAbortFilter.getFilter().handler();
    }

    /**
     * 3. Wrap the HttpClient behind RestClient: a timed-out payment is resolved by asking the
     * provider's status API with the same Idempotency-Key, and resent only if it never happened.
     */
    @Bean(destroyMethod = "close")
    public CloseableHttpClient providerHttpClient(ProviderLocation provider, MeterRegistry registry,
                                                  @Value("${provider.read-timeout}") Duration readTimeout) {
        CloseableHttpClient statusClient = HttpClients.createDefault(); // not wrapped: a status check must not recover itself
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.STATUS_CHECK)
                .statusCheck(context -> statusClient.execute(
                        new org.apache.hc.client5.http.classic.methods.HttpGet(
                                provider.baseUrl() + "/provider/payments/" + context.idempotencyKey()),
                        response -> {
                            if (response.getCode() == 200) {
                                BasicClassicHttpResponse answer = new BasicClassicHttpResponse(200);
                                answer.setEntity(new StringEntity(EntityUtils.toString(response.getEntity()),
                                        ContentType.APPLICATION_JSON));
                                return StatusDecision.completed(answer);
                            }
                            return response.getCode() == 404 ? StatusDecision.notApplied() : StatusDecision.unknown();
                        }))
                .recoveryTimeout(Duration.ofSeconds(5))
                .addListener(new MicrometerRecoveryMetrics(registry)) // abortguard.client.* in the actuator
                .build();
        return policy.wrap(policy.instrument(HttpClients.custom()
                        .setDefaultRequestConfig(RequestConfig.custom()
                                .setResponseTimeout(Timeout.of(readTimeout))
                                .build()))
                .build());
    }

    @Bean
    public RestClient providerRestClient(CloseableHttpClient providerHttpClient) {
        return RestClient.builder()
                .requestFactory(new HttpComponentsClientHttpRequestFactory(providerHttpClient))
                .build();
    }
}
