package dev.abortguard.server.containers;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;

import java.util.Map;

/** A real servlet container on 127.0.0.1 with an ephemeral port. */
public interface EmbeddedServer extends AutoCloseable {

    int port();

    @Override
    void close() throws Exception;

    /** Starts a container; {@code filter} may be {@code null} for a baseline without the library. */
    @FunctionalInterface
    interface Factory {
        EmbeddedServer start(Filter filter, Map<String, HttpServlet> servlets) throws Exception;
    }
}
