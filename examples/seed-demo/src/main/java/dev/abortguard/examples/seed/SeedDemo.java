package dev.abortguard.examples.seed;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.abortguard.client.FailurePhase;
import dev.abortguard.client.RecoveryContext;
import dev.abortguard.client.RecoveryListener;
import dev.abortguard.client.RecoveryMode;
import dev.abortguard.client.RecoveryOutcome;
import dev.abortguard.client.StatusDecision;
import dev.abortguard.client.TimeoutRecoveryException;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One command, the whole value: the seed's scenarios run twice against embedded Tomcat 11 — without
 * abort-guard, then with it — and a before/after table. "The seed" is the write-up this project
 * started from ("(Tomcat) Why does ClientAbortException happen?", part 2): a Spring Boot service
 * whose catch-all {@code @RestControllerAdvice} logs every exception with {@code log.error(e.message, e)},
 * so every client that gives up pages someone with {@code ClientAbortException: Broken pipe}.
 *
 * <pre>{@code mvn -B -q -DskipTests package && java -jar examples/seed-demo/target/seed-demo.jar}</pre>
 */
public final class SeedDemo {

    private static PrintStream OUT = System.out;
    private static final Timeout READ_TIMEOUT = Timeout.ofMilliseconds(300);
    private static final Timeout STREAM_READ_TIMEOUT = Timeout.ofMilliseconds(200);

    private SeedDemo() {
    }

    public static void main(String[] args) throws Exception {
        demo(System.out);
    }

    /** Runs both passes, printing to {@code out}; returns {without, with} for the smoke test. */
    static Run[] demo(PrintStream out) throws Exception {
        OUT = out;
        OUT.println("The seed: a Spring Boot service from the write-up this project started from, whose catch-all");
        OUT.println("exception handler logs every exception at ERROR with its stack trace. Its endpoints, run twice.");
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        LevelCounter levels = LevelCounter.attach();

        Run without = run(false, levels);
        Run with = run(true, levels);

        OUT.println();
        OUT.println("=== Summary ===");
        String row = "  %-36s | %-34s | %-44s%n";
        OUT.printf(row, "", "without abort-guard", "with abort-guard");
        OUT.printf(row, "-".repeat(36), "-".repeat(34), "-".repeat(44));
        OUT.printf(row, "client timeouts (the caller gave up)", without.timeouts, with.timeouts);
        OUT.printf(row, "server ERROR lines (stack traces)", without.errors, with.errors);
        OUT.printf(row, "server abort lines (INFO, one each)", without.abortLines, with.abortLines);
        OUT.printf(row, "abort counter", "n/a", with.abortCount);
        OUT.printf(row, "payment, answer after timeout", without.slowPayment, with.slowPayment);
        OUT.printf(row, "payment, dropped before recording", without.droppedPayment, with.droppedPayment);
        OUT.printf(row, "outcomes left unknown", without.unknowns, with.unknowns);
        OUT.println();
        int timeouts = Integer.parseInt(without.timeouts);
        int errors = Integer.parseInt(without.errors);
        int aborts = Integer.parseInt(with.abortLines);
        int silent = Math.max(0, aborts - errors);
        int notAborts = Math.max(0, timeouts - aborts);
        OUT.printf("Without: the caller gave up %d times. The application's catch-all handler (the seed's log.error%n", timeouts);
        OUT.printf("with the stack trace) logged %d of them as ERROR; %d more abort%s left no line at all (the container%n",
                errors, silent, silent == 1 ? "" : "s");
        OUT.printf("logs what it sees itself below INFO: the payment's late answer); %d %s no abort at all (the server%n",
                notAborts, notAborts == 1 ? "was" : "were");
        OUT.println("never wrote to the caller: the dropped payment). The caller cannot tell whether a payment was taken.");
        OUT.printf("With: each of the %d aborts is one INFO line and one count, the silent one included;%n", aborts);
        OUT.println("the client asks the status API by Idempotency-Key and resends only what never happened.");
        return new Run[] {without, with};
    }

    private static Run run(boolean withAbortGuard, LevelCounter levels) throws Exception {
        OUT.println();
        OUT.println(withAbortGuard
                ? "=== Run 2: WITH abort-guard (ClientAbortFilter + TimeoutRecoveryPolicy) ==="
                : "=== Run 1: WITHOUT abort-guard (plain Tomcat 11, plain HttpClient 5) ===");
        Run result = new Run();
        levels.reset();
        runUnknown.set(0);
        try (SeedServer server = new SeedServer(withAbortGuard);
             CloseableHttpClient statusClient = HttpClients.createDefault();
             CloseableHttpClient client = client(withAbortGuard, server, statusClient)) {
            String base = "http://127.0.0.1:" + server.port();

            step("GET /slow-large (server sleeps 600 ms, then writes 5 MB; client read timeout 300 ms)");
            get(client, base + "/slow-large", READ_TIMEOUT);
            server.awaitIdle();

            step("GET /stream (chunks after 100/100/500/100 ms on an executor thread; read timeout 200 ms)");
            get(client, base + "/stream", STREAM_READ_TIMEOUT);
            server.awaitIdle();

            step("POST /payments amount=100 (the provider records it, answers after 600 ms)");
            result.slowPayment = pay(client, base, "slow", "100", server, withAbortGuard);
            step("POST /payments amount=250 (the provider drops the first attempt before recording it)");
            result.droppedPayment = pay(client, base, "drop-first", "250", server, withAbortGuard);
            result.abortCount = withAbortGuard ? String.valueOf(server.abortCount()) : "n/a";
            OUT.println("  ledger of the provider: " + server.ledger.values() + " (" + server.ledger.size() + " payments)");
        }
        result.timeouts = String.valueOf(runTimeouts.getAndSet(0));
        result.errors = String.valueOf(levels.errors.get());
        result.abortLines = String.valueOf(levels.abortLines.get());
        result.unknowns = String.valueOf(runUnknown.get());
        return result;
    }

    private static CloseableHttpClient client(boolean withAbortGuard, SeedServer server, CloseableHttpClient statusClient) {
        HttpClientBuilder builder = HttpClients.custom().disableAutomaticRetries();
        if (!withAbortGuard) {
            return builder.build();
        }
        String base = "http://127.0.0.1:" + server.port();
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.STATUS_CHECK)
                .statusCheck(context -> {
                    // the provider's status API, asked by the same Idempotency-Key (not through the policy)
                    HttpGet status = new HttpGet(base + "/payments/" + context.idempotencyKey());
                    return statusClient.execute(status, response -> {
                        if (response.getCode() == 200) {
                            String body = EntityUtils.toString(response.getEntity());
                            BasicClassicHttpResponse answer = new BasicClassicHttpResponse(200);
                            answer.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
                            return StatusDecision.completed(answer);
                        }
                        return response.getCode() == 404 ? StatusDecision.notApplied() : StatusDecision.unknown();
                    });
                })
                .recoveryTimeout(Duration.ofSeconds(5))
                .addListener(new TrailPrinter())
                .build();
        return policy.wrap(policy.instrument(builder).build());
    }

    private static void get(CloseableHttpClient client, String uri, Timeout readTimeout) {
        HttpGet get = new HttpGet(uri);
        get.setConfig(RequestConfig.custom().setResponseTimeout(readTimeout).build());
        try {
            String outcome = client.execute(get, response -> {
                long bytes = 0;
                try (InputStream in = response.getEntity().getContent()) {
                    byte[] buffer = new byte[8192];
                    for (int n; (n = in.read(buffer)) != -1; ) {
                        bytes += n;
                    }
                }
                return response.getCode() + ", " + bytes + " bytes";
            });
            OUT.println("  [client] " + outcome);
        } catch (Exception e) {
            countTimeout(e);
            OUT.println("  [client] gave up: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static void countTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException) {
                runTimeouts.incrementAndGet();
                return;
            }
        }
    }

    private static String pay(CloseableHttpClient client, String base, String scenario, String amount, SeedServer server,
                              boolean withAbortGuard)
            throws InterruptedException {
        HttpPost post = new HttpPost(base + "/payments");
        post.setConfig(RequestConfig.custom().setResponseTimeout(READ_TIMEOUT).build());
        post.setHeader("X-Demo", scenario);
        if (!withAbortGuard) {
            // a careful caller sends a key even without abort-guard; what it lacks is the recovery
            post.setHeader("Idempotency-Key", java.util.UUID.randomUUID().toString());
        } // with abort-guard the policy adds the key (a key the caller set would win)
        post.setEntity(new StringEntity(amount, ContentType.TEXT_PLAIN));
        String result;
        try {
            result = client.execute(post, response -> {
                String body = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity());
                return response.getCode() + " " + body;
            });
            OUT.println("  [client] answer: " + result);
            RecoveryOutcome outcome = TrailPrinter.last.getAndSet(null);
            result = outcome == null ? "answered " + result.substring(0, 3)
                    : outcome == RecoveryOutcome.COMPLETED ? "COMPLETED (status check), paid once"
                    : outcome == RecoveryOutcome.RESENT ? "NOT_APPLIED -> resent, paid once"
                    : outcome.toString();
        } catch (TimeoutRecoveryException e) {
            OUT.println("  [client] " + e.getMessage());
            result = "UNKNOWN (" + e.outcome() + ")";
            runUnknown.incrementAndGet();
        } catch (Exception e) {
            countTimeout(e);
            OUT.println("  [client] gave up: " + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + "  -> was the payment taken? the caller cannot know");
            server.awaitIdle();
            boolean charged = server.ledger.containsKey(post.getFirstHeader("Idempotency-Key").getValue());
            result = "UNKNOWN (provider " + (charged ? "charged it)" : "has no record)");
            runUnknown.incrementAndGet();
        }
        server.awaitIdle();
        return result;
    }

    private static final AtomicInteger runUnknown = new AtomicInteger();
    private static final AtomicInteger runTimeouts = new AtomicInteger();

    private static void step(String title) {
        OUT.println();
        OUT.println("- " + title);
    }

    /** Prints the client's recovery trail as it happens. */
    private static final class TrailPrinter implements RecoveryListener {
        static final java.util.concurrent.atomic.AtomicReference<RecoveryOutcome> last =
                new java.util.concurrent.atomic.AtomicReference<>();

        @Override
        public void onFailure(RecoveryContext context) {
            countTimeout(context.cause());
            OUT.println("  [client] " + context.requestLine() + " key=" + context.idempotencyKey() + " failed: "
                    + context.cause().getClass().getSimpleName() + " -> " + context.phase()
                    + (context.phase() == FailurePhase.OUTCOME_UNKNOWN ? " (was it processed? ask)" : ""));
        }

        @Override
        public void onStatusCheck(RecoveryContext context, StatusDecision decision) {
            OUT.println("  [client] status check GET /payments/" + context.idempotencyKey() + " -> " + decision.kind());
        }

        @Override
        public void onResend(RecoveryContext context) {
            OUT.println("  [client] resend with the same key " + context.idempotencyKey());
        }

        @Override
        public void onOutcome(RecoveryContext context, RecoveryOutcome outcome) {
            OUT.println("  [client] outcome: " + outcome);
            last.set(outcome);
        }
    }

    /** Counts what the server side logged, for the summary. */
    private static final class LevelCounter extends AppenderBase<ILoggingEvent> {
        final AtomicInteger errors = new AtomicInteger();
        final AtomicInteger abortLines = new AtomicInteger();

        static LevelCounter attach() {
            LevelCounter counter = new LevelCounter();
            counter.start();
            ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(counter);
            return counter;
        }

        void reset() {
            errors.set(0);
            abortLines.set(0);
        }

        @Override
        protected void append(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
                errors.incrementAndGet();
            }
            if (event.getLoggerName().equals("dev.abortguard.server.ClientAbort")
                    && event.getFormattedMessage().startsWith("Client aborted")) {
                abortLines.incrementAndGet();
            }
        }
    }

    static final class Run {
        String timeouts;
        String errors;
        String abortLines;
        String abortCount;
        String slowPayment;
        String droppedPayment;
        String unknowns;
    }
}
