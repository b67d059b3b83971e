package dev.abortguard.micrometer;

import dev.abortguard.server.AbortCounters;
import dev.abortguard.server.fixtures.AbortEventFixtures;
import dev.abortguard.server.AbortKind;
import dev.abortguard.server.ClientAbortEvent;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MicrometerAbortMetricsTest {

    private static ClientAbortEvent event(String method, String route, long silenceMs) {
        return AbortEventFixtures.event(AbortKind.RESPONSE_WRITE, method, "/orders/123?secret=1", route, 200, 4096,
                900_000_000L, TimeUnit.MILLISECONDS.toNanos(silenceMs), new IOException("Broken pipe"));
    }

    @Test
    void countsWithBoundedTagsAndRecordsSilence() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerAbortMetrics metrics = new MicrometerAbortMetrics(registry, 2);
        metrics.record(event("GET", "/orders/{id}", 5000));
        metrics.record(event("GET", "/orders/{id}", 5000));
        metrics.record(event("PROPFIND", "/a", 100));
        metrics.record(event("POST", null, 100));
        metrics.record(event("POST", "/third-route", 100));

        Counter orders = registry.get(MicrometerAbortMetrics.ABORTS)
                .tags("method", "GET", "route", "/orders/{id}", "kind", "response_write").counter();
        assertEquals(2.0, orders.count());
        assertNotNull(registry.get(MicrometerAbortMetrics.ABORTS).tags("method", "OTHER", "route", "/a").counter());
        assertNotNull(registry.get(MicrometerAbortMetrics.ABORTS).tags("method", "POST", "route", "UNKNOWN").counter());
        assertEquals(1.0, registry.get(MicrometerAbortMetrics.ABORTS).tags("route", "OTHER").counter().count(),
                "beyond maxRoutes routes collapse to OTHER");
        assertEquals(0, registry.find(MicrometerAbortMetrics.ABORTS).tag("route", "/orders/123?secret=1").counters().size(),
                "a raw URI never becomes a tag");

        Timer silence = registry.get(MicrometerAbortMetrics.SILENCE).tags("route", "/orders/{id}").timer();
        assertEquals(2, silence.count());
        assertEquals(5000.0, silence.max(TimeUnit.MILLISECONDS), 1.0);
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThrows(NullPointerException.class, () -> new MicrometerAbortMetrics(null));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new MicrometerAbortMetrics(new SimpleMeterRegistry(), 0))
                .getMessage().contains("maxRoutes"));
    }

    @Test
    void repeatedEventsReuseTheRegisteredMeters() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerAbortMetrics metrics = new MicrometerAbortMetrics(registry, 2);
        for (int i = 0; i < 1000; i++) {
            metrics.record(event(i % 2 == 0 ? "GET" : "get", "/orders/{id}", 10));
        }
        assertEquals(1, registry.find(MicrometerAbortMetrics.ABORTS).counters().size(),
                "the method tag is case-insensitive and one combination is one meter");
        assertEquals(1000.0, registry.get(MicrometerAbortMetrics.ABORTS).counter().count());
        assertEquals(1000, registry.get(MicrometerAbortMetrics.SILENCE).timer().count());
    }

    @Test
    void tagsNeverExceedMaxRoutes() throws Exception {
        for (int round = 0; round < 100; round++) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            AbortEventFixtures.recordConcurrently(new MicrometerAbortMetrics(registry, 1), round);
            Set<String> routes = ConcurrentHashMap.newKeySet();
            double total = 0;
            for (Meter meter : registry.find(MicrometerAbortMetrics.ABORTS).counters()) {
                routes.add(meter.getId().getTag("route"));
                total += registry.get(MicrometerAbortMetrics.ABORTS).tags(meter.getId().getTags()).counter().count();
            }
            routes.remove(AbortCounters.OTHER_ROUTE);
            assertEquals(1, routes.size(), "round " + round + ": " + routes);
            assertEquals(8.0, total);
        }
    }
}
