package dev.abortguard.examples.boot;

import dev.abortguard.client.CancelResult;
import dev.abortguard.client.RecoveryMode;
import dev.abortguard.client.StatusDecision;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import dev.abortguard.micrometer.MicrometerAbortMetrics;
import dev.abortguard.micrometer.MicrometerRecoveryMetrics;
import dev.abortguard.server.ClientAbortFilter;
import dev.abortguard.server.ClientAbortHandler;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import java.time.Duration;
import java.util.EnumSet;

/**
 * The code of every Java snippet in README.md, compiled and exercised by {@link ReadmeSnippetsTest},
 * which also checks that the README still contains each tagged region verbatim.
 */
final class ReadmeSnippets {

    private static final Logger log = LoggerFactory.getLogger(ReadmeSnippets.class);

    private ReadmeSnippets() {
    }

    static ClientAbortFilter programmatic(ServletContext servletContext, MeterRegistry meterRegistry) {
        // tag::server-programmatic[]
        ClientAbortFilter filter = ClientAbortFilter.builder()
                .metrics(new MicrometerAbortMetrics(meterRegistry)) // or new AbortCounters()
                .build();
        FilterRegistration.Dynamic registration = servletContext.addFilter("clientAbortFilter", filter);
        registration.setAsyncSupported(true);
        registration.addMappingForUrlPatterns(
                EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC), false, "/*");
        // end::server-programmatic[]
        return filter;
    }

    // tag::server-spring[]
    @org.springframework.context.annotation.Bean
    FilterRegistrationBean<ClientAbortFilter> clientAbortFilter(MeterRegistry registry) {
        ClientAbortFilter filter = ClientAbortFilter.builder()
                .metrics(new MicrometerAbortMetrics(registry))
                .build();
        FilterRegistrationBean<ClientAbortFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE); // first: it must wrap everything else
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        return registration;
    }

    @org.springframework.context.annotation.Bean
    ClientAbortHandler clientAbortHandler(FilterRegistrationBean<ClientAbortFilter> clientAbortFilter) {
        return clientAbortFilter.getFilter().handler();
    }
    // end::server-spring[]

    static boolean handler(ClientAbortHandler abortHandler, Exception e, HttpServletRequest request) {
        // tag::server-handler[]
        if (!abortHandler.handle(e, request)) {
            log.error("stream failed", e); // a real error: exactly as loud as before
        }
        // end::server-handler[]
        return true;
    }

    static CloseableHttpClient clientPolicy(String provider, MeterRegistry registry) {
        // tag::client-policy[]
        CloseableHttpClient statusClient = HttpClients.createDefault(); // not wrapped
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.STATUS_CHECK_THEN_CANCEL)
                .statusCheck(ctx -> statusClient.execute(
                        new HttpGet(provider + "/payments/" + ctx.idempotencyKey()),
                        response -> switch (response.getCode()) {
                            case 200 -> StatusDecision.completed(response); // the caller gets this response
                            case 404 -> StatusDecision.notApplied();  // not found: resend, same key (see below)
                            case 202 -> StatusDecision.pending();     // check again after backoff
                            default -> StatusDecision.unknown();
                        }))
                .cancelAction(ctx -> statusClient.execute(
                        new HttpPost(provider + "/payments/" + ctx.idempotencyKey() + "/cancel"),
                        response -> response.getCode() == 200 ? CancelResult.CANCELED
                                : response.getCode() == 409 ? CancelResult.ALREADY_COMPLETED
                                : CancelResult.FAILED))
                .notAppliedHorizon(Duration.ofSeconds(2))     // a 404 sooner than this after a send: pending
                .recoveryTimeout(Duration.ofSeconds(10))
                .exchangeDeadline(Duration.ofSeconds(5))       // optional whole-exchange deadline
                .addListener(new MicrometerRecoveryMetrics(registry))
                .build();

        CloseableHttpClient client = policy.wrap(HttpClients.custom()); // instruments, builds, wraps
        // end::client-policy[]
        return client;
    }

    static RestClient restClient(CloseableHttpClient client) {
        // tag::client-restclient[]
        RestClient restClient = RestClient.builder()
                .requestFactory(new HttpComponentsClientHttpRequestFactory(client))
                .build();
        // end::client-restclient[]
        return restClient;
    }
}
