package dev.abortguard.server;

import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientAbortFilterConfigTest {

    private static void assertRejected(String setting, Executable configure) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, configure);
        assertTrue(e.getMessage().contains(setting), "message names the setting: " + e.getMessage());
    }

    @Test
    void invalidBuilderSettingsFailAtOnceNamingTheSetting() {
        assertRejected("maxLogLinesPerSecond", () -> ClientAbortFilter.builder().maxLogLinesPerSecond(0));
        assertRejected("maxLogLinesPerSecond", () -> ClientAbortFilter.builder().maxLogLinesPerSecond(-5));
        assertRejected("suppressedSummaryInterval", () -> ClientAbortFilter.builder().suppressedSummaryInterval(Duration.ZERO));
        assertRejected("suppressedSummaryInterval", () -> ClientAbortFilter.builder().suppressedSummaryInterval(Duration.ofSeconds(-1)));
        assertRejected("suppressedSummaryInterval", () -> ClientAbortFilter.builder().suppressedSummaryInterval(Duration.ofDays(1)));
        assertRejected("suppressedSummaryInterval", () -> ClientAbortFilter.builder().suppressedSummaryInterval(null));
        assertRejected("requestIdHeaders", () -> ClientAbortFilter.builder().requestIdHeaders("X-Request-Id", " "));
        assertRejected("requestIdHeaders", () -> ClientAbortFilter.builder().requestIdHeaders("X-Request-Id", null));
        assertRejected("routeAttributes", () -> ClientAbortFilter.builder().routeAttributes(""));
        assertRejected("idempotencyKeyHeader", () -> ClientAbortFilter.builder().idempotencyKeyHeader("  "));
        assertRejected("classifier", () -> ClientAbortFilter.builder().classifier(null));
        assertRejected("logLevel", () -> ClientAbortFilter.builder().logLevel(null));
        assertRejected("metrics", () -> ClientAbortFilter.builder().metrics(null));
        assertRejected("maxRoutes", () -> new AbortCounters(0));
    }

    @Test
    void validInitParamsConfigureTheNoArgFilter() {
        ClientAbortFilter filter = new ClientAbortFilter();
        assertDoesNotThrow(() -> filter.init(config(Map.of(
                "logLevel", "debug",
                "logStackTraces", "true",
                "maxLogLinesPerSecond", "50",
                "suppressedSummaryInterval", "30s",
                "requestIdHeaders", "X-Request-Id, X-B3-TraceId",
                "idempotencyKeyHeader", "Idempotency-Key",
                "routeAttributes", "org.springframework.web.servlet.HandlerMapping.bestMatchingPattern",
                "flushOnChainReturn", "false"))));
        assertInstanceOf(AbortCounters.class, filter.metrics());
        filter.destroy();
    }

    @Test
    void durationsAcceptIsoAndUnitForms() {
        assertTrue(dev.abortguard.server.internal.FilterInitParams.duration("x", "PT10S").equals(Duration.ofSeconds(10)));
        assertTrue(dev.abortguard.server.internal.FilterInitParams.duration("x", "500ms").equals(Duration.ofMillis(500)));
        assertTrue(dev.abortguard.server.internal.FilterInitParams.duration("x", "2m").equals(Duration.ofMinutes(2)));
        assertRejected("x", () -> dev.abortguard.server.internal.FilterInitParams.duration("x", "soon"));
    }

    @Test
    void invalidInitParamsFailInitNamingTheParam() {
        assertInitFails("logLevel", Map.of("logLevel", "LOUD"));
        assertInitFails("logStackTraces", Map.of("logStackTraces", "yes"));
        assertInitFails("maxLogLinesPerSecond", Map.of("maxLogLinesPerSecond", "ten"));
        assertInitFails("maxLogLinesPerSecond", Map.of("maxLogLinesPerSecond", "0"));
        assertInitFails("suppressedSummaryInterval", Map.of("suppressedSummaryInterval", "often"));
        assertInitFails("flushOnChainReturn", Map.of("flushOnChainReturn", "1"));
        assertInitFails("loglevel", Map.of("loglevel", "INFO")); // a typo is not silently ignored
    }

    @Test
    void aBuilderConfiguredFilterRejectsInitParams() {
        ClientAbortFilter filter = ClientAbortFilter.builder().build();
        ServletException e = assertThrows(ServletException.class, () -> filter.init(config(Map.of("logLevel", "OFF"))));
        assertTrue(e.getMessage().contains("logLevel"), e.getMessage());
        assertDoesNotThrow(() -> filter.init(config(Map.of())), "no init-params: fine");
    }

    private static void assertInitFails(String name, Map<String, String> params) {
        ServletException e = assertThrows(ServletException.class, () -> new ClientAbortFilter().init(config(params)));
        assertTrue(e.getMessage().contains(name), "message names " + name + ": " + e.getMessage());
    }

    private static FilterConfig config(Map<String, String> params) {
        Map<String, String> ordered = new LinkedHashMap<>(params);
        return new FilterConfig() {
            @Override
            public String getFilterName() {
                return "clientAbortFilter";
            }

            @Override
            public ServletContext getServletContext() {
                return null;
            }

            @Override
            public String getInitParameter(String name) {
                return ordered.get(name);
            }

            @Override
            public Enumeration<String> getInitParameterNames() {
                return Collections.enumeration(ordered.keySet());
            }
        };
    }
}
