package dev.abortguard.boot;

import dev.abortguard.boot.app.Gate;
import dev.abortguard.boot.app.SeedApplication;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.util.Timeout;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The source write-up's application, unchanged (a catch-all advice and an executor catch block
 * that both {@code log.error(e.getMessage(), e)}), with abort-guard-spring-boot on the classpath and
 * nothing else: a real container on a random port, a real HttpClient 5 caller that really times out.
 * The same application with {@code abortguard.server.enabled=false} runs beside it as the baseline.
 * Each concrete class picks the container and the logging backend by its test classpath.
 */
@SpringBootTest(classes = SeedApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
abstract class BootAbortContract {

    private static final int READ_TIMEOUT_MS = 300;
    static final ResettingServer BACKEND = ResettingServer.startUnchecked();
    private static ConfigurableApplicationContext baseline;

    @LocalServerPort
    int port;
    @Autowired
    MeterRegistry registry;
    @Autowired
    org.springframework.beans.factory.ObjectProvider<AbortGuardServerAutoConfiguration.LoggingGuard> guards;

    private CapturedLog log;
    private CloseableHttpClient client;

    /** The logging backend's capture, attached once Boot has configured logging. */
    abstract CapturedLog capture();

    @DynamicPropertySource
    static void backend(DynamicPropertyRegistry properties) {
        properties.add("test.backend-url", () -> "http://127.0.0.1:" + BACKEND.port());
    }

    /** Whether the application has its catch-all advice (the seed's does). */
    boolean withAdvice() {
        return true;
    }

    /**
     * The baseline shares the test context's logging: it must not initialise the logging system
     * again (that would remove the guard and the capture), so it starts with Boot's logging system off.
     */
    private void startBaseline() {
        String key = "org.springframework.boot.logging.LoggingSystem";
        System.setProperty(key, "none");
        try {
            baseline = new SpringApplicationBuilder(SeedApplication.class)
                    .properties("server.port=0", "abortguard.server.enabled=false", "test.advice=" + withAdvice(),
                            "test.backend-url=http://127.0.0.1:" + BACKEND.port())
                    .run();
        } finally {
            System.clearProperty(key);
        }
    }

    @AfterAll
    static void stopBaseline() {
        if (baseline != null) {
            baseline.close();
            baseline = null;
        }
    }

    @BeforeEach
    void start() {
        if (baseline == null) {
            startBaseline();
        }
        log = capture();
        client = HttpClients.custom().disableAutomaticRetries().build();
        Gate.reset();
    }

    @AfterEach
    void stop() throws Exception {
        Gate.clientGaveUp();
        client.close();
        log.close();
    }

    private int baselinePort() {
        return Integer.parseInt(baseline.getEnvironment().getProperty("local.server.port"));
    }

    /** Calls {@code path}, gives up after the read timeout, then lets the handler write. */
    private Exception callAndGiveUp(int targetPort, String path) throws Exception {
        long exchangesBefore = exchangesEnded(targetPort, path);
        Exception failure = null;
        HttpGet get = new HttpGet("http://127.0.0.1:" + targetPort + path);
        get.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(READ_TIMEOUT_MS)).build());
        try {
            client.execute(get, response -> {
                try (InputStream body = response.getEntity().getContent()) {
                    body.transferTo(java.io.OutputStream.nullOutputStream());
                }
                return null;
            });
        } catch (Exception e) {
            failure = e;
        }
        Gate.clientGaveUp();
        assertTrue(Gate.awaitHandlerDone(), "the handler finished");
        awaitExchangeEnded(targetPort, path, exchangesBefore);
        return failure;
    }

    private static long exchangesEnded(int targetPort, String path) {
        return dev.abortguard.boot.app.ExchangesEnded.count(targetPort, path);
    }

    /**
     * Waits until the application has ended the exchange (its last dispatch is over, see {@link
     * dev.abortguard.boot.app.ExchangesEnded}): only then has it written every line it will write.
     * The handler being done is not enough: after an executor's failed write the error dispatch that
     * runs the catch-all advice usually follows within milliseconds, but once in a while a second
     * later, and a line that late would land in the next app's window.
     */
    private void awaitExchangeEnded(int targetPort, String path, long before) {
        await().atMost(Duration.ofSeconds(10)).until(() -> exchangesEnded(targetPort, path) > before);
    }

    private double aborts() {
        return registry.find("http.server.client.aborts").counters().stream().mapToDouble(Counter::count).sum();
    }

    /** What was written at WARN or above, once nothing more comes for 500 ms. */
    private List<String> settledWarnings() {
        List<List<String>> last = new ArrayList<>(List.of(List.of("<none yet>")));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).during(Duration.ofMillis(500))
                .until(() -> {
                    // two Tomcats in one JVM name their engines Tomcat and Tomcat-1: the same logger otherwise
                    List<String> now = log.warnings().stream().map(l -> l.level() + " "
                            + l.logger().replaceAll("\\[Tomcat-\\d+]", "[Tomcat]") + " "
                            + l.message() + " [" + l.throwable() + "]").collect(Collectors.toList());
                    boolean stable = now.equals(last.get(0));
                    last.set(0, now);
                    return stable;
                });
        return last.get(0);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/large", "/small", "/stream", "/sse"})
    void anAbortedRequestIsOneInfoLineAndOneCountAndNothingElse(String path) throws Exception {
        // without the starter, the same application writes ERROR lines with stack traces (a small
        // body may instead fail where no one sees it, after the handler returned)
        Exception baselineFailure = callAndGiveUp(baselinePort(), path);
        assertInstanceOf(SocketTimeoutException.class, baselineFailure, "the caller really timed out");
        List<String> noisy = settledWarnings();
        if (!path.equals("/small") && (withAdvice() || !path.equals("/large"))) {
            assertFalse(noisy.isEmpty(), "the baseline is noisy, so the quiet below is the starter's doing");
        }
        log.clear();
        Gate.reset();

        double before = aborts();
        double droppedBefore = dropped();
        Exception failure = callAndGiveUp(port, path);
        assertInstanceOf(SocketTimeoutException.class, failure, "the caller really timed out");
        await().atMost(Duration.ofSeconds(10)).until(() -> aborts() == before + 1);
        List<String> warnings = settledWarnings();
        assertEquals(List.of(), warnings, "0 WARN, 0 ERROR (without the starter: " + noisy + ")");
        List<CapturedLog.Line> lines = log.abortLines();
        assertEquals(1, lines.size(), "exactly one abort line: " + lines);
        assertEquals("INFO", lines.get(0).level());
        assertTrue(lines.get(0).message().startsWith("Client aborted GET " + path), lines.get(0).message());
        assertEquals(before + 1, aborts(), "+1 on the abort counter");
        if (path.equals("/stream") || path.equals("/sse")) {
            assertTrue(dropped() >= droppedBefore + 1, "the executor's own log.error was dropped, and counted: "
                    + droppedBefore + " -> " + dropped() + " " + registry.find("http.server.client.abort.log.dropped").meters()
                    + " guards=" + guards.stream().map(g -> g.getClass().getSimpleName() + ":" + g.droppedEvents()).toList());
        }
    }

    private double dropped() {
        return registry.find("http.server.client.abort.log.dropped").functionCounters().stream()
                .mapToDouble(io.micrometer.core.instrument.FunctionCounter::count).sum();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/runtime", "/disk-full", "/outbound"})
    void aRealErrorIsAsLoudAsWithoutTheStarter(String path) throws Exception {
        int baselineStatus = status(baselinePort(), path);
        List<String> without = settledWarnings();
        log.clear();
        Gate.reset();

        double before = aborts();
        int status = status(port, path);
        List<String> with = settledWarnings();
        assertEquals(baselineStatus, status, "same status");
        assertEquals(500, status);
        assertEquals(without, with, "same lines at the same levels");
        assertFalse(with.isEmpty(), "the advice (or, without it, the container) logged it at ERROR");
        assertEquals(before, aborts(), "not counted as an abort");
        assertTrue(log.abortLines().isEmpty(), "no abort line");
    }

    private int status(int targetPort, String path) throws Exception {
        long exchangesBefore = exchangesEnded(targetPort, path);
        int status = client.execute(new HttpGet("http://127.0.0.1:" + targetPort + path), response -> response.getCode());
        assertTrue(Gate.awaitHandlerDone(), "the handler finished");
        awaitExchangeEnded(targetPort, path, exchangesBefore);
        return status;
    }

    @org.junit.jupiter.api.Test
    void aNewFailureThatWrapsACaughtAbortIsAsLoudAsWithoutTheStarter() throws Exception {
        callAndGiveUp(baselinePort(), "/abort-then-new-failure");
        List<String> without = settledWarnings();
        if (withAdvice()) {
            assertTrue(without.stream().anyMatch(l -> l.contains("payment failed")), String.valueOf(without));
        }
        log.clear();
        Gate.reset();

        double before = aborts();
        callAndGiveUp(port, "/abort-then-new-failure");
        await().atMost(Duration.ofSeconds(10)).until(() -> aborts() == before + 1);
        assertEquals(without, settledWarnings(), "the application's own failure, exactly as loud");
        assertEquals(1, log.abortLines().size(), "and the abort itself once at INFO");
    }

    @org.junit.jupiter.api.Test
    void anAbortedRequestIsNotASuccessInHttpServerRequests() throws Exception {
        double before = aborts();
        callAndGiveUp(port, "/large");
        await().atMost(Duration.ofSeconds(10)).until(() -> aborts() == before + 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.find("http.server.requests")
                .tag("uri", "/large").timers().stream().mapToLong(Timer::count).sum() >= 1);
        List<String> outcomes = registry.find("http.server.requests").tag("uri", "/large").timers().stream()
                .map(t -> t.getId().getTag("outcome") + "/" + t.getId().getTag("status")).collect(Collectors.toList());
        assertEquals(List.of("UNKNOWN/UNKNOWN"), outcomes, "as WebFlux tags an aborted connection");
    }

    /** Keeps the quiet-window helper honest: a failure message lists what was logged. */
    static void failWith(List<String> lines) {
        fail(String.join("\n", lines));
    }

    @SuppressWarnings("unused")
    private static ConditionTimeoutException unused() {
        return null;
    }
}
