package dev.abortguard.client.internal;

import dev.abortguard.client.RecoveryStep;
import java.util.List;

/**
 * Makes caller- and server-supplied text safe for one log line: keys, request lines, callback
 * descriptions and trails. Keys and request lines come from whoever built the request, and trails
 * quote exception messages, so a raw value could forge log lines (CR, LF, U+2028, U+2029), drive a
 * terminal (ESC), reorder what an operator reads (bidi controls) or flood the log (a 100 KB key).
 *
 * <p>Replaced by {@code _}: ISO control characters (U+0000-U+001F, U+007F-U+009F, which include CR,
 * LF, TAB and ESC), the line and paragraph separators U+2028 and U+2029, the bidi controls
 * U+061C, U+200E, U+200F, U+202A-U+202E and U+2066-U+2069, and unpaired surrogates. Bounded to
 * {@value #MAX_LENGTH} characters (a trail to {@value #MAX_TRAIL_LENGTH}) followed by {@code ...};
 * the cut never splits a surrogate pair.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class LogSafe {

    /** The most characters of one value (key, request line) kept in a log line. */
    public static final int MAX_LENGTH = 200;

    /** The most characters of a decision trail kept in a log line; a trail has several steps. */
    public static final int MAX_TRAIL_LENGTH = 4000;

    private LogSafe() {}

    /** {@code value} cleaned and bounded to {@link #MAX_LENGTH}; {@code "null"} for null. */
    public static String clean(String value) {
        return clean(value, MAX_LENGTH);
    }

    /** The trail as one cleaned line, bounded to {@link #MAX_TRAIL_LENGTH}. */
    public static String trail(List<RecoveryStep> trail) {
        return clean(String.valueOf(trail), MAX_TRAIL_LENGTH);
    }

    public static String clean(String value, int max) {
        if (value == null) {
            return "null";
        }
        int end = value.length();
        boolean cut = false;
        if (end > max) {
            end = max;
            // Never keep half of a pair: the high surrogate goes with its low one.
            if (Character.isHighSurrogate(value.charAt(end - 1)) && Character.isLowSurrogate(value.charAt(end))) {
                end--;
            }
            cut = true;
        }
        StringBuilder out = null;
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            boolean replace;
            if (Character.isHighSurrogate(c)) {
                boolean paired = i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1));
                replace = !paired;
                if (paired && out != null) {
                    out.append(c).append(value.charAt(i + 1));
                }
                if (paired) {
                    i++;
                    continue;
                }
            } else {
                replace = Character.isLowSurrogate(c) || unsafe(c); // a low surrogate here is unpaired
            }
            if (replace && out == null) {
                out = new StringBuilder(end + 3).append(value, 0, i);
            }
            if (out != null) {
                out.append(replace ? '_' : c);
            }
        }
        String kept = out != null ? out.toString() : value.substring(0, end);
        return cut ? kept + "..." : kept;
    }

    private static boolean unsafe(char c) {
        return Character.isISOControl(c)
                || c == '\u2028' || c == '\u2029'
                || (c >= '\u202A' && c <= '\u202E')
                || (c >= '\u2066' && c <= '\u2069')
                || c == '\u200E' || c == '\u200F' || c == '\u061C';
    }
}
