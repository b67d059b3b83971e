package dev.abortguard.server.logging;

import dev.abortguard.server.ClientAbortHandler;
import jakarta.servlet.ServletException;
import org.apache.catalina.connector.ClientAbortException;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.config.xml.XmlConfiguration;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Log4j 2 guard configured from the README's log4j2.xml block, in a LoggerContext of its own (no Spring). */
class ClientAbortLog4jFilterTest {

    @Test
    void theReadmesLog4j2ConfigurationDropsARecordedAbortAndNothingElse() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        Matcher m = Pattern.compile("```xml\\n(<Configuration>\\n  <ClientAbortGuard/>.*?</Configuration>)\\n```", Pattern.DOTALL)
                .matcher(readme);
        assertTrue(m.find(), "the README shows the log4j2.xml configuration");
        LoggerContext context = new LoggerContext("readme");
        XmlConfiguration configuration = new XmlConfiguration(context,
                new ConfigurationSource(new ByteArrayInputStream(m.group(1).getBytes(StandardCharsets.UTF_8))));
        context.start(configuration);
        try {
            assertInstanceOf(ClientAbortLog4jFilter.class, context.getConfiguration().getFilter(),
                    "<ClientAbortGuard/> is the configuration-wide filter");
            List<String> written = new ArrayList<>();
            AbstractAppender capture = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
                @Override
                public void append(LogEvent event) {
                    written.add(event.getMessage().getFormattedMessage());
                }
            };
            capture.start();
            context.getConfiguration().getRootLogger().addAppender(capture, null, null);
            context.updateLoggers();
            Logger log = context.getLogger("app");

            ClientAbortException abort = new ClientAbortException(new IOException("Broken pipe"));
            assertTrue(ClientAbortHandler.withDefaults().handle(abort));
            log.error(abort.getMessage(), abort);
            log.error("order {} failed", 42, abort);
            log.warn("carried", new ServletException("Request processing failed", abort));
            log.error("payment failed", new IllegalStateException("payment failed", abort));
            log.error("disk full", new IOException("disk full"));
            log.error("no throwable at all");

            assertEquals(List.of("payment failed", "disk full", "no throwable at all"), written);
            assertEquals(3, ((ClientAbortLog4jFilter) context.getConfiguration().getFilter()).droppedEvents());
        } finally {
            context.stop();
        }
    }
}
