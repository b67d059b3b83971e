package dev.abortguard.boot;

import dev.abortguard.client.CancelAction;
import dev.abortguard.client.ConnectionListener;
import dev.abortguard.client.RecoveryListener;
import dev.abortguard.client.StatusCheck;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import dev.abortguard.client.UnresolvedOutcomeHandler;
import dev.abortguard.micrometer.MicrometerConnectionMetrics;
import dev.abortguard.micrometer.MicrometerRecoveryMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Timeout recovery for the outbound calls of a Spring Boot application, with the application's
 * {@link StatusCheck} bean and nothing else: the HttpClient 5 that Boot builds for its
 * auto-configured {@code RestClient.Builder} and {@code RestTemplateBuilder} is {@linkplain
 * TimeoutRecoveryPolicy#instrument instrumented} and {@linkplain TimeoutRecoveryPolicy#wrap
 * wrapped}. Boot keeps building it — {@code spring.http.clients.*} (read and connect timeouts,
 * redirects, SSL bundles) and its {@code http.client.requests} observations still apply.
 *
 * <p>Optional beans join the policy: a {@link CancelAction}, an {@link UnresolvedOutcomeHandler},
 * any number of {@link RecoveryListener}s and {@link ConnectionListener}s; {@code abortguard.client.*}
 * meters (recovery, overload and connection churn) are registered when a
 * {@code MeterRegistry} exists. A {@link TimeoutRecoveryPolicy} bean of the application's own
 * replaces the one built from properties. {@code abortguard.client.enabled=false} turns it off.
 */
@AutoConfiguration(
        beforeName = "org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration",
        afterName = {
                "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
                "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
                "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass({TimeoutRecoveryPolicy.class, CloseableHttpClient.class, HttpComponentsClientHttpRequestFactoryBuilder.class})
@ConditionalOnBooleanProperty(name = "abortguard.client.enabled", matchIfMissing = true)
@ConditionalOnBean(StatusCheck.class)
@EnableConfigurationProperties(AbortGuardClientProperties.class)
public class AbortGuardClientAutoConfiguration {

    /**
     * The policy from {@code abortguard.client.*} and the application's callback beans.
     *
     * @param p {@code abortguard.client.*}
     * @param statusCheck the application's status check
     * @param cancelAction the application's cancel action, if any
     * @param unresolved the application's handler of unresolved outcomes, if any
     * @param listeners the application's listeners (and the Micrometer one)
     * @param connectionListeners the application's connection listeners (and the Micrometer one)
     * @return the policy
     */
    @Bean
    @ConditionalOnMissingBean
    public TimeoutRecoveryPolicy abortGuardTimeoutRecoveryPolicy(AbortGuardClientProperties p, StatusCheck statusCheck,
                                                                 ObjectProvider<CancelAction> cancelAction,
                                                                 ObjectProvider<UnresolvedOutcomeHandler> unresolved,
                                                                 ObjectProvider<RecoveryListener> listeners,
                                                                 ObjectProvider<ConnectionListener> connectionListeners) {
        TimeoutRecoveryPolicy.Builder b = TimeoutRecoveryPolicy.builder().statusCheck(statusCheck);
        cancelAction.ifUnique(b::cancelAction);
        unresolved.ifUnique(b::unresolvedOutcomeHandler);
        listeners.orderedStream().forEach(b::addListener);
        connectionListeners.orderedStream().forEach(b::addConnectionListener);
        set("abortguard.client.mode", p.getMode(), b::mode);
        set("abortguard.client.recovery-timeout", p.getRecoveryTimeout(), b::recoveryTimeout);
        set("abortguard.client.callback-timeout", p.getCallbackTimeout(), b::callbackTimeout);
        set("abortguard.client.max-attempts", p.getMaxAttempts(), b::maxAttempts);
        if (p.getRetryBackoffInitial() != null || p.getRetryBackoffMax() != null) {
            Duration initial = p.getRetryBackoffInitial() != null ? p.getRetryBackoffInitial() : Duration.ofMillis(50);
            Duration max = p.getRetryBackoffMax() != null ? p.getRetryBackoffMax() : initial.multipliedBy(20);
            set("abortguard.client.retry-backoff-initial", initial, i -> b.retryBackoff(i, max));
        }
        if (p.getStatusCheckBackoffInitial() != null || p.getStatusCheckBackoffMax() != null) {
            Duration initial = p.getStatusCheckBackoffInitial() != null ? p.getStatusCheckBackoffInitial() : Duration.ofMillis(100);
            Duration max = p.getStatusCheckBackoffMax() != null ? p.getStatusCheckBackoffMax() : initial.multipliedBy(20);
            set("abortguard.client.status-check-backoff-initial", initial, i -> b.statusCheckBackoff(i, max));
        }
        set("abortguard.client.exchange-deadline", p.getExchangeDeadline(), b::exchangeDeadline);
        set("abortguard.client.idempotency-key-header", p.getIdempotencyKeyHeader(), b::idempotencyKeyHeader);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            // build() validates and names the builder setting first ("maxAttempts must be ..."): name the property
            String setting = leadingName(e.getMessage());
            String property = "abortguard.client." + kebab(setting);
            throw new InvalidConfigurationPropertyValueException(property, valueOf(p, setting), e.getMessage());
        }
    }

    private static String leadingName(String message) {
        int end = 0;
        while (message != null && end < message.length() && Character.isLetterOrDigit(message.charAt(end))) {
            end++;
        }
        return end == 0 ? "mode" : message.substring(0, end);
    }

    private static String kebab(String setting) {
        String name = switch (setting) {
            case "retryBackoff" -> "retryBackoffInitial";
            case "statusCheckBackoff" -> "statusCheckBackoffInitial";
            case "statusCheck", "cancelAction" -> "mode"; // a mode that needs a callback bean the application lacks
            default -> setting;
        };
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static Object valueOf(AbortGuardClientProperties p, String setting) {
        return switch (setting) {
            case "maxAttempts" -> p.getMaxAttempts();
            case "recoveryTimeout" -> p.getRecoveryTimeout();
            case "callbackTimeout" -> p.getCallbackTimeout();
            case "retryBackoff" -> p.getRetryBackoffInitial();
            case "statusCheckBackoff" -> p.getStatusCheckBackoffInitial();
            case "exchangeDeadline" -> p.getExchangeDeadline();
            case "idempotencyKeyHeader" -> p.getIdempotencyKeyHeader();
            default -> p.getMode();
        };
    }

    private static <T> void set(String property, T value, Consumer<T> setting) {
        if (value == null) {
            return;
        }
        try {
            setting.accept(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidConfigurationPropertyValueException(property, value, e.getMessage());
        }
    }

    /**
     * Makes Boot's HttpClient 5 request factories recover: instrument the client builder and the
     * pool (connection churn, when there are connection listeners), wrap the built client.
     *
     * @param policy the policy
     * @return the customizer Boot applies to its HttpComponents request factory builder
     */
    @Bean
    public ClientHttpRequestFactoryBuilderCustomizer<HttpComponentsClientHttpRequestFactoryBuilder> abortGuardRequestFactoryCustomizer(
            TimeoutRecoveryPolicy policy) {
        return builder -> builder
                .withHttpClientCustomizer(policy::instrument)
                .withConnectionManagerCustomizer(policy::instrument)
                .withCustomizer(factory -> factory.setHttpClient(policy.wrap((CloseableHttpClient) factory.getHttpClient())));
    }

    /** {@code abortguard.client.*} meters, when Micrometer and a registry are there. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class MicrometerConfiguration {
        @Bean
        @ConditionalOnBean(MeterRegistry.class)
        @ConditionalOnMissingBean
        MicrometerRecoveryMetrics abortGuardRecoveryMetrics(MeterRegistry registry) {
            return new MicrometerRecoveryMetrics(registry);
        }

        @Bean
        @ConditionalOnBean(MeterRegistry.class)
        @ConditionalOnMissingBean
        MicrometerConnectionMetrics abortGuardConnectionMetrics(MeterRegistry registry) {
            return new MicrometerConnectionMetrics(registry);
        }
    }
}
