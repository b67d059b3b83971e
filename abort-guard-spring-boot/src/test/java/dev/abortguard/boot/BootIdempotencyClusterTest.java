package dev.abortguard.boot;

import dev.abortguard.boot.idempotency.IdempotencyApplication;
import dev.abortguard.boot.idempotency.PaymentController;
import dev.abortguard.idempotency.IdempotencyStore;
import dev.abortguard.idempotency.JdbcIdempotencyStore;
import dev.abortguard.idempotency.RedisIdempotencyStore;
import dev.abortguard.idempotency.servlet.IdempotencyHeaders;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two instances of one Boot application sharing the store the starter chose from their beans — an
 * H2 {@code DataSource}, or Spring Data Redis's {@code LettuceConnectionFactory} on a real
 * redis-server — take 8 concurrent requests with one key, 4 each: the controller runs once in the
 * whole cluster, every other request gets 409 or the replay, and either instance's status endpoint
 * has the outcome.
 */
class BootIdempotencyClusterTest {

    /** One H2 database in this JVM, shared by both instances by its name. */
    @Configuration(proxyBeanMethods = false)
    static class SharedH2 {
        @Bean
        DataSource dataSource(Environment environment) {
            JdbcDataSource dataSource = new JdbcDataSource();
            dataSource.setURL(environment.getRequiredProperty("test.h2.url"));
            return dataSource;
        }
    }

    /** What {@code spring.data.redis.url} gives a Boot application: a LettuceConnectionFactory, here declared directly. */
    @Configuration(proxyBeanMethods = false)
    static class SharedRedis {
        @Bean
        LettuceConnectionFactory redisConnectionFactory(Environment environment) {
            return new LettuceConnectionFactory(LettuceConnectionFactory.createRedisConfiguration(
                    environment.getRequiredProperty("test.redis.uri")));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jdbc", "redis"})
    void twoInstancesRunTheControllerOnceForOneKey(String backend) throws Exception {
        Class<?> shared = backend.equals("jdbc") ? SharedH2.class : SharedRedis.class;
        String[] properties = {"server.port=0", "server.address=127.0.0.1",
                "abortguard.idempotency.routes[0]=POST /payments",
                "abortguard.idempotency.status-endpoint=/idempotency/status",
                "abortguard.idempotency.jdbc.create-schema=true",
                "abortguard.idempotency.redis.key-prefix=boot-cluster-test:" + UUID.randomUUID() + ":",
                "test.h2.url=jdbc:h2:mem:cluster-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "test.redis.uri=" + (backend.equals("redis") ? redisUri() : "")};
        Class<? extends IdempotencyStore> expected = backend.equals("jdbc") ? JdbcIdempotencyStore.class : RedisIdempotencyStore.class;
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try (ConfigurableApplicationContext a = new SpringApplicationBuilder(IdempotencyApplication.class, shared).properties(properties).run();
             ConfigurableApplicationContext b = new SpringApplicationBuilder(IdempotencyApplication.class, shared).properties(properties).run();
             CloseableHttpClient http = HttpClients.custom().setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                     .setMaxConnPerRoute(16).setMaxConnTotal(32).build()).build()) {
            assertThat(a.getBean(IdempotencyStore.class)).isInstanceOf(expected);
            assertThat(b.getBean(IdempotencyStore.class)).isInstanceOf(expected);
            int[] ports = {port(a), port(b)};
            String key = "cluster-" + UUID.randomUUID();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int port = ports[i % 2];
                answers.add(callers.submit(() -> {
                    go.await();
                    HttpPost post = new HttpPost("http://127.0.0.1:" + port + "/payments");
                    post.setHeader(IdempotencyHeaders.KEY, key);
                    post.setHeader("X-Delay-Millis", "300");
                    post.setEntity(new StringEntity("100", ContentType.TEXT_PLAIN));
                    return send(http, post);
                }));
            }
            go.countDown();
            List<String> results = new ArrayList<>();
            for (Future<String> answer : answers) {
                results.add(answer.get(30, TimeUnit.SECONDS));
            }
            int runs = a.getBean(PaymentController.class).runs() + b.getBean(PaymentController.class).runs();
            assertThat(runs).as("one run in the cluster: %s", results).isEqualTo(1);
            assertThat(results).filteredOn(r -> r.startsWith("201 replayed=null")).hasSize(1);
            assertThat(results).allMatch(r -> r.startsWith("201 ") || r.startsWith("409 "), "201 or 409 only");
            String original = results.stream().filter(r -> r.startsWith("201 replayed=null")).findFirst().orElseThrow();
            String body = original.substring(original.indexOf(' ', "201 replayed=null".length()) + 1);

            for (int port : ports) {
                HttpPost repeat = new HttpPost("http://127.0.0.1:" + port + "/payments");
                repeat.setHeader(IdempotencyHeaders.KEY, key);
                repeat.setEntity(new StringEntity("100", ContentType.TEXT_PLAIN));
                assertThat(send(http, repeat)).isEqualTo("201 replayed=true " + body);
                HttpGet status = new HttpGet("http://127.0.0.1:" + port + "/idempotency/status");
                status.setHeader(IdempotencyHeaders.KEY, key);
                assertThat(send(http, status)).isEqualTo("200 replayed=null " + body);
            }
            assertThat(a.getBean(PaymentController.class).runs() + b.getBean(PaymentController.class).runs()).isEqualTo(1);
        } finally {
            callers.shutdownNow();
        }
    }

    private static String send(CloseableHttpClient http, HttpUriRequestBase request) throws Exception {
        return http.execute(request, response -> response.getCode() + " replayed="
                + replayed(response)
                + " " + (response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity())));
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    /** The real redis-server's URI, as {@code .ci/services start} exports it (as abort-guard-idempotency's tests read it). */
    private static String redisUri() {
        String value = System.getenv("ABORTGUARD_TEST_REDIS_URI");
        if (value != null && !value.isBlank() && !value.startsWith("${")) {
            return value;
        }
        String how = "ABORTGUARD_TEST_REDIS_URI is not set: this test needs a real redis-server. Start the servers with\n"
                + "    eval \"$(bash .ci/services start)\"    # installs postgresql and redis-server when missing\n"
                + "and run the build in that shell (bash .ci/services stop stops them), or run bash .ci/run, which does both.\n"
                + "A build without the servers: -Dabortguard.test.external=skip (reported as skipped; CI never sets it).";
        if ("skip".equals(System.getProperty("abortguard.test.external"))) {
            Assumptions.abort(how);
        }
        return fail(how);
    }

    private static String replayed(org.apache.hc.core5.http.ClassicHttpResponse response) {
        org.apache.hc.core5.http.Header header = response.getFirstHeader(IdempotencyHeaders.REPLAYED);
        return header == null ? null : header.getValue();
    }
}
