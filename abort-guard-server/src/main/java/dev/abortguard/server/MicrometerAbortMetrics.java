package dev.abortguard.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * {@link AbortMetrics} on Micrometer. Micrometer is an optional dependency of abort-guard-server:
 * this class is only loaded when you instantiate it.
 *
 * <ul>
 *   <li>Counter {@value #ABORTS} — aborted requests, tags {@code method}, {@code route},
 *       {@code kind}.</li>
 *   <li>Timer {@value #SILENCE} — silence before the abort (time since the last successful read
 *       or write), same tags, with percentiles histogram off by default (enable it with a
 *       {@code MeterFilter} as for any timer). Its high percentiles estimate your callers' read
 *       timeouts.</li>
 * </ul>
 *
 * <p>Tags are bounded: {@code method} is one of the standard methods or {@code OTHER}; {@code
 * route} is the route template or servlet pattern, {@code UNKNOWN} without one, and {@code OTHER}
 * once {@code maxRoutes} distinct routes were seen (exactly {@code maxRoutes}, however many threads
 * record at once); {@code kind} is an {@link AbortKind} tag. A raw URI never becomes a tag.
 */
public final class MicrometerAbortMetrics implements AbortMetrics {

    /** Counter name. */
    public static final String ABORTS = "http.server.client.aborts";
    /** Timer name. */
    public static final String SILENCE = "http.server.client.abort.silence";

    private static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT");

    private final MeterRegistry registry;
    private final BoundedKeys routes;

    /**
     * Registers meters in {@code registry}, keeping up to 200 distinct routes.
     *
     * @param registry the registry to register the counter and timer in
     * @throws NullPointerException if {@code registry} is {@code null}
     */
    public MicrometerAbortMetrics(MeterRegistry registry) {
        this(registry, 200);
    }

    /**
     * Registers meters in {@code registry}, keeping up to {@code maxRoutes} distinct routes.
     *
     * @param registry the registry to register the counter and timer in
     * @param maxRoutes how many distinct routes are tagged before {@code OTHER} is used; at least 1
     * @throws NullPointerException if {@code registry} is {@code null}
     * @throws IllegalArgumentException if {@code maxRoutes} is less than 1
     */
    public MicrometerAbortMetrics(MeterRegistry registry, int maxRoutes) {
        this.registry = Objects.requireNonNull(registry, "registry");
        if (maxRoutes < 1) {
            throw new IllegalArgumentException("maxRoutes must be >= 1, was " + maxRoutes);
        }
        this.routes = new BoundedKeys(maxRoutes);
    }

    @Override
    public void record(ClientAbortEvent event) {
        Tags tags = Tags.of("method", method(event.method()), "route", route(event.route()), "kind", event.kind().tag());
        Counter.builder(ABORTS)
                .description("HTTP requests whose client disconnected before the response was complete")
                .tags(tags)
                .register(registry)
                .increment();
        Duration silence = event.silenceBeforeAbort();
        if (silence != null) {
            Timer.builder(SILENCE)
                    .description("Time since the last successful read or write before a client abort")
                    .tags(tags)
                    .register(registry)
                    .record(silence);
        }
    }

    private static String method(String method) {
        if (method == null) {
            return "UNKNOWN";
        }
        String upper = method.toUpperCase(Locale.ROOT);
        return METHODS.contains(upper) ? upper : "OTHER";
    }

    private String route(String route) {
        if (route == null) {
            return AbortCounters.UNKNOWN_ROUTE;
        }
        return routes.admit(route) ? route : AbortCounters.OTHER_ROUTE;
    }
}
