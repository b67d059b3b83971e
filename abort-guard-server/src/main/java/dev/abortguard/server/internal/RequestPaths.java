package dev.abortguard.server.internal;

/**
 * What of a request URI may reach a log line.
 *
 * <p>Internal, not API: may change without notice.
 */
public final class RequestPaths {

    private RequestPaths() {}

    /**
     * The request URI without path parameters: Tomcat keeps {@code ;jsessionid=...} in {@code
     * getRequestURI()}, and a session id must not end up in an INFO line.
     *
     * @param uri a request URI, or {@code null}
     * @return the URI without path parameters ({@code uri} itself when it has none)
     */
    public static String withoutPathParameters(String uri) {
        if (uri == null || uri.indexOf(';') < 0) {
            return uri;
        }
        StringBuilder out = new StringBuilder(uri.length());
        boolean inParameter = false;
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == ';') {
                inParameter = true;
            } else if (c == '/') {
                inParameter = false;
            }
            if (!inParameter) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
