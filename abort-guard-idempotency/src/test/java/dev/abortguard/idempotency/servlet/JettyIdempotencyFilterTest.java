package dev.abortguard.idempotency.servlet;

import dev.abortguard.server.containers.EmbeddedServer;
import dev.abortguard.server.containers.JettyServer;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.util.Map;

class JettyIdempotencyFilterTest extends IdempotencyFilterContract {
    @Override
    EmbeddedServer start(Filter filter, Map<String, HttpServlet> servlets) throws Exception {
        return JettyServer.start(filter, servlets);
    }
}
