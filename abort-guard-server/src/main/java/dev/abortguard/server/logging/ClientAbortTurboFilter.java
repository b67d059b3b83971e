package dev.abortguard.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import dev.abortguard.server.RecordedAborts;
import org.slf4j.Marker;

import java.util.concurrent.atomic.LongAdder;

/**
 * Logback: drops a WARN or ERROR event whose throwable is a client abort that {@code
 * ClientAbortFilter} already logged and counted (see {@link RecordedAborts#isRecordedAbort}); every
 * other event is left to the rest of the configuration ({@code NEUTRAL}).
 *
 * <p>In {@code logback.xml}, without Spring:
 * <pre>{@code
 * <configuration>
 *   <turboFilter class="dev.abortguard.server.logging.ClientAbortTurboFilter"/>
 *   ...
 * </configuration>
 * }</pre>
 *
 * <p>The throwable is the one passed to the logging call ({@code log.error(msg, e)}) or, as SLF4J
 * treats it, the last argument of a parameterised call ({@code log.error("order {} failed", id,
 * e)}). Events below WARN, and events without a throwable, cost one level comparison.
 */
public final class ClientAbortTurboFilter extends TurboFilter {

    private final LongAdder dropped = new LongAdder();

    /** A guard for {@code logback.xml} or for adding to a {@code LoggerContext} in code. */
    public ClientAbortTurboFilter() {
        setName("abort-guard");
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level == null || !level.isGreaterOrEqual(Level.WARN)) {
            return FilterReply.NEUTRAL;
        }
        Throwable thrown = t != null ? t : Throwables.lastThrowable(params);
        if (thrown != null && RecordedAborts.isRecordedAbort(thrown)) {
            dropped.increment();
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }

    /**
     * Events dropped by this guard so far.
     *
     * @return the number of WARN/ERROR events this guard denied
     */
    public long droppedEvents() {
        return dropped.sum();
    }
}
