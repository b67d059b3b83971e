package dev.abortguard.client.internal;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Route names, {@code scheme://host:port}, bounded: beyond {@value Routes#MAX_ROUTES} distinct
 * names further ones are all {@value Routes#OVERFLOW}, so that a client calling thousands of hosts
 * never makes thousands of meters or counters. One instance per instrumented connection pool.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class RouteNames {

    private final ConcurrentHashMap<String, String> names = new ConcurrentHashMap<>();

    /** The bounded name of a route; {@code port} -1 means the scheme's default. */
    public String of(String scheme, String host, int port) {
        String name = name(scheme, host, port);
        String known = names.get(name);
        if (known != null) {
            return known;
        }
        if (names.size() >= Routes.MAX_ROUTES) {
            return Routes.OVERFLOW;
        }
        return names.computeIfAbsent(name, n -> n);
    }

    /** {@code scheme://host:port}, lower case, with the scheme's default port when {@code port} is -1. */
    public static String name(String scheme, String host, int port) {
        String s = scheme == null ? "http" : scheme.toLowerCase(Locale.ROOT);
        int p = port >= 0 ? port : "https".equals(s) ? 443 : 80;
        return s + "://" + (host == null ? "" : host.toLowerCase(Locale.ROOT)) + ":" + p;
    }
}
