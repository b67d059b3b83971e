package dev.abortguard.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Captures every log event of every logger: SLF4J directly (Jetty, the library), java.util.logging
 * through jul-to-slf4j (Tomcat), JBoss Logging through its SLF4J provider (Undertow, selected by
 * the {@code org.jboss.logging.provider} system property in the POM).
 */
public final class LogCapture implements AutoCloseable {

    static {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
    }

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    public LogCapture() {
        appender.start();
        root.addAppender(appender);
    }

    public synchronized void clear() {
        synchronized (appender.list) {
            appender.list.clear();
        }
    }

    public List<ILoggingEvent> events() {
        synchronized (appender.list) {
            return new ArrayList<>(appender.list);
        }
    }

    /** Lines of the library's abort logger. */
    public List<ILoggingEvent> abortLines() {
        return events().stream().filter(e -> e.getLoggerName().equals("dev.abortguard.server.ClientAbort"))
                .collect(Collectors.toList());
    }

    /** WARN and ERROR events of any logger. */
    public List<ILoggingEvent> warnings() {
        return events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).collect(Collectors.toList());
    }

    public static String describe(List<ILoggingEvent> events) {
        return events.stream().map(e -> e.getLevel() + " " + e.getLoggerName() + " - " + e.getFormattedMessage()
                        + (e.getThrowableProxy() == null ? "" : " [" + e.getThrowableProxy().getClassName()
                        + ": " + e.getThrowableProxy().getMessage() + "]"))
                .collect(Collectors.joining("\n  ", "\n  ", ""));
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
