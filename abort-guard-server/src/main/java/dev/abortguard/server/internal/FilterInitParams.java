package dev.abortguard.server.internal;

import dev.abortguard.server.AbortCounters;
import dev.abortguard.server.AbortLogLevel;
import dev.abortguard.server.AbortMetrics;
import dev.abortguard.server.ClientAbortFilter;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code web.xml} init-params of {@link ClientAbortFilter}, named like its builder methods,
 * parsed into those builder calls. Every bad value fails with a message naming the init-param.
 *
 * <p>Internal, not API: may change without notice.
 */
public final class FilterInitParams {

    /** The init-param names, one per builder setting that a string can express. */
    public static final Set<String> NAMES = Set.of(
            "logLevel", "logStackTraces", "maxLogLinesPerSecond", "suppressedSummaryInterval",
            "requestIdHeaders", "idempotencyKeyHeader", "routeAttributes", "flushOnChainReturn", "metrics");

    private FilterInitParams() {}

    /**
     * Applies one init-param to {@code builder}.
     *
     * @param builder the builder to configure
     * @param name the init-param name
     * @param value its value; surrounding whitespace is stripped, {@code null} is empty
     * @throws IllegalArgumentException if the name is unknown or the value invalid, naming the init-param
     */
    public static void apply(ClientAbortFilter.Builder builder, String name, String value) {
        String v = value == null ? "" : value.strip();
        switch (name) {
            case "logLevel":
                try {
                    builder.logLevel(AbortLogLevel.valueOf(v.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("logLevel must be one of "
                            + Arrays.toString(AbortLogLevel.values()) + ", was '" + v + "'");
                }
                break;
            case "logStackTraces":
                builder.logStackTraces(bool(name, v));
                break;
            case "flushOnChainReturn":
                builder.flushOnChainReturn(bool(name, v));
                break;
            case "maxLogLinesPerSecond":
                try {
                    builder.maxLogLinesPerSecond(Integer.parseInt(v));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("maxLogLinesPerSecond must be an integer, was '" + v + "'");
                }
                break;
            case "suppressedSummaryInterval":
                builder.suppressedSummaryInterval(duration(name, v));
                break;
            case "requestIdHeaders":
                builder.requestIdHeaders(list(v));
                break;
            case "idempotencyKeyHeader":
                builder.idempotencyKeyHeader(v.isEmpty() ? null : v);
                break;
            case "routeAttributes":
                builder.routeAttributes(list(v));
                break;
            case "metrics":
                builder.metrics(metrics(v));
                break;
            default:
                throw new IllegalArgumentException("unknown init-param '" + name + "'; known: " + new TreeSet<>(NAMES));
        }
    }

    /**
     * {@code counters} (the default, {@link AbortCounters}) or the class name of an {@link AbortMetrics}
     * with a public no-argument constructor, loaded by the web application's class loader (e.g.
     * {@code dev.abortguard.micrometer.MicrometerAbortMetrics}, which then records into Micrometer's
     * global registry).
     */
    private static AbortMetrics metrics(String v) {
        if (v.isEmpty() || v.equals("counters")) {
            return new AbortCounters();
        }
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            Class<?> type = Class.forName(v, true, loader != null ? loader : FilterInitParams.class.getClassLoader());
            if (!AbortMetrics.class.isAssignableFrom(type)) {
                throw new IllegalArgumentException("metrics: " + v + " does not implement " + AbortMetrics.class.getName());
            }
            return (AbortMetrics) type.getConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("metrics: class " + v + " not found (or 'counters' for the default)", e);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("metrics: " + v + " has no public no-argument constructor", e);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalArgumentException("metrics: could not create " + v + ": " + e, e);
        }
    }

    private static boolean bool(String name, String v) {
        if ("true".equalsIgnoreCase(v)) {
            return true;
        }
        if ("false".equalsIgnoreCase(v)) {
            return false;
        }
        throw new IllegalArgumentException(name + " must be true or false, was '" + v + "'");
    }

    /**
     * ISO-8601 ({@code PT10S}) or a number with a unit: {@code 500ms}, {@code 10s}, {@code 1m}.
     *
     * @param name the init-param, for the message
     * @param v the value
     * @return the duration
     * @throws IllegalArgumentException if {@code v} is none of these, naming {@code name}
     */
    public static Duration duration(String name, String v) {
        try {
            String lower = v.toLowerCase(Locale.ROOT);
            if (lower.startsWith("pt")) {
                return Duration.parse(v);
            }
            if (lower.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(lower.substring(0, lower.length() - 2).strip()));
            }
            if (lower.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(lower.substring(0, lower.length() - 1).strip()));
            }
            if (lower.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(lower.substring(0, lower.length() - 1).strip()));
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException(name + " must be a duration like 10s, 500ms or PT10S, was '" + v + "'");
    }

    private static String[] list(String v) {
        if (v.isEmpty()) {
            return new String[0];
        }
        return Arrays.stream(v.split(",")).map(String::strip).toArray(String[]::new);
    }
}
