package dev.abortguard.boot;

import dev.abortguard.micrometer.MicrometerAbortMetrics;
import dev.abortguard.server.ClientAbortFilter;
import dev.abortguard.server.ClientAbortHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** Conditions and properties, on a real (server-less) Boot web application context. */
class AutoConfigurationConditionsTest {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AbortGuardServerAutoConfiguration.class));

    @Test
    void theDependencyAloneRegistersTheFilterHandlerResolverGuardAndObservationFilter() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(ClientAbortHandler.class)
                    .hasSingleBean(ClientAbortExceptionResolver.class)
                    .hasSingleBean(AbortedRequestObservationFilter.class)
                    .hasSingleBean(AbortGuardServerAutoConfiguration.LoggingGuard.class);
            FilterRegistrationBean<?> registration = context.getBean(FilterRegistrationBean.class);
            assertThat(registration.getFilter()).isInstanceOf(ClientAbortFilter.class);
            assertThat(registration.getOrder()).isEqualTo(Integer.MIN_VALUE + 2);
            assertThat(registration.getUrlPatterns()).containsExactly("/*");
            assertThat(context.getBean(ClientAbortHandler.class))
                    .isSameAs(((ClientAbortFilter) registration.getFilter()).handler());
        });
    }

    @Test
    void aMeterRegistryBeanMeansMicrometerMetrics() {
        runner.withBean(SimpleMeterRegistry.class).run(context -> {
            assertThat(context).hasSingleBean(MicrometerAbortMetrics.class);
            ClientAbortFilter filter = (ClientAbortFilter) context.getBean(FilterRegistrationBean.class).getFilter();
            assertThat(filter.metrics()).isSameAs(context.getBean(MicrometerAbortMetrics.class));
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnFilter {
        @Bean
        FilterRegistrationBean<ClientAbortFilter> myFilter() {
            return new FilterRegistrationBean<>(ClientAbortFilter.builder().build());
        }
    }

    @Test
    void aUsersOwnFilterMeansNoSecondFilterAndTheHandlerIsTheUsers() {
        runner.withUserConfiguration(OwnFilter.class).run(context -> {
            assertThat(context.getBeansOfType(FilterRegistrationBean.class)).containsOnlyKeys("myFilter");
            ClientAbortFilter mine = (ClientAbortFilter) context.getBean("myFilter", FilterRegistrationBean.class).getFilter();
            assertThat(context.getBean(ClientAbortHandler.class)).isSameAs(mine.handler());
        });
    }

    @Test
    void enabledFalseMeansNoFilterNoResolverNoGuard() {
        runner.withPropertyValues("abortguard.server.enabled=false").run(context -> assertThat(context)
                .doesNotHaveBean(FilterRegistrationBean.class)
                .doesNotHaveBean(ClientAbortHandler.class)
                .doesNotHaveBean(ClientAbortExceptionResolver.class)
                .doesNotHaveBean(AbortGuardServerAutoConfiguration.LoggingGuard.class)
                .doesNotHaveBean(AbortedRequestObservationFilter.class));
    }

    @Test
    void eachPartHasItsOwnSwitch() {
        runner.withPropertyValues("abortguard.server.exception-resolver.enabled=false",
                "abortguard.server.logging-guard.enabled=false", "abortguard.server.observation.enabled=false")
                .run(context -> assertThat(context)
                        .hasSingleBean(FilterRegistrationBean.class)
                        .doesNotHaveBean(ClientAbortExceptionResolver.class)
                        .doesNotHaveBean(AbortGuardServerAutoConfiguration.LoggingGuard.class)
                        .doesNotHaveBean(AbortedRequestObservationFilter.class));
    }

    private final WebApplicationContextRunner clientRunner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AbortGuardClientAutoConfiguration.class));

    @Test
    void theClientSideIsActiveOnlyWithAStatusCheckBeanAndCanBeSwitchedOff() throws Exception {
        dev.abortguard.client.StatusCheck statusCheck = context -> dev.abortguard.client.StatusDecision.unknown();
        clientRunner.run(context -> assertThat(context).doesNotHaveBean(dev.abortguard.client.TimeoutRecoveryPolicy.class));
        clientRunner.withBean(dev.abortguard.client.StatusCheck.class, () -> statusCheck)
                .run(context -> assertThat(context).hasSingleBean(dev.abortguard.client.TimeoutRecoveryPolicy.class)
                        .hasBean("abortGuardRequestFactoryCustomizer"));
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("../README.md"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("```properties\\n(spring\\.http\\.clients\\..*?)```",
                java.util.regex.Pattern.DOTALL).matcher(readme);
        assertThat(m.find()).as("the README shows the client properties").isTrue();
        String[] lines = m.group(1).lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toArray(String[]::new);
        clientRunner.withBean(dev.abortguard.client.StatusCheck.class, () -> statusCheck).withPropertyValues(lines)
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(dev.abortguard.client.TimeoutRecoveryPolicy.class));
        clientRunner.withBean(dev.abortguard.client.StatusCheck.class, () -> statusCheck)
                .withPropertyValues("abortguard.client.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(dev.abortguard.client.TimeoutRecoveryPolicy.class));
        clientRunner.withBean(dev.abortguard.client.StatusCheck.class, () -> statusCheck)
                .withPropertyValues("abortguard.client.max-attempts=0")
                .run(context -> assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("abortguard.client.max-attempts"));
    }

    @Test
    void theReadmesPropertiesStartTheApplication() throws Exception {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("../README.md"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("```properties\\n(abortguard\\.server\\..*?)```",
                java.util.regex.Pattern.DOTALL).matcher(readme);
        assertThat(m.find()).as("the README shows the properties").isTrue();
        String[] lines = m.group(1).lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toArray(String[]::new);
        assertThat(lines).hasSizeGreaterThan(5);
        runner.withPropertyValues(lines).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(ClientAbortExceptionResolver.class);
            assertThat(context.getBean(AbortGuardServerProperties.class).getRequestIdHeaders())
                    .containsExactly("X-Request-Id", "X-Correlation-Id");
        });
    }

    @Test
    void anInvalidValueFailsStartupNamingTheProperty() {
        runner.withPropertyValues("abortguard.server.max-log-lines-per-second=0").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                    .hasMessageContaining("abortguard.server.max-log-lines-per-second")
                    .hasMessageContaining("maxLogLinesPerSecond must be >= 1");
        });
        runner.withPropertyValues("abortguard.server.max-routes=0").run(context -> assertThat(context.getStartupFailure())
                .rootCause().hasMessageContaining("abortguard.server.max-routes"));
        // a value that cannot be bound fails in Boot's binder, which names the property too
        runner.withPropertyValues("abortguard.server.log-level=LOUD").run(context -> assertThat(context.getStartupFailure())
                .hasStackTraceContaining("Failed to bind properties under 'abortguard.server.log-level'"));
    }
}
