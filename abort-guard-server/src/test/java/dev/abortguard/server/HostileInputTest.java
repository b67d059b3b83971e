package dev.abortguard.server;

import dev.abortguard.server.fixtures.AbortEventFixtures;
import dev.abortguard.server.internal.AbortLog;
import jakarta.servlet.ServletException;
import org.apache.catalina.connector.ClientAbortException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 10: hostile values, hostile throwables and concurrent recorders end in defined outcomes. */
class HostileInputTest {

    private final ClientAbortClassifier classifier = ClientAbortClassifier.standard();

    // ---- every logged value cleaned and bounded ---------------------------------------------

    @Test
    void aLongValueIsCutTo200CharactersAndMarked() {
        assertEquals("X".repeat(200) + "...", AbortLog.clean("X".repeat(7_000)));
        assertEquals("X".repeat(200), AbortLog.clean("X".repeat(200)), "at the bound: unchanged, unmarked");
    }

    @Test
    void lineBreaksEscapesSeparatorsAndBidiControlsAreNeutralised() {
        assertEquals("GET_INFO fake line", AbortLog.clean("GET\nINFO fake line"));
        assertEquals("a_b_c_d", AbortLog.clean("a\rb\u001bc\u0085d"));
        assertEquals("a_b_c", AbortLog.clean("a\u2028b\u2029c"));
        for (char bidi : new char[] {'\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e',
                '\u2066', '\u2067', '\u2068', '\u2069'}) {
            assertEquals("/a_gpj.exe", AbortLog.clean("/a" + bidi + "gpj.exe"), Integer.toHexString(bidi));
        }
        assertEquals("/payé ✓ 안녕", AbortLog.clean("/payé ✓ 안녕"), "ordinary text is kept");
    }

    @Test
    void aCutNeverSplitsASurrogatePairAndUnpairedSurrogatesAreReplaced() {
        String emoji = "\ud83d\ude00"; // one code point, two chars
        String value = "x".repeat(199) + emoji + "tail";
        String cleaned = AbortLog.clean(value);
        assertEquals("x".repeat(199) + "...", cleaned, "the pair that straddles the bound is dropped whole");
        assertEquals("x".repeat(198) + emoji + "...", AbortLog.clean("x".repeat(198) + emoji + "tail"));
        assertEquals("a_b_c", AbortLog.clean("a\ud83db\ude00c"), "lone high and low surrogates");
        assertEquals("a" + emoji, AbortLog.clean("a" + emoji));
    }

    @Test
    void theExceptionSummaryIsCleanedAndSurvivesAHostileThrowable() {
        String summary = AbortLog.exceptionSummary(new IOException("Broken pipe\r\nERROR forged " + "y".repeat(500)));
        assertTrue(summary.startsWith("java.io.IOException: Broken pipe__ERROR forged "), summary);
        assertTrue(summary.length() < 260, summary);
        assertEquals("dev.abortguard.server.HostileInputTest$Hostile: null", AbortLog.exceptionSummary(new Hostile()));
    }

    // ---- the classifier never throws -------------------------------------------------------

    /** getCause(), getMessage() and getStackTrace() throw. */
    static final class Hostile extends IOException {
        @Override
        public synchronized Throwable getCause() {
            throw new IllegalStateException("getCause");
        }

        @Override
        public String getMessage() {
            throw new IllegalStateException("getMessage");
        }

        @Override
        public StackTraceElement[] getStackTrace() {
            throw new IllegalStateException("getStackTrace");
        }
    }

    @Test
    void aThrowableWhoseMethodsThrowIsNotAnAbort() {
        assertFalse(classifier.isClientAbort(new Hostile()));
        assertFalse(classifier.isClientAbort(new ServletException("carried", new Hostile())));
        class CauseThrows extends org.eclipse.jetty.io.EofException {
            CauseThrows() {
                super("gone");
            }

            @Override
            public synchronized Throwable getCause() {
                throw new StackOverflowError();
            }
        }
        // the abort type at the top is evidence; the unreadable rest of the chain ends the walk
        assertTrue(classifier.isClientAbort(new CauseThrows()));
        class MessageRecurses extends IOException {
            @Override
            public String getMessage() {
                return getMessage();
            }
        }
        assertFalse(classifier.isClientAbort(new MessageRecurses()));
    }

    @Test
    void aStackWithNullFramesOrNoneIsNotAnAbortAndNeverThrows() {
        IOException nullFrames = new IOException("Broken pipe") {
            @Override
            public StackTraceElement[] getStackTrace() {
                return new StackTraceElement[] {null,
                        new StackTraceElement("io.undertow.server.protocol.http.HttpResponseConduit", "write", null, 1)};
            }
        };
        assertTrue(classifier.isClientAbort(nullFrames), "null frames are skipped, the server frame still decides");
        IOException noStack = new IOException("Broken pipe") {
            @Override
            public StackTraceElement[] getStackTrace() {
                return null;
            }
        };
        assertFalse(classifier.isClientAbort(noStack));
    }

    @Test
    void theHandlerNeverThrowsForAHostileThrowable() {
        ClientAbortHandler handler = ClientAbortHandler.withDefaults();
        assertFalse(handler.handle(new Hostile()));
        assertFalse(handler.handle(new IllegalStateException("wraps", new Hostile())));
    }

    // ---- a new failure that wraps a caught abort stays loud ----------------------------------

    @Test
    void anApplicationsNewFailureThatWrapsAnAbortIsNotAnAbort() {
        ClientAbortException abort = new ClientAbortException(new IOException("Broken pipe"));
        assertFalse(classifier.isClientAbort(new IllegalStateException("payment failed", abort)));
        assertFalse(classifier.isClientAbort(new ServletException(new IllegalStateException("payment failed", abort))),
                "a carrier above a new failure carries the new failure");
        class PaymentFailed extends UncheckedIOException {
            PaymentFailed(IOException cause) {
                super("payment failed", cause);
            }
        }
        assertFalse(classifier.isClientAbort(new PaymentFailed(abort)), "a subclass of a carrier is somebody's new failure");
        // carriers keep it an abort
        assertTrue(classifier.isClientAbort(new ServletException("Request processing failed", abort)));
        assertTrue(classifier.isClientAbort(new UncheckedIOException(abort)));
        assertTrue(classifier.isClientAbort(new java.util.concurrent.CompletionException(new ServletException(abort))));
    }

    @Test
    void theHandlerTellsACarriedAbortFromANewFailureWithoutTheRequest() {
        ClientAbortHandler handler = ClientAbortHandler.withDefaults();
        assertTrue(handler.handle(new ServletException(new ClientAbortException())));
        assertFalse(handler.handle(new IllegalStateException("payment failed", new ClientAbortException())));
    }

    // ---- the message cache is bounded by size -------------------------------------------------

    @Test
    void longMessagesAreNeverCached() throws Exception {
        ClientAbortClassifier fresh = ClientAbortClassifier.builder().build();
        String mebibyte = "Broken pipe " + "z".repeat(1 << 20);
        for (int i = 0; i < 300; i++) {
            fresh.isClientAbort(new IOException(i + mebibyte));
            fresh.isClientAbort(new IOException("short " + i));
        }
        Map<String, ?> cache = field(field(fresh, "engine"), "messageVerdicts");
        assertFalse(cache.isEmpty(), "short texts are cached");
        assertTrue(cache.size() <= 256, "bounded by count: " + cache.size());
        assertTrue(cache.keySet().stream().allMatch(k -> k.length() <= 256), "no long text is kept");
    }

    @SuppressWarnings("unchecked")
    private static <T> T field(Object target, String name) throws Exception {
        Field field = target.getClass().getDeclaredField(name);
        field.setAccessible(true);
        return (T) field.get(target);
    }

    // ---- route bounds are exact under concurrency ---------------------------------------------

    @Test
    void abortCountersNeverKeepMoreThanMaxRoutes() throws Exception {
        for (int round = 0; round < 100; round++) {
            AbortCounters counters = new AbortCounters(1);
            AbortEventFixtures.recordConcurrently(counters, round);
            Map<String, Long> byRoute = counters.byRoute();
            Set<String> routes = byRoute.keySet().stream().filter(r -> !r.equals(AbortCounters.OTHER_ROUTE))
                    .collect(Collectors.toSet());
            assertEquals(1, routes.size(), "round " + round + ": " + byRoute);
            assertEquals(8L, byRoute.values().stream().mapToLong(Long::longValue).sum(), "every abort counted once");
            assertEquals(7L, byRoute.get(AbortCounters.OTHER_ROUTE));
        }
    }

}
