package dev.abortguard.examples.boot;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BootExampleApplicationTest {

    @LocalServerPort
    int port;

    @Autowired
    PaymentController payments;

    @Autowired
    MeterRegistry registry;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void captureLogs() throws Exception {
        // a cold application can take longer than the 200 ms read timeout for its first /stream
        try (CloseableHttpClient client = HttpClients.createDefault()) {
            for (int i = 0; i < 3; i++) {
                client.execute(new HttpGet("http://127.0.0.1:" + port + "/stream"), response -> {
                    EntityUtils.consume(response.getEntity());
                    return null;
                });
            }
        }
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void stopCapture() {
        root.detachAppender(logs);
    }

    private List<ILoggingEvent> events() {
        synchronized (logs.list) {
            return new ArrayList<>(logs.list);
        }
    }

    private List<ILoggingEvent> abortLines() {
        return events().stream().filter(e -> e.getLoggerName().equals("dev.abortguard.server.ClientAbort"))
                .collect(Collectors.toList());
    }

    private List<String> errors() {
        return events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
                .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).collect(Collectors.toList());
    }

    @Test
    void seedStreamThroughAResponseBodyEmitterIsOneInfoLineAndACounter() throws Exception {
        try (CloseableHttpClient client = HttpClients.createDefault()) {
            HttpGet get = new HttpGet("http://127.0.0.1:" + port + "/stream");
            get.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(200)).build());
            int[] status = {0};
            Exception failure = null;
            try {
                client.execute(get, response -> {
                    status[0] = response.getCode();
                    try (InputStream in = response.getEntity().getContent()) {
                        in.readAllBytes();
                    }
                    return null;
                });
            } catch (Exception e) {
                failure = e;
            }
            assertEquals(200, status[0], "status arrived before the pause");
            assertInstanceOf(SocketTimeoutException.class, failure, "timed out in the middle of the body");

            await().atMost(Duration.ofSeconds(10)).until(() -> abortLines().size() == 1);
            // nothing else arrives: no second line, no ERROR from Spring, Tomcat or the advice
            try {
                await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
                        .until(() -> abortLines().size() == 1 && errors().isEmpty());
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                fail("lines: " + abortLines().stream().map(ILoggingEvent::getFormattedMessage).toList() + " errors: " + errors());
            }
            ILoggingEvent line = abortLines().get(0);
            assertEquals(Level.INFO, line.getLevel());
            assertTrue(line.getFormattedMessage().startsWith("Client aborted GET /stream"), line.getFormattedMessage());

            HttpGet metric = new HttpGet("http://127.0.0.1:" + port + "/actuator/metrics/http.server.client.aborts");
            String body = client.execute(metric, response -> {
                assertEquals(200, response.getCode());
                return EntityUtils.toString(response.getEntity());
            });
            assertTrue(body.contains("\"statistic\":\"COUNT\",\"value\":1.0"), body);
            assertTrue(body.contains("\"tag\":\"route\"") && body.contains("/stream"), "route template tag: " + body);
        }
    }

    @Test
    void restClientRecoversATimedOutPaymentWithoutADuplicate() throws Exception {
        int ledgerBefore = payments.ledger.size();
        int callsBefore = payments.providerCalls.get();
        double unknownBefore = count("abortguard.client.failures", "phase", "outcome_unknown");
        double completedBefore = count("abortguard.client.outcomes", "outcome", "completed");
        try (CloseableHttpClient client = HttpClients.createDefault()) {
            HttpPost checkout = new HttpPost("http://127.0.0.1:" + port + "/checkout");
            checkout.setEntity(new StringEntity("100", ContentType.TEXT_PLAIN));
            String body = client.execute(checkout, response -> {
                assertEquals(200, response.getCode());
                return EntityUtils.toString(response.getEntity());
            });
            // "COMPLETED" only comes from the provider's status API; its own answer says "CREATED"
            assertTrue(body.contains("\"amount\":100") && body.contains("\"status\":\"COMPLETED\""), body);
        }
        assertEquals(unknownBefore + 1, count("abortguard.client.failures", "phase", "outcome_unknown"),
                "the provider call really timed out");
        assertEquals(completedBefore + 1, count("abortguard.client.outcomes", "outcome", "completed"),
                "and the status check resolved it");
        assertEquals(ledgerBefore + 1, payments.ledger.size(), "recorded once");
        assertEquals(callsBefore + 1, payments.providerCalls.get(), "never resent: the status check said COMPLETED");
        assertTrue(errors().isEmpty(), "no ERROR: " + errors());
    }

    /** The sum over every route of the counters with one tag value (recovery meters carry a route tag). */
    private double count(String name, String tag, String value) {
        return registry.find(name).tag(tag, value).counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }
}
