package dev.abortguard.boot;

import dev.abortguard.boot.idempotency.IdempotencyApplication;
import dev.abortguard.boot.idempotency.PaymentController;
import dev.abortguard.idempotency.ClaimResult;
import dev.abortguard.idempotency.CompleteResult;
import dev.abortguard.idempotency.IdempotencyKey;
import dev.abortguard.idempotency.IdempotencyStore;
import dev.abortguard.idempotency.InMemoryIdempotencyStore;
import dev.abortguard.idempotency.ReleaseResult;
import dev.abortguard.idempotency.RequestFingerprint;
import dev.abortguard.idempotency.StatusResult;
import dev.abortguard.idempotency.StoredResponse;
import dev.abortguard.idempotency.servlet.IdempotencyFilter;
import dev.abortguard.idempotency.servlet.IdempotencyHeaders;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real applications on Tomcat (random port) started the way a user starts one: a bad property fails
 * startup naming it, a user's own store is the one asked, and without routes nothing is claimed.
 */
@ExtendWith(OutputCaptureExtension.class)
class BootIdempotencyStartupTest {

    private static ConfigurableApplicationContext start(Class<?>[] sources, String... properties) {
        return new SpringApplicationBuilder(sources).properties("server.port=0", "server.address=127.0.0.1")
                .properties(properties).run();
    }

    private static ConfigurableApplicationContext start(String... properties) {
        return start(new Class<?>[] {IdempotencyApplication.class}, properties);
    }

    @Test
    void anInvalidLeaseFailsStartupNamingTheProperty(CapturedOutput output) {
        assertThatThrownBy(() -> start("abortguard.idempotency.routes[0]=POST /payments", "abortguard.idempotency.lease=-1s"))
                .rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
                .hasMessageContaining("abortguard.idempotency.lease").hasMessageContaining("lease must be at least 1 ms");
        // what the user reads: Boot's failure analysis names the property
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("Invalid value '-1s' for configuration property 'abortguard.idempotency.lease'");
    }

    @Test
    void aRouteWithoutSlashFailsStartupNamingItsIndex(CapturedOutput output) {
        assertThatThrownBy(() -> start("abortguard.idempotency.routes[0]=POST /payments", "abortguard.idempotency.routes[1]=POST refunds"))
                .rootCause().hasMessageContaining("abortguard.idempotency.routes[1]")
                .hasMessageContaining("route path pattern must start with '/': 'refunds'");
        assertThat(output).contains("for configuration property 'abortguard.idempotency.routes[1]'");
    }

    @Test
    void withoutRoutesNothingIsClaimed() throws Exception {
        try (ConfigurableApplicationContext context = start("abortguard.idempotency.lease=5s");
             CloseableHttpClient http = HttpClients.createDefault()) {
            assertThat(context.getBeansOfType(FilterRegistrationBean.class).values())
                    .noneMatch(r -> r.getFilter() instanceof IdempotencyFilter);
            assertThat(context.getBeansOfType(IdempotencyStore.class)).isEmpty();
            PaymentController payments = context.getBean(PaymentController.class);
            String key = "free-" + UUID.randomUUID();
            for (int i = 0; i < 2; i++) {
                assertThat(post(http, port(context), key)).isEqualTo("201 replayed=null");
            }
            assertThat(payments.runs()).as("the controller ran for each request").isEqualTo(2);
        }
    }

    /** A user's store, counting what the filter asks it. */
    static final class CountingStore implements IdempotencyStore {
        final IdempotencyStore delegate = new InMemoryIdempotencyStore();
        final AtomicInteger claims = new AtomicInteger();

        @Override
        public ClaimResult claim(IdempotencyKey key, RequestFingerprint fingerprint, Duration lease) {
            claims.incrementAndGet();
            return delegate.claim(key, fingerprint, lease);
        }

        @Override
        public CompleteResult complete(IdempotencyKey key, long fencingToken, StoredResponse response) {
            return delegate.complete(key, fencingToken, response);
        }

        @Override
        public ReleaseResult release(IdempotencyKey key, long fencingToken) {
            return delegate.release(key, fencingToken);
        }

        @Override
        public StatusResult status(IdempotencyKey key) {
            return delegate.status(key);
        }

        @Override
        public int purgeExpired() {
            return delegate.purgeExpired();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnStoreAndADataSource {
        @Bean
        CountingStore myStore() {
            return new CountingStore();
        }

        @Bean
        DataSource dataSource() {
            JdbcDataSource dataSource = new JdbcDataSource();
            dataSource.setURL("jdbc:h2:mem:own-store-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            return dataSource;
        }
    }

    @Test
    void aUsersOwnStoreIsTheOneAskedThoughADataSourceExists() throws Exception {
        try (ConfigurableApplicationContext context = start(new Class<?>[] {IdempotencyApplication.class, OwnStoreAndADataSource.class},
                "abortguard.idempotency.routes[0]=POST /payments");
             CloseableHttpClient http = HttpClients.createDefault()) {
            CountingStore mine = context.getBean(CountingStore.class);
            assertThat(context.getBeansOfType(IdempotencyStore.class)).containsOnlyKeys("myStore");
            String key = "own-" + UUID.randomUUID();
            assertThat(post(http, port(context), key)).isEqualTo("201 replayed=null");
            assertThat(post(http, port(context), key)).isEqualTo("201 replayed=true");
            assertThat(mine.claims.get()).isEqualTo(2);
            assertThat(context.getBean(PaymentController.class).runs()).isEqualTo(1);
        }
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    private static String post(CloseableHttpClient http, int port, String key) throws Exception {
        HttpPost post = new HttpPost("http://127.0.0.1:" + port + "/payments");
        post.setHeader(IdempotencyHeaders.KEY, key);
        post.setEntity(new StringEntity("100", ContentType.TEXT_PLAIN));
        return http.execute(post, response -> {
            EntityUtils.consume(response.getEntity());
            return response.getCode() + " replayed="
                    + replayed(response);
        });
    }

    private static String replayed(org.apache.hc.core5.http.ClassicHttpResponse response) {
        org.apache.hc.core5.http.Header header = response.getFirstHeader(IdempotencyHeaders.REPLAYED);
        return header == null ? null : header.getValue();
    }
}
