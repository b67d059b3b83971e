package dev.abortguard.idempotency.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abortguard.client.IdempotencyStatusCheck;
import dev.abortguard.client.RecoveryMode;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import dev.abortguard.idempotency.ExternalServices;
import dev.abortguard.idempotency.IdempotencyStoreOptions;
import dev.abortguard.idempotency.JdbcIdempotencyStore;
import dev.abortguard.server.containers.EmbeddedServer;
import dev.abortguard.server.containers.TomcatServer;
import jakarta.servlet.http.HttpServlet;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.postgresql.ds.PGSimpleDataSource;
import org.junit.jupiter.api.Test;

/** The README's "both ends" snippets: they compile here, run here against H2 and Tomcat, and are in the README verbatim. */
class ReadmePairSnippetTest {

    static IdempotencyFilter serverSide(DataSource dataSource) {
        // tag::idempotency-server[]
        JdbcIdempotencyStore store = new JdbcIdempotencyStore(dataSource,
                JdbcIdempotencyStore.Dialect.POSTGRESQL, IdempotencyStoreOptions.defaults());
        IdempotencyFilter filter = IdempotencyFilter.builder(store)
                .route("POST", "/payments")                // claims, replay, 409 / 422
                .statusEndpoint("/idempotency/status")    // what the client's recovery asks
                .build();
        // end::idempotency-server[]
        return filter;
    }

    static CloseableHttpClient clientSide(CloseableHttpClient statusClient, String provider) {
        // tag::idempotency-client[]
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.STATUS_CHECK)
                .statusCheck(IdempotencyStatusCheck.of(statusClient, URI.create(provider + "/idempotency/status")))
                .recoveryTimeout(Duration.ofSeconds(10))
                .build();
        CloseableHttpClient client = policy.wrap(HttpClients.custom()); // instruments, builds, wraps
        // end::idempotency-client[]
        return client;
    }

    private static List<String> regions() throws Exception {
        String source = Files.readString(Path.of("src/test/java/dev/abortguard/idempotency/servlet/ReadmePairSnippetTest.java"));
        Matcher m = Pattern.compile("// tag::([a-z-]+)\\[]\\n(.*?)\\n\\s*// end::\\1\\[]", Pattern.DOTALL).matcher(source);
        List<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(2).lines().map(l -> l.length() >= 8 ? l.substring(8) : l.strip())
                    .collect(java.util.stream.Collectors.joining("\n")));
        }
        return out;
    }

    @Test
    void theSnippetsAreInTheReadmeVerbatim() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        List<String> regions = regions();
        assertThat(regions).hasSize(2);
        for (String region : regions) {
            assertThat(readme).as("README.md has the current snippet").contains(region);
        }
    }

    @Test
    void theSnippetsRunAPaymentTwiceAndTheHandlerRunsOnce() throws Exception {
        PGSimpleDataSource postgres = new PGSimpleDataSource();
        postgres.setURL(ExternalServices.postgresUrl());
        new JdbcIdempotencyStore(postgres, JdbcIdempotencyStore.Dialect.POSTGRESQL, IdempotencyStoreOptions.defaults()).createSchema();
        PaymentsServlet payments = new PaymentsServlet();
        try (EmbeddedServer server = TomcatServer.start(serverSide(postgres), Map.of("/payments", payments,
                        "/idempotency/status", new HttpServlet() {
                        }));
                CloseableHttpClient statusClient = HttpClients.createDefault();
                CloseableHttpClient client = clientSide(statusClient, "http://127.0.0.1:" + server.port())) {
            String body = "pay-" + UUID.randomUUID();
            String key = UUID.randomUUID().toString(); // the caller's own key; the policy makes one when there is none
            HttpPost first = new HttpPost("http://127.0.0.1:" + server.port() + "/payments");
            first.setEntity(new StringEntity(body, ContentType.TEXT_PLAIN));
            first.setHeader("Idempotency-Key", key);
            int status = client.execute(first, r -> {
                EntityUtils.consume(r.getEntity());
                return r.getCode();
            });
            HttpPost repeat = new HttpPost("http://127.0.0.1:" + server.port() + "/payments");
            repeat.setEntity(new StringEntity(body, ContentType.TEXT_PLAIN));
            repeat.setHeader("Idempotency-Key", key);
            String replayed = client.execute(repeat, r -> r.getFirstHeader(IdempotencyHeaders.REPLAYED).getValue());
            assertThat(status).isEqualTo(201);
            assertThat(replayed).isEqualTo("true");
            assertThat(payments.runsOf(body)).isEqualTo(1);
        }
    }
}
