package dev.abortguard.idempotency.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.abortguard.idempotency.ExternalServices;
import dev.abortguard.idempotency.IdempotencyStore;
import dev.abortguard.server.containers.EmbeddedServer;
import dev.abortguard.server.containers.JettyServer;
import dev.abortguard.server.containers.TomcatServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two application instances (a Tomcat and a Jetty, each with its own filter and its own store
 * object) sharing one real backend, as a cluster behind a load balancer does: concurrent requests
 * with one key, spread over both, run the handler once.
 */
class TwoInstancesTest {

    static List<Arguments> backends() {
        return List.of(
                Arguments.of("PostgreSQL", (Supplier<IdempotencyStore>) ExternalServices::postgresStore),
                Arguments.of("Redis", (Supplier<IdempotencyStore>) ExternalServices::redisStore));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void concurrentRequestsWithOneKeyOnTwoInstancesRunTheHandlerOnce(String name, Supplier<IdempotencyStore> stores)
            throws Exception {
        PaymentsServlet a = new PaymentsServlet();
        PaymentsServlet b = new PaymentsServlet();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (EmbeddedServer tomcat = TomcatServer.start(filter(stores.get()), Map.of("/payments", a));
                EmbeddedServer jetty = JettyServer.start(filter(stores.get()), Map.of("/payments", b))) {
            for (int round = 0; round < 5; round++) {
                String key = "\"" + UUID.randomUUID() + "\"";
                String body = "pay-" + UUID.randomUUID();
                String gate = UUID.randomUUID().toString();
                List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    EmbeddedServer instance = i % 2 == 0 ? tomcat : jetty;
                    HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.port() + "/payments"))
                            .timeout(Duration.ofSeconds(20)).header("Idempotency-Key", key).header("X-Hold", gate)
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                    all.add(http.sendAsync(post, HttpResponse.BodyHandlers.ofString()));
                }
                // whichever instance claimed the key holds its handler at the gate; 15 are answered meanwhile
                await().atMost(Duration.ofSeconds(20)).until(() -> all.stream().filter(CompletableFuture::isDone).count() == 15);
                a.gate(gate).countDown();
                b.gate(gate).countDown();
                List<Integer> codes = new ArrayList<>();
                for (CompletableFuture<HttpResponse<String>> f : all) {
                    codes.add(f.get(20, TimeUnit.SECONDS).statusCode());
                }
                assertThat(codes).as("round %d", round).filteredOn(c -> c == 409).hasSize(15);
                assertThat(codes).as("round %d", round).filteredOn(c -> c == 201).hasSize(1);
                assertThat(a.runsOf(body) + b.runsOf(body)).as("handler runs over both instances").isEqualTo(1);
                // and a repeat on either instance is the replay
                for (EmbeddedServer instance : List.of(tomcat, jetty)) {
                    HttpResponse<String> repeat = http.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + instance.port() + "/payments"))
                            .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(repeat.headers().firstValue(IdempotencyHeaders.REPLAYED)).hasValue("true");
                    assertThat(repeat.statusCode()).isEqualTo(201);
                }
            }
        }
    }

    private static IdempotencyFilter filter(IdempotencyStore store) {
        return IdempotencyFilter.builder(store).route("POST", "/payments").build();
    }
}
