package dev.abortguard.server.containers;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;

import java.net.InetSocketAddress;
import java.util.Map;

/** Embedded Undertow 2.3. */
public final class UndertowServer implements EmbeddedServer {

    private final Undertow undertow;
    private final DeploymentManager manager;

    private UndertowServer(Undertow undertow, DeploymentManager manager) {
        this.undertow = undertow;
        this.manager = manager;
    }

    public static EmbeddedServer start(Filter filter, Map<String, HttpServlet> servlets) throws Exception {
        return start(filter, servlets, false);
    }

    /** With HTTP/2 over cleartext (h2c: prior knowledge or upgrade) beside HTTP/1.1. */
    public static EmbeddedServer startH2c(Filter filter, Map<String, HttpServlet> servlets) throws Exception {
        return start(filter, servlets, true);
    }

    @SuppressWarnings("unchecked")
    private static EmbeddedServer start(Filter filter, Map<String, HttpServlet> servlets, boolean h2c) throws Exception {
        DeploymentInfo deployment = Servlets.deployment()
                .setClassLoader(UndertowServer.class.getClassLoader())
                .setContextPath("/")
                .setDeploymentName("abort-guard-test-" + System.nanoTime());
        servlets.forEach((path, servlet) -> deployment.addServlet(
                Servlets.servlet("servlet" + path.replace('/', '_'), (Class<HttpServlet>) servlet.getClass(),
                                new ImmediateInstanceFactory<>(servlet))
                        .addMapping(path)
                        .setAsyncSupported(true)));
        if (filter != null) {
            deployment.addFilter(Servlets.filter("clientAbortFilter", (Class<Filter>) filter.getClass(),
                    new ImmediateInstanceFactory<>(filter)).setAsyncSupported(true));
            deployment.addFilterUrlMapping("clientAbortFilter", "/*", DispatcherType.REQUEST);
            deployment.addFilterUrlMapping("clientAbortFilter", "/*", DispatcherType.ASYNC);
        }
        DeploymentManager manager = Servlets.defaultContainer().addDeployment(deployment);
        manager.deploy();
        Undertow undertow = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setServerOption(UndertowOptions.ENABLE_HTTP2, h2c)
                .setHandler(manager.start())
                .build();
        undertow.start();
        return new UndertowServer(undertow, manager);
    }

    @Override
    public int port() {
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    @Override
    public void close() throws Exception {
        undertow.stop();
        manager.stop();
        manager.undeploy();
    }
}
