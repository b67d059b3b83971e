package dev.abortguard.idempotency.servlet;

import dev.abortguard.server.containers.EmbeddedServer;
import dev.abortguard.server.containers.TomcatServer;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.util.Map;

class TomcatIdempotencyFilterTest extends IdempotencyFilterContract {
    @Override
    EmbeddedServer start(Filter filter, Map<String, HttpServlet> servlets) throws Exception {
        return TomcatServer.start(filter, servlets);
    }
}
