package dev.abortguard.server.internal;

import dev.abortguard.server.AbortLogLevel;
import dev.abortguard.server.ClientAbortEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.DefaultLoggingEventBuilder;
import org.slf4j.spi.LoggingEventAware;
import org.slf4j.spi.LoggingEventBuilder;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Writes the one line per aborted request, rate-limited, with a delayed "suppressed N" summary.
 *
 * <p>The message text carries every field (so a plain pattern layout shows them) and the same
 * fields are attached as SLF4J 2 key-values (so a JSON encoder gets them typed and named) — but only
 * for a backend that takes them as data (Logback; Log4j 2's SLF4J 2 binding). For any other
 * (slf4j-simple, slf4j-jdk14, reload4j), SLF4J's fallback writes the key-values in front of the
 * message, so every field would appear twice on one line.
 *
 * <p>Internal, not API: may change without notice.
 */
public final class AbortLog implements AutoCloseable {

    /** The logger of every abort line; configure its level to silence or widen them. */
    public static final String LOGGER_NAME = "dev.abortguard.server.ClientAbort";

    private static final int MAX_VALUE_LENGTH = 200;

    private final Logger logger;
    private final boolean keyValues;

    private final AbortLogLevel level;
    private final boolean stackTraces;
    private final int maxLinesPerSecond;
    private final Duration summaryInterval;
    private final LogRateLimiter limiter;
    private final LongAdder suppressed = new LongAdder();
    private final AtomicBoolean summaryScheduled = new AtomicBoolean();
    private volatile ScheduledThreadPoolExecutor summaryTimer;

    /**
     * A log.
     *
     * @param level the level of the abort lines
     * @param stackTraces whether to attach the stack trace
     * @param maxLinesPerSecond the most abort lines per second
     * @param summaryInterval the delay after the first suppressed line before the summary line
     */
    public AbortLog(AbortLogLevel level, boolean stackTraces, int maxLinesPerSecond, Duration summaryInterval) {
        this(LoggerFactory.getLogger(LOGGER_NAME), level, stackTraces, maxLinesPerSecond, summaryInterval);
    }

    AbortLog(Logger logger, AbortLogLevel level, boolean stackTraces, int maxLinesPerSecond, Duration summaryInterval) {
        this.logger = logger;
        this.keyValues = attachesKeyValues(logger);
        this.level = level;
        this.stackTraces = stackTraces;
        this.maxLinesPerSecond = maxLinesPerSecond;
        this.summaryInterval = summaryInterval;
        this.limiter = new LogRateLimiter(maxLinesPerSecond, System::nanoTime);
    }

    void log(ClientAbortEvent event) {
        if (!enabled()) {
            return;
        }
        if (!limiter.tryAcquire()) {
            suppressed.increment();
            scheduleSummary();
            return;
        }
        LoggingEventBuilder builder = level == AbortLogLevel.DEBUG ? logger.atDebug() : logger.atInfo();
        String exception = exceptionSummary(event.cause());
        if (stackTraces && event.cause() != null) {
            builder.setCause(event.cause());
        }
        if (!keyValues) {
            builder.log(message(event, exception));
            return;
        }
        builder.addKeyValue("kind", event.kind().tag())
                .addKeyValue("method", clean(event.method()))
                .addKeyValue("path", clean(event.path()))
                .addKeyValue("route", clean(event.route()))
                .addKeyValue("status", event.status())
                .addKeyValue("bytesWritten", event.bytesWritten())
                .addKeyValue("elapsedMs", millis(event.elapsed()))
                .addKeyValue("silenceMs", millis(event.silenceBeforeAbort()))
                .addKeyValue("exception", exception);
        if (event.requestId() != null) {
            builder.addKeyValue("requestId", clean(event.requestId()));
        }
        if (event.idempotencyKey() != null) {
            builder.addKeyValue("idempotencyKey", clean(event.idempotencyKey()));
        }
        builder.log(message(event, exception));
    }

    /**
     * Whether key-values reach the backend as data, decided by type: a logger that takes events whole
     * ({@link LoggingEventAware}: Logback), or one with its own event builder (Log4j 2's binding keeps
     * them as context data). SLF4J's default builder prints them into the message for any other.
     */
    static boolean attachesKeyValues(Logger logger) {
        return logger instanceof LoggingEventAware
                || !(logger.makeLoggingEventBuilder(Level.INFO) instanceof DefaultLoggingEventBuilder);
    }

    private boolean enabled() {
        switch (level) {
            case INFO:
                return logger.isInfoEnabled();
            case DEBUG:
                return logger.isDebugEnabled();
            default:
                return false;
        }
    }

    private static String message(ClientAbortEvent event, String exception) {
        StringBuilder sb = new StringBuilder(160)
                .append("Client aborted ")
                .append(event.method() == null ? "request" : clean(event.method()));
        if (event.path() != null) {
            sb.append(' ').append(clean(event.path()));
        }
        sb.append(": kind=").append(event.kind().tag());
        if (event.route() != null) {
            sb.append(" route=").append(clean(event.route()));
        }
        if (event.status() >= 0) {
            sb.append(" status=").append(event.status());
        }
        if (event.bytesWritten() >= 0) {
            sb.append(" bytesWritten=").append(event.bytesWritten());
        }
        if (event.elapsed() != null) {
            sb.append(" elapsedMs=").append(event.elapsed().toMillis());
        }
        if (event.silenceBeforeAbort() != null) {
            sb.append(" silenceMs=").append(event.silenceBeforeAbort().toMillis());
        }
        if (event.requestId() != null) {
            sb.append(" requestId=").append(clean(event.requestId()));
        }
        if (event.idempotencyKey() != null) {
            sb.append(" idempotencyKey=").append(clean(event.idempotencyKey()));
        }
        sb.append(" exception=").append(exception);
        return sb.toString();
    }

    /**
     * {@code ClassName: root cause message}; the root message names what the OS said.
     *
     * @param t the failure, or {@code null}
     * @return the summary, cleaned
     */
    public static String exceptionSummary(Throwable t) {
        if (t == null) {
            return "none";
        }
        Throwable root = Causes.root(t);
        String message = Causes.message(root);
        if (message == null && root != t) {
            message = Causes.message(t);
        }
        String rootName = root == t ? "" : " (root " + root.getClass().getName() + ")";
        return t.getClass().getName() + ": " + clean(String.valueOf(message)) + rootName;
    }

    /**
     * Every value from the client or the application (method, path, route, request id,
     * idempotency key, exception message) goes through here before it reaches a line or a
     * key-value: at most {@value #MAX_VALUE_LENGTH} characters (then {@code "..."}), never cut
     * inside a surrogate pair, and each character that could forge or disguise a line replaced by
     * {@code '_'}: C0/C1 controls (CR, LF, ESC, ...), the Unicode line and paragraph separators
     * (U+2028, U+2029, which JSON viewers and some terminals break on), the bidirectional
     * controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069, which reorder what a
     * reader sees), and unpaired surrogates (which encoders turn into {@code '?'} or reject).
     *
     * @param value a value from the client or the application, or {@code null}
     * @return the value, safe for one log line
     */
    public static String clean(String value) {
        if (value == null) {
            return null;
        }
        int length = value.length();
        boolean cut = length > MAX_VALUE_LENGTH;
        if (cut) {
            length = MAX_VALUE_LENGTH;
            if (Character.isHighSurrogate(value.charAt(length - 1)) && Character.isLowSurrogate(value.charAt(length))) {
                length--; // keep the pair whole: drop it rather than split it
            }
        }
        StringBuilder sb = null;
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            boolean keep;
            if (Character.isHighSurrogate(c)) {
                keep = i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1));
                if (keep) {
                    if (sb != null) {
                        sb.append(c).append(value.charAt(i + 1));
                    }
                    i++;
                    continue;
                }
            } else {
                keep = !Character.isLowSurrogate(c) && !disguises(c);
            }
            if (!keep && sb == null) {
                sb = new StringBuilder(length + 3).append(value, 0, i);
            }
            if (sb != null) {
                sb.append(keep ? c : '_');
            }
        }
        String result = sb != null ? sb.toString() : length == value.length() ? value : value.substring(0, length);
        return cut ? result + "..." : result;
    }

    private static boolean disguises(char c) {
        return Character.isISOControl(c)
                || c == 0x2028 || c == 0x2029
                || c == 0x061C || c == 0x200E || c == 0x200F
                || (c >= 0x202A && c <= 0x202E)
                || (c >= 0x2066 && c <= 0x2069);
    }

    /** Whole milliseconds, {@code -1} when unknown (as {@link ClientAbortEvent#toString()} shows them). */
    private static long millis(Duration d) {
        long nanos = d == null ? -1 : d.toNanos();
        return nanos < 0 ? -1 : nanos / 1_000_000L;
    }

    private void scheduleSummary() {
        if (!summaryScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            timer().schedule(this::logSummary, summaryInterval.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RuntimeException rejected) {
            // closed: the summary is written by close()
            summaryScheduled.set(false);
        }
    }

    private ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = summaryTimer;
        if (t == null) {
            synchronized (this) {
                t = summaryTimer;
                if (t == null) {
                    t = new ScheduledThreadPoolExecutor(1, r -> {
                        Thread thread = new Thread(r, "abort-guard-log-summary");
                        thread.setDaemon(true);
                        return thread;
                    });
                    // the thread exists only while a summary is pending: nothing lingers after a redeploy
                    t.setKeepAliveTime(5, TimeUnit.SECONDS);
                    t.allowCoreThreadTimeOut(true);
                    t.setRemoveOnCancelPolicy(true);
                    summaryTimer = t;
                }
            }
        }
        return t;
    }

    private void logSummary() {
        summaryScheduled.set(false);
        long count = suppressed.sumThenReset();
        if (count > 0) {
            LoggingEventBuilder builder = level == AbortLogLevel.DEBUG ? logger.atDebug() : logger.atInfo();
            if (keyValues) {
                builder.addKeyValue("suppressed", count);
            }
            builder.log("Suppressed {} client-abort log lines (limit {} per second); abort metrics are exact",
                            count, maxLinesPerSecond);
        }
    }

    @Override
    public void close() {
        ScheduledThreadPoolExecutor t = summaryTimer;
        if (t != null) {
            t.shutdownNow();
        }
        logSummary();
    }
}
