/**
 * Logging guards: drop the WARN and ERROR events that only repeat a client abort the filter
 * already logged once at INFO — the {@code log.error(e.getMessage(), e)} in an application's
 * catch-all advice or executor catch block — and nothing else.
 *
 * <p>{@link dev.abortguard.server.logging.ClientAbortTurboFilter} for Logback, {@link
 * dev.abortguard.server.logging.ClientAbortLog4jFilter} for Log4j 2. Both decide by the identity of
 * the event's throwable ({@link dev.abortguard.server.RecordedAborts}), never by its message, and
 * both are optional dependencies: use the one of your logging backend, from its XML configuration
 * or through abort-guard-spring-boot, which installs it.
 */
package dev.abortguard.server.logging;
