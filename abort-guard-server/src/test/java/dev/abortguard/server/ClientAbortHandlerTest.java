package dev.abortguard.server;

import dev.abortguard.server.internal.AbortLog;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.apache.catalina.connector.ClientAbortException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The handler without a request: logging, counting, levels, rate limiting. */
class ClientAbortHandlerTest {

    private final LogCapture logs = new LogCapture();
    private final Logger abortLogger = (Logger) LoggerFactory.getLogger("dev.abortguard.server.ClientAbort");

    @BeforeEach
    void clear() {
        logs.clear();
    }

    @AfterEach
    void close() {
        abortLogger.setLevel(null);
        logs.close();
    }

    private static ClientAbortException abort() {
        return new ClientAbortException(new IOException("Broken pipe"));
    }

    @Test
    void anAbortIsLoggedOnceAtInfoAndCounted() {
        AbortCounters counters = new AbortCounters();
        ClientAbortHandler handler = ClientAbortFilter.builder().metrics(counters).build().handler();
        assertTrue(handler.handle(abort()));
        assertEquals(1, counters.total());
        assertEquals(1, counters.count(AbortKind.CLASSIFIED));
        assertEquals(1L, counters.byRoute().get(AbortCounters.UNKNOWN_ROUTE));
        List<ILoggingEvent> lines = logs.abortLines();
        assertEquals(1, lines.size());
        assertEquals(Level.INFO, lines.get(0).getLevel());
        assertNull(lines.get(0).getThrowableProxy());
        assertTrue(lines.get(0).getFormattedMessage().contains(
                "exception=org.apache.catalina.connector.ClientAbortException: Broken pipe"), lines.get(0).getFormattedMessage());
    }

    @Test
    void aRealErrorIsNotTouched() {
        AbortCounters counters = new AbortCounters();
        ClientAbortHandler handler = ClientAbortFilter.builder().metrics(counters).build().handler();
        assertFalse(handler.handle(new IOException("disk full")));
        assertFalse(handler.handle(new IllegalStateException("bug")));
        assertFalse(handler.handle(null));
        assertFalse(handler.handle(new OutOfMemoryError("never an abort")));
        assertEquals(0, counters.total());
        assertTrue(logs.events().isEmpty(), "the handler logs nothing for real errors: the caller does");
    }

    @Test
    void debugLevelAndStackTracesAreConfigurable() {
        abortLogger.setLevel(Level.DEBUG);
        ClientAbortHandler handler = ClientAbortFilter.builder().logLevel(AbortLogLevel.DEBUG).logStackTraces(true).build().handler();
        assertTrue(handler.handle(abort()));
        ILoggingEvent line = logs.abortLines().get(0);
        assertEquals(Level.DEBUG, line.getLevel());
        assertNotNull(line.getThrowableProxy());
    }

    @Test
    void offCountsWithoutLogging() {
        AbortCounters counters = new AbortCounters();
        ClientAbortHandler handler = ClientAbortFilter.builder().logLevel(AbortLogLevel.OFF).metrics(counters).build().handler();
        assertTrue(handler.handle(abort()));
        assertEquals(1, counters.total());
        assertTrue(logs.abortLines().isEmpty());
    }

    @Test
    void rateLimitedLinesAreSummarisedAndCountsStayExact() {
        AbortCounters counters = new AbortCounters();
        ClientAbortFilter filter = ClientAbortFilter.builder()
                .metrics(counters)
                .maxLogLinesPerSecond(3)
                .suppressedSummaryInterval(Duration.ofMillis(200))
                .build();
        for (int i = 0; i < 50; i++) {
            assertTrue(filter.handler().handle(abort()));
        }
        assertEquals(50, counters.total(), "metrics are never rate-limited");
        await().atMost(Duration.ofSeconds(5)).until(() -> logs.abortLines().stream()
                .anyMatch(e -> e.getFormattedMessage().startsWith("Suppressed")));
        List<ILoggingEvent> lines = logs.abortLines();
        long perAbort = lines.stream().filter(e -> e.getFormattedMessage().startsWith("Client aborted")).count();
        long suppressed = lines.stream().filter(e -> e.getFormattedMessage().startsWith("Suppressed"))
                .mapToLong(e -> Long.parseLong(e.getFormattedMessage().split(" ")[1])).sum();
        assertTrue(perAbort >= 3 && perAbort <= 6, "at most 3 per one-second window: " + perAbort);
        assertEquals(50, perAbort + suppressed, "every abort is either logged or in a summary");
        filter.destroy();
    }

    @Test
    void aThrowingMetricsImplementationWarnsOnceAndAbortsAreStillLogged() {
        ClientAbortHandler handler = ClientAbortFilter.builder()
                .metrics(event -> {
                    throw new IllegalStateException("registry down");
                })
                .build().handler();
        assertTrue(handler.handle(abort()));
        assertTrue(handler.handle(abort()));
        assertEquals(2, logs.abortLines().size());
        assertEquals(1, logs.warnings().size(), "one WARN for the broken metrics, not one per abort");
    }

    @Test
    void controlCharactersFromTheClientAreNeutralised() {
        assertEquals("a_b_c", AbortLog.clean("a\nb\rc"));
        assertEquals(203, AbortLog.clean("x".repeat(500)).length());
        assertNull(AbortLog.clean(null));
    }
}
