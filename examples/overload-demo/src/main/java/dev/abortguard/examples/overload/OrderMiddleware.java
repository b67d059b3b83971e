package dev.abortguard.examples.overload;

import dev.abortguard.client.FailurePhase;
import dev.abortguard.client.InFlightLimitExceededException;
import dev.abortguard.client.RecoveryOutcome;
import dev.abortguard.client.TimeoutRecoveryException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;

/**
 * The seed's middleware on embedded Tomcat 11: {@code POST /orders} with an {@code X-Order-Id} is
 * forwarded to the upstream as {@code POST /orders} with that id as its {@code Idempotency-Key},
 * through whichever HttpClient 5 the run gives it. It answers its caller 201 when the upstream
 * placed the order, 503 when the order is known not to have been placed, 504 when nobody can tell,
 * and remembers which: the demo compares that with the upstream's ledger.
 */
final class OrderMiddleware implements AutoCloseable {

    /** What the middleware knows about one order after its call to the upstream. */
    enum Outcome {
        /** The upstream answered 201. */
        PLACED,
        /** The upstream answered its concurrency-limit 503 (or another refusal): known not placed. */
        REFUSED,
        /** Nothing reached the upstream: no connection, or the in-flight limit's queue wait ran out. */
        NOT_SENT,
        /** The request was sent and no answer came back (timeout, reset, unresolved recovery). */
        UNKNOWN
    }

    private final Tomcat tomcat;
    private final Connector connector;
    private final CloseableHttpClient upstreamClient;
    private final String upstreamOrders;
    private final Map<Outcome, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    private final Queue<String> unknownOrders = new ConcurrentLinkedQueue<>();

    OrderMiddleware(CloseableHttpClient upstreamClient, String upstreamBaseUri, int maxThreads) throws Exception {
        this.upstreamClient = upstreamClient;
        this.upstreamOrders = upstreamBaseUri + "/orders";
        tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("overload-demo").toString());
        connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxThreads", String.valueOf(maxThreads));
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", null);
        ((StandardContext) context).setClearReferencesRmiTargets(false);
        ((StandardContext) context).setClearReferencesThreadLocals(false);
        Tomcat.addServlet(context, "orders", new Orders());
        context.addServletMappingDecoded("/orders", "orders");
        tomcat.start();
    }

    String ordersUri() {
        return "http://127.0.0.1:" + connector.getLocalPort() + "/orders";
    }

    int count(Outcome outcome) {
        AtomicInteger n = outcomes.get(outcome);
        return n == null ? 0 : n.get();
    }

    Queue<String> unknownOrders() {
        return unknownOrders;
    }

    private Outcome forward(String orderId, String body) {
        HttpPost post = new HttpPost(upstreamOrders);
        // a careful middleware sends a key even without abort-guard; the upstream does not deduplicate
        post.setHeader("Idempotency-Key", orderId);
        post.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
        try {
            int status = upstreamClient.execute(post, response -> {
                EntityUtils.consume(response.getEntity());
                return response.getCode();
            });
            return status == 201 ? Outcome.PLACED : Outcome.REFUSED;
        } catch (InFlightLimitExceededException e) {
            return Outcome.NOT_SENT;
        } catch (TimeoutRecoveryException e) {
            RecoveryOutcome end = e.outcome();
            if (end == RecoveryOutcome.NOT_APPLIED || end == RecoveryOutcome.CANCELED) {
                return Outcome.REFUSED;
            }
            return e.phase() == FailurePhase.NEVER_SENT ? Outcome.NOT_SENT : Outcome.UNKNOWN;
        } catch (ConnectException | ConnectTimeoutException e) {
            return Outcome.NOT_SENT;
        } catch (IOException e) {
            // raw HttpClient 5: a response timeout, a reset or no response after the request went out
            return Outcome.UNKNOWN;
        }
    }

    private final class Orders extends HttpServlet {
        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String orderId = req.getHeader("X-Order-Id");
            String body = new String(req.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            Outcome outcome = forward(orderId, body);
            outcomes.computeIfAbsent(outcome, o -> new AtomicInteger()).incrementAndGet();
            if (outcome == Outcome.UNKNOWN) {
                unknownOrders.add(orderId);
            }
            resp.setStatus(switch (outcome) {
                case PLACED -> 201;
                case REFUSED, NOT_SENT -> 503;
                case UNKNOWN -> 504;
            });
            resp.setContentType("text/plain");
            resp.getWriter().write(outcome.name());
        }
    }

    @Override
    public void close() throws LifecycleException, IOException {
        tomcat.stop();
        tomcat.destroy();
        upstreamClient.close();
    }
}
