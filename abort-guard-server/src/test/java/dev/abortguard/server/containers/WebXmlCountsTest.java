package dev.abortguard.server.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.abortguard.server.AbortCounters;
import dev.abortguard.server.ClientAbortFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;

/**
 * Issue 15, item 7: a filter the container creates from its class name and init-params (what
 * {@code web.xml} does) publishes itself as a servlet context attribute, so the application can read
 * its counts; the {@code metrics} init-param picks the metrics by class name.
 */
class WebXmlCountsTest {

    private final CountDownLatch clientGaveUp = new CountDownLatch(1);

    @Test
    void theContainerCreatedFilterIsReachableAndCountsTheAbort() throws Exception {
        Path base = Files.createTempDirectory("tomcat-webxml");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());
        FilterDef def = new FilterDef();
        def.setFilterName("clientAbortFilter");
        def.setFilterClass(ClientAbortFilter.class.getName()); // created by the container, as from web.xml
        def.setAsyncSupported("true");
        def.addInitParameter("metrics", "counters");
        def.addInitParameter("maxLogLinesPerSecond", "10");
        context.addFilterDef(def);
        FilterMap map = new FilterMap();
        map.setFilterName("clientAbortFilter");
        map.addURLPattern("/*");
        map.setDispatcher("REQUEST");
        context.addFilterMap(map);
        Tomcat.addServlet(context, "slow", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                try {
                    clientGaveUp.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                byte[] chunk = new byte[64 * 1024];
                for (int i = 0; i < 80; i++) {
                    resp.getOutputStream().write(chunk);
                }
            }
        });
        context.addServletMappingDecoded("/slow", "slow");
        Tomcat.addServlet(context, "counts", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                ClientAbortFilter filter = (ClientAbortFilter) getServletContext().getAttribute(ClientAbortFilter.CONTEXT_ATTRIBUTE);
                AbortCounters counters = (AbortCounters) filter.metrics();
                resp.getWriter().write(counters.total() + " " + (getServletContext()
                        .getAttribute(ClientAbortFilter.CONTEXT_ATTRIBUTE + ".clientAbortFilter") == filter));
            }
        });
        context.addServletMappingDecoded("/counts", "counts");
        tomcat.start();
        try (CloseableHttpClient client = HttpClients.custom().disableAutomaticRetries().build()) {
            String base0 = "http://127.0.0.1:" + connector.getLocalPort();
            HttpGet slow = new HttpGet(base0 + "/slow");
            slow.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(300)).build());
            assertThrows(SocketTimeoutException.class, () -> client.execute(slow, r -> EntityUtils.toByteArray(r.getEntity())));
            clientGaveUp.countDown();

            await().atMost(Duration.ofSeconds(10)).until(() ->
                    client.execute(new HttpGet(base0 + "/counts"), r -> EntityUtils.toString(r.getEntity())).startsWith("1 "));
            assertEquals("1 true", client.execute(new HttpGet(base0 + "/counts"), r -> EntityUtils.toString(r.getEntity())));
        } finally {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    @Test
    void aMetricsClassThatIsNotOneFailsInitNamingTheParam() {
        ClientAbortFilter filter = new ClientAbortFilter();
        jakarta.servlet.ServletException e = assertThrows(jakarta.servlet.ServletException.class,
                () -> filter.init(config("metrics", "java.lang.String")));
        assertTrue(e.getMessage().contains("metrics: java.lang.String does not implement"), e.getMessage());
        e = assertThrows(jakarta.servlet.ServletException.class, () -> filter.init(config("metrics", "no.such.Metrics")));
        assertTrue(e.getMessage().contains("metrics: class no.such.Metrics not found"), e.getMessage());
        ClientAbortFilter counting = new ClientAbortFilter();
        assertSameClass(counting);
    }

    private static void assertSameClass(ClientAbortFilter filter) {
        assertSame(AbortCounters.class, filter.metrics().getClass());
    }

    private static jakarta.servlet.FilterConfig config(String name, String value) {
        return new jakarta.servlet.FilterConfig() {
            @Override public String getFilterName() { return "f"; }
            @Override public jakarta.servlet.ServletContext getServletContext() { return null; }
            @Override public String getInitParameter(String n) { return n.equals(name) ? value : null; }
            @Override public java.util.Enumeration<String> getInitParameterNames() {
                return java.util.Collections.enumeration(java.util.List.of(name));
            }
        };
    }
}
