package dev.abortguard.micrometer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiFunction;

/**
 * Meters of one family, one per route and constant: registered on first use and kept, so an event
 * costs a map read, an array read and an increment. Bounded: beyond {@value #MAX_ROUTES} routes,
 * further ones share the tag value {@value #OVERFLOW} (the client already bounds its route names
 * per wrapped client; an adapter shared by several clients bounds them again).
 */
final class RouteTag<M> {

    static final int MAX_ROUTES = 256;
    static final String OVERFLOW = "OTHER";

    private final ConcurrentHashMap<String, AtomicReferenceArray<M>> byRoute = new ConcurrentHashMap<>();
    private final int constants;
    private final BiFunction<String, Integer, M> register;

    /** @param register makes the meter of a route and a constant's index */
    RouteTag(int constants, BiFunction<String, Integer, M> register) {
        this.constants = constants;
        this.register = register;
    }

    M meter(String route, int index) {
        String name = route == null ? OVERFLOW : route;
        AtomicReferenceArray<M> meters = byRoute.get(name);
        if (meters == null) {
            if (byRoute.size() >= MAX_ROUTES) {
                name = OVERFLOW;
            }
            meters = byRoute.computeIfAbsent(name, n -> new AtomicReferenceArray<>(constants));
        }
        M meter = meters.get(index);
        if (meter == null) {
            // two racing threads both register: Micrometer returns the same meter for the same id
            meter = register.apply(name, index);
            meters.set(index, meter);
        }
        return meter;
    }
}
