package dev.abortguard.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import dev.abortguard.server.AbortLogLevel;
import dev.abortguard.server.fixtures.AbortEventFixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 15, item 8: with slf4j-simple every field of an abort line appeared twice — SLF4J's fallback
 * for a logger that does not take events whole prints the key-values in front of the message, which
 * already carries them. A logger of that kind (as slf4j-simple's) now gets the message alone.
 */
class AbortLogKeyValuesTest {

    /** A backend logger as slf4j-simple's is: the legacy API only, not LoggingEventAware. */
    static final class LegacyLogger extends LegacyAbstractLogger {
        final List<String> lines = new ArrayList<>();

        LegacyLogger() {
            this.name = "legacy";
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern, Object[] arguments,
                Throwable throwable) {
            lines.add(MessageFormatter.basicArrayFormat(messagePattern, arguments));
        }

        @Override public boolean isTraceEnabled() { return true; }
        @Override public boolean isDebugEnabled() { return true; }
        @Override public boolean isInfoEnabled() { return true; }
        @Override public boolean isWarnEnabled() { return true; }
        @Override public boolean isErrorEnabled() { return true; }
    }

    @Test
    void aLegacyBackendGetsEveryFieldOnce() {
        LegacyLogger legacy = new LegacyLogger();
        try (AbortLog log = new AbortLog(legacy, AbortLogLevel.INFO, false, 100, Duration.ofSeconds(1))) {
            log.log(AbortEventFixtures.event("/payments"));
        }
        assertEquals(1, legacy.lines.size());
        String line = legacy.lines.get(0);
        assertTrue(line.startsWith("Client aborted "), line);
        assertEquals(1, count(line, "kind="), line);
        assertEquals(1, count(line, "route="), line);
    }

    @Test
    void logbackTakesTheKeyValuesAsData() {
        org.slf4j.Logger logback = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("kv-test");
        assertTrue(AbortLog.attachesKeyValues(logback));
        assertFalse(AbortLog.attachesKeyValues(new LegacyLogger()));
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
