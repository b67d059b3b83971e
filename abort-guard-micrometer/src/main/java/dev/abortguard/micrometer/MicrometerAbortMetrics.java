package dev.abortguard.micrometer;

import dev.abortguard.server.AbortCounters;
import dev.abortguard.server.AbortKind;
import dev.abortguard.server.AbortMetrics;
import dev.abortguard.server.ClientAbortEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link AbortMetrics} on Micrometer, for the server module's {@code ClientAbortFilter}.
 *
 * <ul>
 *   <li>Counter {@value #ABORTS} — aborted requests, tags {@code method}, {@code route},
 *       {@code kind}.</li>
 *   <li>Timer {@value #SILENCE} — silence before the abort (time since the last successful read
 *       or write), same tags, with percentiles histogram off by default (enable it with a
 *       {@code MeterFilter} as for any timer). For plain responses its values are an upper bound
 *       of your callers' read timeouts, not an estimate of them: the silence runs from the last
 *       successful I/O to the write that failed, which may come well after the caller gave up.</li>
 * </ul>
 *
 * <p>Tags are bounded: {@code method} is one of the standard methods or {@code OTHER}; {@code
 * route} is the route template or servlet pattern, {@code UNKNOWN} without one, and {@code OTHER}
 * once {@code maxRoutes} distinct routes were seen (exactly {@code maxRoutes}, however many threads
 * record at once); {@code kind} is an {@link AbortKind} tag. A raw URI never becomes a tag.
 *
 * <p>Each (method, route, kind) combination registers its counter and timer once and keeps them,
 * so recording an abort never builds {@code Tags} or searches the registry again. The table is
 * bounded by the tag bounds above ({@code maxRoutes + 2} routes × 11 methods × the abort kinds).
 */
public final class MicrometerAbortMetrics implements AbortMetrics {

    /** Counter name. */
    public static final String ABORTS = "http.server.client.aborts";
    /** Timer name. */
    public static final String SILENCE = "http.server.client.abort.silence";

    private static final String[] METHODS =
            {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"};

    private final MeterRegistry registry;
    private final int maxRoutes;
    /** Route tag value to that route's meters; at most maxRoutes admitted routes plus the two fallbacks. */
    private final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();
    private final RouteMeters unknownRoute;
    private final RouteMeters otherRoute;
    /** Admitted routes, counted under the lock that admits them. */
    private int admittedRoutes;

    /**
     * Registers meters in Micrometer's global registry ({@code Metrics.globalRegistry}), keeping up
     * to 200 distinct routes: for a {@code ClientAbortFilter} the container creates from {@code
     * web.xml} ({@code <param-name>metrics</param-name>} with this class's name). Add your registry to
     * the global one ({@code Metrics.addRegistry}) for the meters to reach it.
     */
    public MicrometerAbortMetrics() {
        this(io.micrometer.core.instrument.Metrics.globalRegistry);
    }

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
        this.maxRoutes = maxRoutes;
        this.unknownRoute = new RouteMeters(AbortCounters.UNKNOWN_ROUTE);
        this.otherRoute = new RouteMeters(AbortCounters.OTHER_ROUTE);
    }

    @Override
    public void record(ClientAbortEvent event) {
        Meters meters = route(event.route()).meters(methodIndex(event.method()), event.kind());
        meters.aborts.increment();
        Duration silence = event.silenceBeforeAbort();
        if (silence != null) {
            meters.silence.record(silence);
        }
    }

    /** Index into {@link #METHODS}; {@code METHODS.length} is OTHER, {@code + 1} is UNKNOWN. */
    private static int methodIndex(String method) {
        if (method == null) {
            return METHODS.length + 1;
        }
        for (int i = 0; i < METHODS.length; i++) {
            if (METHODS[i].equalsIgnoreCase(method)) {
                return i;
            }
        }
        return METHODS.length;
    }

    private static String methodTag(int index) {
        if (index < METHODS.length) {
            return METHODS[index];
        }
        return index == METHODS.length ? "OTHER" : "UNKNOWN";
    }

    private RouteMeters route(String route) {
        if (route == null) {
            return unknownRoute;
        }
        RouteMeters known = routes.get(route);
        if (known != null) {
            return known;
        }
        synchronized (routes) {
            // taken at most maxRoutes + 1 times per distinct route in the life of the adapter:
            // once the table is full every unknown route goes to OTHER here, without a map write
            known = routes.get(route);
            if (known != null) {
                return known;
            }
            if (admittedRoutes >= maxRoutes) {
                return otherRoute;
            }
            admittedRoutes++;
            RouteMeters admitted = new RouteMeters(route);
            routes.put(route, admitted);
            return admitted;
        }
    }

    /** The meters of one route tag, one slot per (method, kind), registered on first use. */
    private final class RouteMeters {
        private final String route;
        private final Meters[] slots = new Meters[(METHODS.length + 2) * AbortKind.values().length];

        RouteMeters(String route) {
            this.route = route;
        }

        Meters meters(int method, AbortKind kind) {
            int slot = method * AbortKind.values().length + kind.ordinal();
            Meters meters = slots[slot];
            if (meters == null) {
                // a racing thread may register too: Micrometer returns the same meters for the same
                // id, so both threads end up with equal instances and no count is lost
                meters = new Meters(route, methodTag(method), kind);
                slots[slot] = meters;
            }
            return meters;
        }
    }

    /** One registered counter and timer; immutable, so publishing it through a plain array is safe. */
    private final class Meters {
        final Counter aborts;
        final Timer silence;

        Meters(String route, String method, AbortKind kind) {
            Tags tags = Tags.of("method", method, "route", route, "kind", kind.tag());
            this.aborts = Counter.builder(ABORTS)
                    .description("HTTP requests whose client disconnected before the response was complete")
                    .tags(tags)
                    .register(registry);
            this.silence = Timer.builder(SILENCE)
                    .description("Time from the response's last observed progress to the client abort (for a plain"
                            + " response an upper bound of the caller's read timeout, not an estimate)")
                    .tags(tags)
                    .register(registry);
        }
    }

    @Override
    public String toString() {
        return "MicrometerAbortMetrics[maxRoutes=" + maxRoutes + ", registry=" + registry.getClass().getSimpleName() + "]";
    }
}
