package dev.abortguard.boot;

import dev.abortguard.micrometer.MicrometerAbortMetrics;
import dev.abortguard.server.AbortCounters;
import dev.abortguard.server.AbortMetrics;
import dev.abortguard.server.ClientAbortFilter;
import dev.abortguard.server.ClientAbortHandler;
import dev.abortguard.server.logging.ClientAbortLog4jFilter;
import dev.abortguard.server.logging.ClientAbortTurboFilter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingFilterBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

import java.util.function.Consumer;

/**
 * Client aborts on a servlet Spring Boot application, with nothing but the dependency:
 * <ul>
 *   <li>{@link ClientAbortFilter}, registered ahead of every filter that could write, for {@code
 *       REQUEST} and {@code ASYNC} dispatches, configured from {@code abortguard.server.*} and
 *       counting into Micrometer when a {@code MeterRegistry} bean exists (else into {@link
 *       AbortCounters});</li>
 *   <li>its {@link ClientAbortHandler} as a bean, for code that wants to ask;</li>
 *   <li>{@link ClientAbortExceptionResolver}, so that the application's catch-all advice never
 *       sees the abort;</li>
 *   <li>the logging guard of the logging backend in use (Logback or Log4j 2), so that a catch block
 *       that logs the abort itself writes nothing more than the filter's one INFO line;</li>
 *   <li>{@link AbortedRequestObservationFilter}, so that {@code http.server.requests} does not call
 *       an aborted request a success.</li>
 * </ul>
 * A user's own {@code ClientAbortFilter} (a bean, or a {@code FilterRegistrationBean} of one) wins:
 * no second filter is registered, and the handler, resolver and guard use the user's filter. Each
 * part has an {@code enabled} switch; {@code abortguard.server.enabled=false} turns them all off.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnClass({Filter.class, ClientAbortFilter.class})
@ConditionalOnBooleanProperty(name = "abortguard.server.enabled", matchIfMissing = true)
@EnableConfigurationProperties(AbortGuardServerProperties.class)
public class AbortGuardServerAutoConfiguration {

    /**
     * The filter, unless the application registered its own.
     *
     * @param properties {@code abortguard.server.*}
     * @param metrics an {@link AbortMetrics} bean: the application's own, or Micrometer's when a
     *                {@code MeterRegistry} exists; without one, {@link AbortCounters}
     * @return the filter's registration
     */
    @Bean
    @ConditionalOnMissingFilterBean(ClientAbortFilter.class)
    public FilterRegistrationBean<ClientAbortFilter> abortGuardFilterRegistration(
            AbortGuardServerProperties properties, ObjectProvider<AbortMetrics> metrics) {
        ClientAbortFilter filter = filter(properties, metrics.getIfUnique(() -> counters(properties)));
        FilterRegistrationBean<ClientAbortFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setName("clientAbortFilter");
        registration.setOrder(properties.getFilterOrder());
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        registration.addUrlPatterns("/*");
        registration.setAsyncSupported(true);
        return registration;
    }

    private static AbortMetrics counters(AbortGuardServerProperties properties) {
        return valid("abortguard.server.max-routes", properties.getMaxRoutes(), () -> new AbortCounters(properties.getMaxRoutes()));
    }

    /** Micrometer is optional: only classes behind {@code @ConditionalOnClass} name it. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class MicrometerConfiguration {
        @Bean
        @ConditionalOnBean(MeterRegistry.class)
        @ConditionalOnMissingBean(AbortMetrics.class)
        MicrometerAbortMetrics abortGuardMetrics(MeterRegistry registry, AbortGuardServerProperties properties) {
            return valid("abortguard.server.max-routes", properties.getMaxRoutes(),
                    () -> new MicrometerAbortMetrics(registry, properties.getMaxRoutes()));
        }

        @Bean
        DroppedLogEventsMeter abortGuardDroppedLogEvents(ObjectProvider<LoggingGuard> guards) {
            return new DroppedLogEventsMeter(guards);
        }
    }

    /**
     * Read when the meter is read: whichever guards exist then, summed. A bean, because Micrometer
     * holds a function counter's state object weakly: the context keeps this one alive.
     */
    static final class DroppedLogEventsMeter implements MeterBinder {
        private final ObjectProvider<LoggingGuard> guards;

        DroppedLogEventsMeter(ObjectProvider<LoggingGuard> guards) {
            this.guards = guards;
        }

        long dropped() {
            return guards.stream().mapToLong(LoggingGuard::droppedEvents).sum();
        }

        @Override
        public void bindTo(MeterRegistry registry) {
            FunctionCounter.builder(DROPPED_LOG_EVENTS, this, DroppedLogEventsMeter::dropped)
                    .description("WARN/ERROR log events dropped because they only repeated a client abort already logged at INFO")
                    .register(registry);
        }
    }

    /** An installed logging guard, whatever the backend. */
    interface LoggingGuard {
        long droppedEvents();
    }

    /** Each builder setting under its property name, so that a bad value fails startup naming the property. */
    static ClientAbortFilter filter(AbortGuardServerProperties p, AbortMetrics metrics) {
        ClientAbortFilter.Builder b = ClientAbortFilter.builder().metrics(metrics);
        set("abortguard.server.log-level", p.getLogLevel(), b::logLevel);
        set("abortguard.server.log-stack-traces", p.isLogStackTraces(), b::logStackTraces);
        set("abortguard.server.max-log-lines-per-second", p.getMaxLogLinesPerSecond(), b::maxLogLinesPerSecond);
        set("abortguard.server.suppressed-summary-interval", p.getSuppressedSummaryInterval(), b::suppressedSummaryInterval);
        set("abortguard.server.request-id-headers", p.getRequestIdHeaders(),
                headers -> b.requestIdHeaders(headers.toArray(new String[0])));
        set("abortguard.server.idempotency-key-header", p.getIdempotencyKeyHeader(), b::idempotencyKeyHeader);
        set("abortguard.server.route-attributes", p.getRouteAttributes(),
                attributes -> b.routeAttributes(attributes.toArray(new String[0])));
        set("abortguard.server.flush-on-chain-return", p.isFlushOnChainReturn(), b::flushOnChainReturn);
        return b.build();
    }

    private static <T> void set(String property, T value, Consumer<T> setting) {
        try {
            setting.accept(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidConfigurationPropertyValueException(property, value, e.getMessage());
        }
    }

    private static <T> T valid(String property, Object value, java.util.function.Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationPropertyValueException(property, value, e.getMessage());
        }
    }

    /**
     * The handler of whichever {@code ClientAbortFilter} is registered: the user's own or ours.
     *
     * @param filters {@code ClientAbortFilter} beans
     * @param registrations filter registrations, one of which may hold a {@code ClientAbortFilter}
     * @return the handler sharing the registered filter's log and metrics
     */
    @Bean
    @ConditionalOnMissingBean
    public ClientAbortHandler clientAbortHandler(ObjectProvider<ClientAbortFilter> filters,
                                                 ObjectProvider<FilterRegistrationBean<?>> registrations) {
        ClientAbortFilter filter = filters.getIfUnique();
        if (filter == null) {
            filter = registrations.orderedStream()
                    .map(FilterRegistrationBean::getFilter)
                    .filter(ClientAbortFilter.class::isInstance)
                    .map(ClientAbortFilter.class::cast)
                    .findFirst()
                    .orElse(null);
        }
        // no filter anywhere (the application registers it some other way): a handler of its own
        return filter != null ? filter.handler() : ClientAbortHandler.withDefaults();
    }

    /** The exception resolver, for Spring MVC applications. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.web.servlet.HandlerExceptionResolver")
    @ConditionalOnBooleanProperty(name = "abortguard.server.exception-resolver.enabled", matchIfMissing = true)
    static class ExceptionResolverConfiguration {
        @Bean
        @ConditionalOnMissingBean
        ClientAbortExceptionResolver clientAbortExceptionResolver(ClientAbortHandler handler) {
            return new ClientAbortExceptionResolver(handler);
        }
    }

    /** {@code http.server.requests} tags an aborted request UNKNOWN, not SUCCESS. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"io.micrometer.observation.ObservationFilter",
            "org.springframework.http.server.observation.ServerRequestObservationContext"})
    @ConditionalOnBooleanProperty(name = "abortguard.server.observation.enabled", matchIfMissing = true)
    static class ObservationConfiguration {
        @Bean
        @ConditionalOnMissingBean
        AbortedRequestObservationFilter abortedRequestObservationFilter() {
            return new AbortedRequestObservationFilter();
        }
    }

    /** Logback is the backend: install the turbo filter for as long as the context lives. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "ch.qos.logback.classic.LoggerContext")
    @Conditional(LogbackIsTheBackend.class)
    @ConditionalOnBooleanProperty(name = "abortguard.server.logging-guard.enabled", matchIfMissing = true)
    static class LogbackGuardConfiguration {
        @Bean
        LogbackLoggingGuard abortGuardLogbackGuard() {
            return new LogbackLoggingGuard();
        }
    }

    /** Log4j 2 is the backend: add the filter to its configuration for as long as the context lives. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.apache.logging.log4j.core.LoggerContext")
    @Conditional(Log4jIsTheBackend.class)
    @ConditionalOnBooleanProperty(name = "abortguard.server.logging-guard.enabled", matchIfMissing = true)
    static class Log4jGuardConfiguration {
        @Bean
        Log4jLoggingGuard abortGuardLog4jGuard() {
            return new Log4jLoggingGuard();
        }
    }

    /** Name of the counter of log events a guard dropped. */
    public static final String DROPPED_LOG_EVENTS = "http.server.client.abort.log.dropped";

    /**
     * One guard per logging context, shared by every application context of the JVM that uses it
     * (tests start several): two guards would split the dropped count, and the first would decide
     * anyway. The last application context to close removes it.
     */
    private static final java.util.Map<Object, SharedGuard<?>> SHARED_GUARDS = new java.util.IdentityHashMap<>();

    private static final class SharedGuard<F> {
        final F filter;
        int users;

        SharedGuard(F filter) {
            this.filter = filter;
        }
    }

    @SuppressWarnings("unchecked")
    private static <F> F acquire(Object loggingContext, java.util.function.Supplier<F> install) {
        synchronized (SHARED_GUARDS) {
            SharedGuard<F> shared = (SharedGuard<F>) SHARED_GUARDS.computeIfAbsent(loggingContext, c -> new SharedGuard<>(install.get()));
            shared.users++;
            return shared.filter;
        }
    }

    /** Returns {@code true} if the caller was the last user and must uninstall. */
    private static boolean release(Object loggingContext) {
        synchronized (SHARED_GUARDS) {
            SharedGuard<?> shared = SHARED_GUARDS.get(loggingContext);
            if (shared == null || --shared.users > 0) {
                return false;
            }
            SHARED_GUARDS.remove(loggingContext);
            return true;
        }
    }

    static final class LogbackLoggingGuard implements LoggingGuard, InitializingBean, DisposableBean {
        private ch.qos.logback.classic.LoggerContext context;
        private ClientAbortTurboFilter filter;

        @Override
        public void afterPropertiesSet() {
            context = (ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
            filter = acquire(context, () -> {
                ClientAbortTurboFilter installed = new ClientAbortTurboFilter();
                installed.setContext(context);
                installed.start();
                context.addTurboFilter(installed);
                return installed;
            });
            if (!context.getTurboFilterList().contains(filter)) {
                context.addTurboFilter(filter); // Boot re-initialised logging (another context started): again
            }
        }

        @Override
        public long droppedEvents() {
            return filter.droppedEvents();
        }

        @Override
        public void destroy() {
            if (release(context)) {
                context.getTurboFilterList().remove(filter);
                filter.stop();
            }
        }
    }

    static final class Log4jLoggingGuard implements LoggingGuard, InitializingBean, DisposableBean {
        private org.apache.logging.log4j.core.LoggerContext context;
        private ClientAbortLog4jFilter filter;

        @Override
        public void afterPropertiesSet() {
            context = (org.apache.logging.log4j.core.LoggerContext) org.apache.logging.log4j.LogManager.getContext(false);
            filter = acquire(context, () -> {
                ClientAbortLog4jFilter installed = new ClientAbortLog4jFilter();
                installed.start();
                return installed;
            });
            if (!context.getConfiguration().hasFilter() || !contains(context.getConfiguration().getFilter(), filter)) {
                context.getConfiguration().addFilter(filter);
                context.updateLoggers();
            }
        }

        private static boolean contains(org.apache.logging.log4j.core.Filter installed, ClientAbortLog4jFilter filter) {
            if (installed == filter) {
                return true;
            }
            return installed instanceof org.apache.logging.log4j.core.filter.CompositeFilter composite
                    && composite.getFiltersArray() != null
                    && java.util.Arrays.asList(composite.getFiltersArray()).contains(filter);
        }

        @Override
        public long droppedEvents() {
            return filter.droppedEvents();
        }

        @Override
        public void destroy() {
            if (release(context)) {
                context.getConfiguration().removeFilter(filter);
                context.updateLoggers();
                filter.stop();
            }
        }
    }

    static final class LogbackIsTheBackend implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext;
        }
    }

    static final class Log4jIsTheBackend implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return org.apache.logging.log4j.LogManager.getContext(false) instanceof org.apache.logging.log4j.core.LoggerContext;
        }
    }

}
