package dev.abortguard.idempotency.servlet;

import dev.abortguard.server.containers.EmbeddedServer;
import dev.abortguard.server.containers.UndertowServer;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.util.Map;

class UndertowIdempotencyFilterTest extends IdempotencyFilterContract {
    @Override
    EmbeddedServer start(Filter filter, Map<String, HttpServlet> servlets) throws Exception {
        return UndertowServer.start(filter, servlets);
    }
}
