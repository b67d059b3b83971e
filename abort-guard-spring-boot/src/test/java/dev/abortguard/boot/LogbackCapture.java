package dev.abortguard.boot;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/** Logback: a ListAppender on the root logger, after Boot has configured logging. */
final class LogbackCapture implements CapturedLog {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    LogbackCapture() {
        appender.start();
        root.addAppender(appender);
    }

    @Override
    public List<Line> lines() {
        List<Line> lines = new ArrayList<>();
        synchronized (appender.list) {
            for (ILoggingEvent e : appender.list) {
                lines.add(new Line(e.getLevel().toString(), e.getLoggerName(), e.getFormattedMessage(),
                        e.getThrowableProxy() == null ? null : e.getThrowableProxy().getClassName()));
            }
        }
        return lines;
    }

    @Override
    public void clear() {
        synchronized (appender.list) {
            appender.list.clear();
        }
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
