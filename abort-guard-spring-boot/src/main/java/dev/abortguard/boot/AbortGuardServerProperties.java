package dev.abortguard.boot;

import dev.abortguard.server.AbortLogLevel;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;
import java.util.List;

/**
 * {@code abortguard.server.*}: the settings of {@code ClientAbortFilter.builder()} and the switches
 * of each part the auto-configuration adds. Defaults are the builder's.
 */
@ConfigurationProperties("abortguard.server")
public class AbortGuardServerProperties {

    /** Whether abort-guard takes care of client aborts at all: filter, exception resolver, logging guard, observation. */
    private boolean enabled = true;

    /** Level of the one line per aborted request: INFO, DEBUG or OFF (metrics are recorded at every level). */
    private AbortLogLevel logLevel = AbortLogLevel.INFO;

    /** Whether the abort line carries the exception's stack trace. */
    private boolean logStackTraces = false;

    /** Abort lines per one-second window (at least 1); the rest are counted in a "Suppressed N" summary. */
    private int maxLogLinesPerSecond = 10;

    /** Delay after the first suppressed line before the summary line (positive, at most 1 hour). */
    private Duration suppressedSummaryInterval = Duration.ofSeconds(10);

    /** Request headers whose first present value is logged as requestId. */
    private List<String> requestIdHeaders = List.of("X-Request-Id", "X-Correlation-Id");

    /** Request header logged as idempotencyKey; empty disables it. */
    private String idempotencyKeyHeader = "Idempotency-Key";

    /** Request attributes holding the route template, tried in order before the servlet mapping pattern. */
    private List<String> routeAttributes = List.of("org.springframework.web.servlet.HandlerMapping.bestMatchingPattern");

    /** Whether the filter completes the body when the chain returns, so that the last write of a small body fails where it is seen. */
    private boolean flushOnChainReturn = true;

    /** Distinct route tags of the abort metrics before later routes are tagged OTHER (at least 1). */
    private int maxRoutes = 200;

    /**
     * Order of the filter registration. Right inside Spring's ServerHttpObservationFilter
     * (HIGHEST_PRECEDENCE + 1) by default, so that http.server.requests sees an abort that the
     * filter's own completion of the body reveals; ahead of every filter that could write.
     */
    private int filterOrder = Integer.MIN_VALUE + 2;

    private final Part exceptionResolver = new Part();
    private final Part loggingGuard = new Part();
    private final Part observation = new Part();

    /** A part of the server side that can be switched off on its own. */
    public static class Part {
        /** Whether this part is active (when abortguard.server.enabled is true too). */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public AbortLogLevel getLogLevel() {
        return logLevel;
    }

    public void setLogLevel(AbortLogLevel logLevel) {
        this.logLevel = logLevel;
    }

    public boolean isLogStackTraces() {
        return logStackTraces;
    }

    public void setLogStackTraces(boolean logStackTraces) {
        this.logStackTraces = logStackTraces;
    }

    public int getMaxLogLinesPerSecond() {
        return maxLogLinesPerSecond;
    }

    public void setMaxLogLinesPerSecond(int maxLogLinesPerSecond) {
        this.maxLogLinesPerSecond = maxLogLinesPerSecond;
    }

    public Duration getSuppressedSummaryInterval() {
        return suppressedSummaryInterval;
    }

    public void setSuppressedSummaryInterval(Duration suppressedSummaryInterval) {
        this.suppressedSummaryInterval = suppressedSummaryInterval;
    }

    public List<String> getRequestIdHeaders() {
        return requestIdHeaders;
    }

    public void setRequestIdHeaders(List<String> requestIdHeaders) {
        this.requestIdHeaders = requestIdHeaders;
    }

    public String getIdempotencyKeyHeader() {
        return idempotencyKeyHeader;
    }

    public void setIdempotencyKeyHeader(String idempotencyKeyHeader) {
        this.idempotencyKeyHeader = idempotencyKeyHeader;
    }

    public List<String> getRouteAttributes() {
        return routeAttributes;
    }

    public void setRouteAttributes(List<String> routeAttributes) {
        this.routeAttributes = routeAttributes;
    }

    public boolean isFlushOnChainReturn() {
        return flushOnChainReturn;
    }

    public void setFlushOnChainReturn(boolean flushOnChainReturn) {
        this.flushOnChainReturn = flushOnChainReturn;
    }

    public int getMaxRoutes() {
        return maxRoutes;
    }

    public void setMaxRoutes(int maxRoutes) {
        this.maxRoutes = maxRoutes;
    }

    public int getFilterOrder() {
        return filterOrder;
    }

    public void setFilterOrder(int filterOrder) {
        this.filterOrder = filterOrder;
    }

    public Part getExceptionResolver() {
        return exceptionResolver;
    }

    public Part getLoggingGuard() {
        return loggingGuard;
    }

    public Part getObservation() {
        return observation;
    }
}
