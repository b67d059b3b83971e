/**
 * abort-guard's server side: {@link dev.abortguard.server.ClientAbortFilter} and its handler,
 * classifier, metrics and events ({@code dev.abortguard.server}), and the logging guards for
 * Logback and Log4j 2 ({@code dev.abortguard.server.logging}). {@code dev.abortguard.server.internal}
 * is not exported: it may change without notice.
 *
 * <p>Logback and Log4j 2 are optional: each is needed only by the guard that adapts to it ({@code
 * ClientAbortTurboFilter}, {@code ClientAbortLog4jFilter}). Micrometer's adapter lives in the module
 * {@code dev.abortguard.micrometer}.
 */
module dev.abortguard.server {
    // Servlet types (Filter, ServletRequest) are part of this module's API
    requires transitive jakarta.servlet;
    requires transitive org.slf4j; // ClientAbortTurboFilter.decide takes an org.slf4j.Marker

    // optional, and not transitive: a module that reads this one without Logback or Log4j 2 must
    // still resolve (javac demands every module a 'requires static transitive' names); a module that
    // uses a logging guard requires its backend itself
    requires static ch.qos.logback.classic;
    requires static ch.qos.logback.core;
    requires static org.apache.logging.log4j;
    requires static org.apache.logging.log4j.core;

    exports dev.abortguard.server;
    exports dev.abortguard.server.logging;
}
