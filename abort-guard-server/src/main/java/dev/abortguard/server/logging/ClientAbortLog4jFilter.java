package dev.abortguard.server.logging;

import dev.abortguard.server.RecordedAborts;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.Marker;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.config.Node;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.filter.AbstractFilter;
import org.apache.logging.log4j.message.Message;

import java.util.concurrent.atomic.LongAdder;

/**
 * Log4j 2: drops a WARN, ERROR or FATAL event whose throwable is a client abort that {@code
 * ClientAbortFilter} already logged and counted (see {@link RecordedAborts#isRecordedAbort});
 * every other event passes on ({@code NEUTRAL}).
 *
 * <p>In {@code log4j2.xml}, without Spring, as a configuration-wide filter (it then applies to
 * every logger):
 * <pre>{@code
 * <Configuration>
 *   <ClientAbortGuard/>
 *   <Appenders>...</Appenders>
 *   <Loggers>...</Loggers>
 * </Configuration>
 * }</pre>
 */
@Plugin(name = "ClientAbortGuard", category = Node.CATEGORY, elementType = Filter.ELEMENT_TYPE, printObject = true)
public final class ClientAbortLog4jFilter extends AbstractFilter {

    private final LongAdder dropped = new LongAdder();

    /** A guard for adding to a Log4j 2 configuration in code. */
    public ClientAbortLog4jFilter() {
        super(Result.NEUTRAL, Result.NEUTRAL);
    }

    /**
     * The factory {@code log4j2.xml} uses for {@code <ClientAbortGuard/>}.
     *
     * @return a new guard
     */
    @PluginFactory
    public static ClientAbortLog4jFilter createFilter() {
        return new ClientAbortLog4jFilter();
    }

    private Result decide(Level level, Throwable thrown) {
        if (level == null || thrown == null || !level.isMoreSpecificThan(Level.WARN)) {
            return Result.NEUTRAL;
        }
        if (RecordedAborts.isRecordedAbort(thrown)) {
            dropped.increment();
            return Result.DENY;
        }
        return Result.NEUTRAL;
    }

    @Override
    public Result filter(LogEvent event) {
        return decide(event.getLevel(), event.getThrown());
    }

    @Override
    public Result filter(Logger logger, Level level, Marker marker, Message msg, Throwable t) {
        return decide(level, t != null ? t : msg == null ? null : msg.getThrowable());
    }

    @Override
    public Result filter(Logger logger, Level level, Marker marker, Object msg, Throwable t) {
        return decide(level, t);
    }

    @Override
    public Result filter(Logger logger, Level level, Marker marker, String msg, Object... params) {
        return decide(level, Throwables.lastThrowable(params));
    }

    @Override
    public Result filter(Logger logger, Level level, Marker marker, String msg, Object p0) {
        return decide(level, p0 instanceof Throwable ? (Throwable) p0 : null);
    }

    @Override
    public Result filter(Logger logger, Level level, Marker marker, String msg, Object p0, Object p1) {
        return decide(level, p1 instanceof Throwable ? (Throwable) p1 : null);
    }

    @Override
    public Result filter(Logger logger, Level level, Marker marker, String msg, Object p0, Object p1, Object p2) {
        return decide(level, p2 instanceof Throwable ? (Throwable) p2 : null);
    }

    /**
     * Events dropped by this guard so far.
     *
     * @return the number of WARN/ERROR/FATAL events this guard denied
     */
    public long droppedEvents() {
        return dropped.sum();
    }
}
