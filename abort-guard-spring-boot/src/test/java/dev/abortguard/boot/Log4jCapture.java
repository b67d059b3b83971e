package dev.abortguard.boot;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

import java.util.ArrayList;
import java.util.List;

/** Log4j 2: an appender on the root logger config, after Boot has configured logging. */
final class Log4jCapture implements CapturedLog {

    private final List<Line> lines = new ArrayList<>();
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final AbstractAppender appender = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
        @Override
        public void append(LogEvent e) {
            synchronized (lines) {
                lines.add(new Line(e.getLevel().name(), e.getLoggerName(), e.getMessage().getFormattedMessage(),
                        e.getThrown() == null ? null : e.getThrown().getClass().getName()));
            }
        }
    };

    Log4jCapture() {
        appender.start();
        context.getConfiguration().getRootLogger().addAppender(appender, null, null);
        context.updateLoggers();
    }

    @Override
    public List<Line> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    @Override
    public void clear() {
        synchronized (lines) {
            lines.clear();
        }
    }

    @Override
    public void close() {
        context.getConfiguration().getRootLogger().removeAppender("capture");
        context.updateLoggers();
        appender.stop();
    }
}
