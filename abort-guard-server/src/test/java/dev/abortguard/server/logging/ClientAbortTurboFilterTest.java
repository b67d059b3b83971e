package dev.abortguard.server.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.abortguard.server.ClientAbortHandler;
import dev.abortguard.server.RecordedAborts;
import jakarta.servlet.ServletException;
import org.apache.catalina.connector.ClientAbortException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Logback guard configured the README's way, in a LoggerContext of its own (no Spring). */
class ClientAbortTurboFilterTest {

    /** The README's logback.xml block, configured as Logback would read it from a file. */
    private static LoggerContext contextFromTheReadme() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        String guard = "<turboFilter class=\"dev.abortguard.server.logging.ClientAbortTurboFilter\"/>";
        Matcher m = Pattern.compile("```xml\\n(<configuration>\\n  " + Pattern.quote(guard) + ".*?</configuration>)\\n```",
                Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "the README shows the logback.xml configuration");
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(new ByteArrayInputStream(m.group(1).getBytes(StandardCharsets.UTF_8)));
        return context;
    }

    @Test
    void aRecordedAbortLoggedAgainAtErrorIsDroppedAndEverythingElseIsWritten() throws Exception {
        LoggerContext context = contextFromTheReadme();
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.setContext(context);
        appender.start();
        Logger log = context.getLogger("app");
        log.addAppender(appender);

        // what the filter's stream wrappers saw fail, as ClientAbortHandler records it
        ClientAbortException abort = new ClientAbortException(new IOException("Broken pipe"));
        assertTrue(ClientAbortHandler.withDefaults().handle(abort));
        assertTrue(RecordedAborts.isRecordedAbort(abort));

        log.error(abort.getMessage(), abort);                                  // the seed's catch block
        log.error("order {} failed", 42, abort);                                // trailing throwable argument
        log.warn("carried", new ServletException("Request processing failed", abort)); // a framework's carrier
        log.info("an INFO line with it is left alone", abort);
        log.error("payment failed", new IllegalStateException("payment failed", abort)); // a new failure
        log.error("disk full", new IOException("disk full"));                  // never recorded
        log.error("no throwable at all");

        assertEquals(4, appender.list.size(), appender.list.toString());
        assertEquals("an INFO line with it is left alone", appender.list.get(0).getMessage());
        assertEquals("payment failed", appender.list.get(1).getMessage());
        assertEquals("disk full", appender.list.get(2).getMessage());
        assertEquals("no throwable at all", appender.list.get(3).getMessage());
        ClientAbortTurboFilter guard = (ClientAbortTurboFilter) context.getTurboFilterList().get(0);
        assertEquals(3, guard.droppedEvents());
        context.stop();
    }

    @Test
    void theRecordedAbortsStayBoundedAndNeverKeepAThrowableAlive() {
        Throwable first = new ClientAbortException("first");
        WeakReference<Throwable> firstRef = new WeakReference<>(first);
        ClientAbortHandler handler = ClientAbortHandler.withDefaults();
        assertTrue(handler.handle(first));
        for (int i = 0; i < 100_000; i++) {
            handler.handle(new ClientAbortException("storm " + i));
        }
        Throwable last = new ClientAbortException("last");
        handler.handle(last);
        assertTrue(RecordedAborts.isRecordedAbort(last), "a fresh one is found");
        first = null;
        // the table holds weak references only: once the application drops it, it is gone
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            System.gc();
            return firstRef.get() == null;
        });
        assertFalse(RecordedAborts.isRecordedAbort(new ClientAbortException("never recorded")));
    }
}
