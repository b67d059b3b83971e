package dev.abortguard.server.containers;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.abortguard.server.LogCapture;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15, item 9: what each container logs, without abort-guard, when a client abort escapes a
 * servlet — the README's FAQ quotes this test. The client gives up (300 ms read timeout), then the
 * servlet writes 5 MB and lets the IOException escape.
 */
class ContainerOwnLoggingTest {

    static Stream<Arguments> containers() {
        return Stream.of(
                Arguments.of("Tomcat", (EmbeddedServer.Factory) TomcatServer::start, "none"),
                Arguments.of("Jetty", (EmbeddedServer.Factory) JettyServer::start, "none"),
                Arguments.of("Undertow", (EmbeddedServer.Factory) UndertowServer::start, "none"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void anEscapingClientAbortIsNotLoggedByTheContainerAtInfoOrAbove(String name, EmbeddedServer.Factory factory,
            String expectedAtInfoOrAbove) throws Exception {
        CountDownLatch clientGaveUp = new CountDownLatch(1);
        CountDownLatch servletDone = new CountDownLatch(1);
        HttpServlet escaping = new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                try {
                    clientGaveUp.await(10, TimeUnit.SECONDS);
                    byte[] chunk = new byte[64 * 1024];
                    for (int i = 0; i < 80; i++) {
                        resp.getOutputStream().write(chunk);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    servletDone.countDown();
                }
            }
        };
        try (LogCapture logs = new LogCapture();
                EmbeddedServer server = factory.start(null, Map.of("/escape", escaping));
                CloseableHttpClient client = HttpClients.custom().disableAutomaticRetries().build()) {
            HttpGet get = new HttpGet("http://127.0.0.1:" + server.port() + "/escape");
            get.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(300)).build());
            assertThrows(SocketTimeoutException.class, () -> client.execute(get, r -> EntityUtils.toByteArray(r.getEntity())));
            clientGaveUp.countDown();
            assertTrue(servletDone.await(10, TimeUnit.SECONDS));
            // the container logs on the request thread after the servlet returned: give it that moment
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);

            List<ILoggingEvent> loud = logs.events().stream()
                    .filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                    .filter(e -> !e.getLoggerName().startsWith("dev.abortguard"))
                    .filter(e -> mentionsTheAbort(e))
                    .collect(Collectors.toList());
            List<ILoggingEvent> quiet = logs.events().stream()
                    .filter(e -> !e.getLevel().isGreaterOrEqual(Level.INFO))
                    .filter(ContainerOwnLoggingTest::mentionsTheAbort)
                    .collect(Collectors.toList());
            System.out.printf("%s: at INFO or above %s; below INFO %d events%n", name, LogCapture.describe(loud), quiet.size());
            assertEquals(expectedAtInfoOrAbove, loud.isEmpty() ? "none" : LogCapture.describe(loud), name);
        }
    }

    private static boolean mentionsTheAbort(ILoggingEvent e) {
        String text = e.getFormattedMessage() + " " + (e.getThrowableProxy() == null ? ""
                : e.getThrowableProxy().getClassName() + " " + e.getThrowableProxy().getMessage());
        return text.contains("ClientAbortException") || text.contains("EofException") || text.contains("Broken pipe")
                || text.contains("Connection reset") || text.contains("/escape");
    }
}
