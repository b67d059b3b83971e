package dev.abortguard.server;

import dev.abortguard.server.internal.AbortLog;
import dev.abortguard.server.internal.AbortReporter;
import dev.abortguard.server.internal.ExchangeRunner;

import java.time.Duration;
import java.util.List;

/**
 * The settings of one {@link ClientAbortFilter}, as its builder collected them, and the reporter
 * and runner made from them. Apart from the filter so that {@link ClientAbortHandler#withDefaults()}
 * gets the filter's defaults without depending on the filter.
 *
 * @param metrics where aborts are counted; {@code null} for a new {@link AbortCounters} per reporter
 */
record FilterSettings(ClientAbortClassifier classifier, AbortLogLevel logLevel, boolean logStackTraces,
                      int maxLogLinesPerSecond, Duration suppressedSummaryInterval, AbortMetrics metrics,
                      List<String> requestIdHeaders, String idempotencyKeyHeader, List<String> routeAttributes,
                      boolean flushOnChainReturn) {

    /** The defaults the README's configuration reference lists. */
    static final FilterSettings DEFAULTS = new FilterSettings(ClientAbortClassifier.standard(), AbortLogLevel.INFO,
            false, 10, Duration.ofSeconds(10), null, List.of("X-Request-Id", "X-Correlation-Id"), "Idempotency-Key",
            List.of("org.springframework.web.servlet.HandlerMapping.bestMatchingPattern"), true);

    /** A new reporter: its own log (rate limit, summary timer) and, unless configured, its own counters. */
    AbortReporter reporter() {
        AbortLog log = new AbortLog(logLevel, logStackTraces, maxLogLinesPerSecond, suppressedSummaryInterval);
        return new AbortReporter(new AbortReporter.Settings(classifier, classifier::carriesAbortOn, log,
                metrics != null ? metrics : new AbortCounters(), requestIdHeaders, idempotencyKeyHeader,
                routeAttributes, ClientAbortEvent::new));
    }

    ExchangeRunner runner() {
        return new ExchangeRunner(reporter(), flushOnChainReturn);
    }
}
