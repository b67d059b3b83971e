package dev.abortguard.idempotency.servlet.internal;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The charset a held request or response body is read or written in: the one named, else the
 * servlet default, ISO-8859-1 — also for a name the JVM does not know, which the container would
 * refuse when writing too.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
final class ServletCharsets {

    private ServletCharsets() {
    }

    static Charset orDefault(String name) {
        try {
            return name == null ? StandardCharsets.ISO_8859_1 : Charset.forName(name);
        } catch (RuntimeException unsupported) {
            return StandardCharsets.ISO_8859_1;
        }
    }
}
