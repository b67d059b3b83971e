package dev.abortguard.benchmarks;

import jakarta.servlet.Filter;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Embedded Tomcat 11 on 127.0.0.1 with the benchmark servlets, with or without a filter. */
final class Servers {

    /** Keeps Tomcat's JULI loggers quiet (a strong reference, or JUL forgets the level). */
    private static final Logger TOMCAT_LOG = Logger.getLogger("org.apache");

    static {
        TOMCAT_LOG.setLevel(Level.WARNING);
    }

    private Servers() {
    }

    /** A running Tomcat. */
    static final class Running implements AutoCloseable {
        private final Tomcat tomcat;
        private final Connector connector;

        Running(Tomcat tomcat, Connector connector) {
            this.tomcat = tomcat;
            this.connector = connector;
        }

        int port() {
            return connector.getLocalPort();
        }

        String url(String path) {
            return "http://127.0.0.1:" + port() + path;
        }

        @Override
        public void close() throws Exception {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    /** {@code GET /hello}: a 2 KiB JSON body in two writes, as {@link FilterBenchmark}'s servlet. */
    static final class HelloServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("application/json");
            ServletOutputStream out = resp.getOutputStream();
            out.write(FilterBenchmark.HEAD);
            out.write(FilterBenchmark.BODY);
        }
    }

    /** {@code POST /orders}: reads the body, answers 201 with a small JSON body. */
    static final class OrderServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private static final byte[] CREATED = "{\"id\":42,\"status\":\"CREATED\"}".getBytes(StandardCharsets.UTF_8);

        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            byte[] buf = new byte[1024];
            try (InputStream in = req.getInputStream()) {
                while (in.read(buf) >= 0) {
                    // drain
                }
            }
            resp.setStatus(201);
            resp.setContentType("application/json");
            resp.getOutputStream().write(CREATED);
        }
    }

    /**
     * {@code GET /stream}: a report export that writes 1 KiB and flushes every 150 ms for up to 5 s.
     * Clients with a 100 ms read timeout give up on it; the next writes fail. Like an application,
     * the servlet lets the write's IOException propagate.
     */
    static final class StreamServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private static final byte[] CHUNK = new byte[1024];

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("application/octet-stream");
            ServletOutputStream out = resp.getOutputStream();
            long end = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < end) {
                out.write(CHUNK);
                out.flush();
                try {
                    Thread.sleep(150);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    static Running start(Filter filter) throws Exception {
        Path base = Files.createTempDirectory("abort-guard-bench-tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        StandardContext context = (StandardContext) tomcat.addContext("", base.toString());
        context.setClearReferencesRmiTargets(false);
        context.setClearReferencesThreadLocals(false);
        add(context, "/hello", new HelloServlet());
        add(context, "/orders", new OrderServlet());
        add(context, "/stream", new StreamServlet());
        if (filter != null) {
            FilterDef def = new FilterDef();
            def.setFilterName("filter");
            def.setFilter(filter);
            def.setAsyncSupported("true");
            context.addFilterDef(def);
            FilterMap map = new FilterMap();
            map.setFilterName("filter");
            map.addURLPattern("/*");
            map.setDispatcher("REQUEST");
            map.setDispatcher("ASYNC");
            context.addFilterMap(map);
        }
        tomcat.start();
        return new Running(tomcat, connector);
    }

    private static void add(StandardContext context, String path, HttpServlet servlet) {
        String name = "servlet" + path.replace('/', '_');
        Wrapper wrapper = Tomcat.addServlet(context, name, servlet);
        wrapper.setAsyncSupported(true);
        context.addServletMappingDecoded(path, name);
    }
}
