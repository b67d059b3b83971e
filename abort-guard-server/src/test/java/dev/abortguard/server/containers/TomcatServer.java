package dev.abortguard.server.containers;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Embedded Tomcat 11. */
public final class TomcatServer implements EmbeddedServer {

    private final Tomcat tomcat;
    private final Connector connector;

    private TomcatServer(Tomcat tomcat, Connector connector) {
        this.tomcat = tomcat;
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
        Path base = Files.createTempDirectory("tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        if (h2c) {
            connector.addUpgradeProtocol(new Http2Protocol());
        }
        tomcat.setConnector(connector);
        StandardContext context = (StandardContext) tomcat.addContext("", base.toString());
        // these checks need --add-opens and only warn at shutdown in a test JVM
        context.setClearReferencesRmiTargets(false);
        context.setClearReferencesThreadLocals(false);
        servlets.forEach((path, servlet) -> {
            String name = "servlet" + path.replace('/', '_');
            Wrapper wrapper = Tomcat.addServlet(context, name, servlet);
            wrapper.setAsyncSupported(true);
            context.addServletMappingDecoded(path, name);
        });
        if (filter != null) {
            FilterDef def = new FilterDef();
            def.setFilterName("clientAbortFilter");
            def.setFilter(filter);
            def.setAsyncSupported("true");
            context.addFilterDef(def);
            FilterMap map = new FilterMap();
            map.setFilterName("clientAbortFilter");
            map.addURLPattern("/*");
            map.setDispatcher("REQUEST");
            map.setDispatcher("ASYNC");
            context.addFilterMap(map);
        }
        tomcat.start();
        return new TomcatServer(tomcat, connector);
    }

    @Override
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        tomcat.stop();
        tomcat.destroy();
    }
}
