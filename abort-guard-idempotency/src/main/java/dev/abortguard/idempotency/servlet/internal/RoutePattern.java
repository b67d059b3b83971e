package dev.abortguard.idempotency.servlet.internal;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * One idempotent route: a method and a path pattern. A pattern is a path whose segments are
 * literals, {@code *} (exactly one segment) or, as the last segment only, {@code **} (any number of
 * segments, none included): {@code /payments}, {@code /orders/* /capture}, {@code /api/**}.
 * Literal segments compare exactly (case-sensitive, undecoded), as the container's request URI has
 * them.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class RoutePattern {

    private final String method;
    private final String pattern;
    private final String[] segments;
    private final boolean anyTail;

    private RoutePattern(String method, String pattern, String[] segments, boolean anyTail) {
        this.method = method;
        this.pattern = pattern;
        this.segments = segments;
        this.anyTail = anyTail;
    }

    /**
     * Parses a route.
     *
     * @param method an HTTP method, e.g. {@code POST} (upper-cased)
     * @param pattern the path pattern
     * @return the route
     * @throws IllegalArgumentException naming what is wrong
     */
    public static RoutePattern of(String method, String pattern) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pattern, "pattern");
        String m = method.trim().toUpperCase(Locale.ROOT);
        if (m.isEmpty() || !m.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '/')) {
            throw new IllegalArgumentException("route method must be an HTTP method token: '" + method + "'");
        }
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("route path pattern must start with '/': '" + pattern + "'");
        }
        String[] parts = split(pattern);
        boolean anyTail = parts.length > 0 && parts[parts.length - 1].equals("**");
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.contains("**") && !(anyTail && i == parts.length - 1)) {
                throw new IllegalArgumentException("route path pattern: '**' may only be the whole last segment: '" + pattern + "'");
            }
            if (part.contains("*") && !part.equals("*") && !part.equals("**")) {
                throw new IllegalArgumentException("route path pattern: '*' must be a whole segment: '" + pattern + "'");
            }
        }
        String[] fixed = anyTail ? Arrays.copyOf(parts, parts.length - 1) : parts;
        return new RoutePattern(m, pattern, fixed, anyTail);
    }

    /**
     * Whether a request matches.
     *
     * @param requestMethod the request's method
     * @param path the request's path within the context, without the query
     * @return true when it matches
     */
    public boolean matches(String requestMethod, String path) {
        if (!method.equals(requestMethod)) {
            return false;
        }
        // walks the path in place: a request on no route (most of them) allocates nothing here
        int end = path.length();
        if (end > 1 && path.charAt(end - 1) == '/') {
            end--;
        }
        int pos = path.startsWith("/") ? 1 : 0;
        for (String segment : segments) {
            if (pos >= end) {
                return false; // a segment is expected and the path has none left
            }
            int slash = path.indexOf('/', pos);
            int segmentEnd = slash < 0 || slash > end ? end : slash;
            boolean wildcard = segment.equals("*");
            boolean fits = wildcard ? segmentEnd > pos
                    : segment.length() == segmentEnd - pos && path.regionMatches(pos, segment, 0, segment.length());
            if (!fits) {
                return false;
            }
            pos = segmentEnd + 1;
        }
        return anyTail || pos >= end;
    }

    private static String[] split(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
    }

    @Override
    public String toString() {
        return method + " " + pattern;
    }
}
