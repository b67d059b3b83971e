package dev.abortguard.server.containers;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.util.EnumSet;
import java.util.Map;

/** Embedded Jetty 12 (ee11). */
public final class JettyServer implements EmbeddedServer {

    private final Server server;
    private final ServerConnector connector;

    private JettyServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    public static EmbeddedServer start(Filter filter, Map<String, HttpServlet> servlets) throws Exception {
        return start(filter, servlets, false);
    }

    /** With HTTP/2 over cleartext (h2c: prior knowledge or upgrade) beside HTTP/1.1. */
    public static EmbeddedServer startH2c(Filter filter, Map<String, HttpServlet> servlets) throws Exception {
        return start(filter, servlets, true);
    }

    private static EmbeddedServer start(Filter filter, Map<String, HttpServlet> servlets, boolean h2c) throws Exception {
        Server server = new Server();
        HttpConfiguration config = new HttpConfiguration();
        ServerConnector connector = h2c
                ? new ServerConnector(server, new HttpConnectionFactory(config), new HTTP2CServerConnectionFactory(config))
                : new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        servlets.forEach((path, servlet) -> {
            ServletHolder holder = new ServletHolder(servlet);
            holder.setAsyncSupported(true);
            context.addServlet(holder, path);
        });
        if (filter != null) {
            FilterHolder holder = new FilterHolder(filter);
            holder.setAsyncSupported(true);
            context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        }
        server.setHandler(context);
        server.start();
        return new JettyServer(server, connector);
    }

    @Override
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
