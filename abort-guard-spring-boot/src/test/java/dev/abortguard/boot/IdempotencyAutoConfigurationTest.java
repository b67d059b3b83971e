package dev.abortguard.boot;

import dev.abortguard.idempotency.IdempotencyKey;
import dev.abortguard.idempotency.IdempotencyStore;
import dev.abortguard.idempotency.InMemoryIdempotencyStore;
import dev.abortguard.idempotency.JdbcIdempotencyStore;
import dev.abortguard.idempotency.RedisIdempotencyStore;
import dev.abortguard.idempotency.RequestFingerprint;
import dev.abortguard.idempotency.servlet.IdempotencyFilter;
import dev.abortguard.server.ClientAbortFilter;
import io.lettuce.core.RedisClient;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.test.util.ReflectionTestUtils;

import jakarta.servlet.DispatcherType;
import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** {@code AbortGuardIdempotencyAutoConfiguration}'s conditions, store choice and validation, on server-less contexts. */
class IdempotencyAutoConfigurationTest {

    private static final String ROUTES = "abortguard.idempotency.routes=POST /payments";

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AbortGuardIdempotencyAutoConfiguration.class));

    private static DataSource h2() {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:conditions-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return dataSource;
    }

    private static IdempotencyFilter filterOf(org.springframework.context.ApplicationContext context) {
        return (IdempotencyFilter) context.getBean("abortGuardIdempotencyFilterRegistration", FilterRegistrationBean.class).getFilter();
    }

    @Test
    void withoutRoutesNothingIsRegisteredEvenWithAStoreOrADataSource() {
        runner.run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(FilterRegistrationBean.class)
                .doesNotHaveBean(IdempotencyStore.class)
                .doesNotHaveBean(AbortGuardIdempotencyProperties.class));
        runner.withBean(DataSource.class, IdempotencyAutoConfigurationTest::h2)
                .withBean(IdempotencyStore.class, InMemoryIdempotencyStore::new)
                .withPropertyValues("abortguard.idempotency.lease=5s")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(FilterRegistrationBean.class));
        runner.withPropertyValues("abortguard.idempotency.status-endpoint=")
                .run(context -> assertThat(context).doesNotHaveBean(FilterRegistrationBean.class));
    }

    @Test
    void routesRegisterTheFilterForRequestDispatchesInsideClientAbortFilter() {
        runner.withConfiguration(AutoConfigurations.of(AbortGuardServerAutoConfiguration.class))
                .withPropertyValues("abortguard.idempotency.routes[0]=POST /payments", "abortguard.idempotency.routes[1]=put /orders/*/items/**")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(InMemoryIdempotencyStore.class);
                    Map<String, FilterRegistrationBean> registrations = context.getBeansOfType(FilterRegistrationBean.class);
                    assertThat(registrations).containsOnlyKeys("abortGuardFilterRegistration", "abortGuardIdempotencyFilterRegistration");
                    FilterRegistrationBean<?> idempotency = registrations.get("abortGuardIdempotencyFilterRegistration");
                    FilterRegistrationBean<?> aborts = registrations.get("abortGuardFilterRegistration");
                    assertThat(aborts.getFilter()).isInstanceOf(ClientAbortFilter.class);
                    assertThat(idempotency.getFilter()).isInstanceOf(IdempotencyFilter.class);
                    assertThat(idempotency.getOrder()).isEqualTo(AbortGuardIdempotencyAutoConfiguration.DEFAULT_FILTER_ORDER)
                            .isEqualTo(new AbortGuardIdempotencyProperties().getFilterOrder())
                            .isGreaterThan(aborts.getOrder()).isGreaterThan(-100).isLessThan(0);
                    assertThat(ReflectionTestUtils.getField(idempotency, "dispatcherTypes"))
                            .isEqualTo(java.util.EnumSet.of(DispatcherType.REQUEST));
                    assertThat(idempotency.getUrlPatterns()).containsExactly("/*");
                    assertThat(idempotency.isAsyncSupported()).isTrue();
                    assertThat(idempotency.getFilter().toString()).contains("POST /payments").contains("PUT /orders/*/items/**");
                });
        runner.withPropertyValues(ROUTES, "abortguard.idempotency.filter-order=10")
                .run(context -> assertThat(context.getBean(FilterRegistrationBean.class).getOrder()).isEqualTo(10));
    }

    @Test
    void aStatusEndpointAloneIsEnoughAndCommaSeparatedRoutesBindToo() {
        runner.withPropertyValues("abortguard.idempotency.status-endpoint=/idempotency/status")
                .run(context -> assertThat(filterOf(context).toString()).contains("statusEndpoint=/idempotency/status"));
        runner.withPropertyValues("abortguard.idempotency.routes=POST /payments, POST /refunds")
                .run(context -> assertThat(context.getBean(AbortGuardIdempotencyProperties.class).getRoutes())
                        .containsExactly("POST /payments", "POST /refunds"));
    }

    @Test
    void notWithoutTheModuleNorOutsideAServletApplicationNorWhenDisabled() {
        runner.withPropertyValues(ROUTES).withClassLoader(new FilteredClassLoader(IdempotencyFilter.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(FilterRegistrationBean.class));
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(AbortGuardIdempotencyAutoConfiguration.class))
                .withPropertyValues(ROUTES)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(IdempotencyStore.class));
        runner.withPropertyValues(ROUTES, "abortguard.idempotency.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(FilterRegistrationBean.class));
    }

    @Test
    void withoutLettuceOrSpringDataRedisTheRestStillWorks() {
        runner.withPropertyValues(ROUTES).withClassLoader(new FilteredClassLoader("io.lettuce", "org.springframework.data.redis"))
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(InMemoryIdempotencyStore.class));
        runner.withPropertyValues(ROUTES).withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
                .withBean(DataSource.class, IdempotencyAutoConfigurationTest::h2)
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(JdbcIdempotencyStore.class));
        runner.withPropertyValues(ROUTES, "abortguard.idempotency.store=redis").withClassLoader(new FilteredClassLoader("io.lettuce"))
                .run(context -> assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("abortguard.idempotency.store").hasMessageContaining("Lettuce"));
    }

    @Test
    void aUsersOwnStoreWinsOverTheDataSource() {
        IdempotencyStore mine = new InMemoryIdempotencyStore();
        runner.withPropertyValues(ROUTES).withBean(DataSource.class, IdempotencyAutoConfigurationTest::h2)
                .withBean("myStore", IdempotencyStore.class, () -> mine)
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean("abortGuardIdempotencyStore")
                            .doesNotHaveBean(AbortGuardIdempotencyAutoConfiguration.IdempotencyPurge.class);
                    assertThat(context.getBean(IdempotencyStore.class)).isSameAs(mine);
                    assertThat(ReflectionTestUtils.getField(filterOf(context), "store")).isSameAs(mine);
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnRegistration {
        @Bean
        FilterRegistrationBean<IdempotencyFilter> myIdempotency() {
            return new FilterRegistrationBean<>(IdempotencyFilter.builder(new InMemoryIdempotencyStore()).route("POST", "/mine").build());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnFilter {
        @Bean
        IdempotencyFilter myIdempotencyFilter() {
            return IdempotencyFilter.builder(new InMemoryIdempotencyStore()).route("POST", "/mine").build();
        }
    }

    @Test
    void aUsersOwnFilterOrRegistrationWins() {
        runner.withPropertyValues(ROUTES).withUserConfiguration(OwnRegistration.class)
                .run(context -> assertThat(context.getBeansOfType(FilterRegistrationBean.class)).containsOnlyKeys("myIdempotency"));
        runner.withPropertyValues(ROUTES).withUserConfiguration(OwnFilter.class)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(FilterRegistrationBean.class)
                        .hasSingleBean(IdempotencyFilter.class));
    }

    @Test
    void aSingleDataSourceMeansJdbcWithItsDialectDetectedAndExplicitStoresOverrideIt() {
        runner.withPropertyValues(ROUTES, "abortguard.idempotency.jdbc.create-schema=true")
                .withBean(DataSource.class, IdempotencyAutoConfigurationTest::h2)
                .run(context -> {
                    JdbcIdempotencyStore store = context.getBean(JdbcIdempotencyStore.class);
                    assertThat(ReflectionTestUtils.getField(store, "dialect")).isEqualTo(JdbcIdempotencyStore.Dialect.H2);
                    assertThat(store.status(IdempotencyKey.of("k")).getClass().getSimpleName())
                            .as("the schema exists: the store answers").isEqualTo("Unknown");
                });
        runner.withPropertyValues(ROUTES, "abortguard.idempotency.store=memory")
                .withBean(DataSource.class, IdempotencyAutoConfigurationTest::h2)
                .run(context -> assertThat(context).hasSingleBean(InMemoryIdempotencyStore.class));
        runner.withPropertyValues(ROUTES, "abortguard.idempotency.store=jdbc")
                .run(context -> assertThat(context.getStartupFailure()).rootCause()
                        .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                        .hasMessageContaining("abortguard.idempotency.store").hasMessageContaining("DataSource"));
    }

    @Test
    void anExplicitDialectDoesNotAskTheDatabaseAndAnUnsupportedOneFailsNamingTheDialectProperty() throws Exception {
        DataSource silent = mock(DataSource.class);
        runner.withPropertyValues(ROUTES, "abortguard.idempotency.jdbc.dialect=postgresql").withBean(DataSource.class, () -> silent)
                .run(context -> assertThat(ReflectionTestUtils.getField(context.getBean(JdbcIdempotencyStore.class), "dialect"))
                        .isEqualTo(JdbcIdempotencyStore.Dialect.POSTGRESQL));
        verify(silent, never()).getConnection();

        DataSource mysql = mock(DataSource.class);
        Connection connection = mock(Connection.class);
        DatabaseMetaData metaData = mock(DatabaseMetaData.class);
        when(mysql.getConnection()).thenReturn(connection);
        when(connection.getMetaData()).thenReturn(metaData);
        when(metaData.getDatabaseProductName()).thenReturn("MySQL");
        runner.withPropertyValues(ROUTES).withBean(DataSource.class, () -> mysql)
                .run(context -> assertThat(context.getStartupFailure()).rootCause()
                        .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                        .hasMessageContaining("abortguard.idempotency.jdbc.dialect").hasMessageContaining("MySQL"));
        verify(connection).close();

        DataSource down = mock(DataSource.class);
        when(down.getConnection()).thenThrow(new java.sql.SQLException("Connection refused"));
        runner.withPropertyValues(ROUTES).withBean(DataSource.class, () -> down)
                .run(context -> assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("Connection refused"));
        runner.withPropertyValues(ROUTES).withBean(DataSource.class, () -> down)
                .run(context -> assertThat(context.getStartupFailure())
                        .hasStackTraceContaining("set abortguard.idempotency.jdbc.dialect to postgresql or h2"));
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoDataSources {
        @Bean
        DataSource one() {
            return h2();
        }

        @Bean
        DataSource two() {
            return h2();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoDataSourcesOnePrimary {
        @Bean
        @Primary
        DataSource main() {
            return h2();
        }

        @Bean
        DataSource reporting() {
            return h2();
        }
    }

    @Test
    void severalDataSourcesWithoutAPrimaryAreNotGuessedBetween() {
        runner.withPropertyValues(ROUTES).withUserConfiguration(TwoDataSources.class)
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(InMemoryIdempotencyStore.class));
        runner.withPropertyValues(ROUTES).withUserConfiguration(TwoDataSourcesOnePrimary.class)
                .run(context -> assertThat(ReflectionTestUtils.getField(context.getBean(JdbcIdempotencyStore.class), "dataSource"))
                        .isSameAs(context.getBean("main")));
    }

    @Test
    void aRedisClientBeanMeansRedisAndADataSourceStillComesFirst() {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + closedPort());
        try {
            runner.withPropertyValues(ROUTES, "abortguard.idempotency.redis.key-prefix=orders:")
                    .withBean(RedisClient.class, () -> client)
                    .run(context -> {
                        RedisIdempotencyStore store = context.getBean(RedisIdempotencyStore.class);
                        assertThat(ReflectionTestUtils.getField(store, "client")).isSameAs(client);
                        assertThat(new String((byte[]) ReflectionTestUtils.getField(store, "prefix"),
                                java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("orders:");
                    });
            runner.withPropertyValues(ROUTES).withBean(RedisClient.class, () -> client)
                    .withBean(DataSource.class, IdempotencyAutoConfigurationTest::h2)
                    .run(context -> assertThat(context).hasSingleBean(JdbcIdempotencyStore.class));
            runner.withPropertyValues(ROUTES, "abortguard.idempotency.store=redis").withBean(RedisClient.class, () -> client)
                    .withBean(DataSource.class, IdempotencyAutoConfigurationTest::h2)
                    .run(context -> assertThat(context).hasSingleBean(RedisIdempotencyStore.class));
        } finally {
            client.shutdown();
        }
        runner.withPropertyValues(ROUTES, "abortguard.idempotency.store=redis")
                .run(context -> assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("abortguard.idempotency.store")
                        .hasMessageContaining("no single Lettuce RedisClient bean nor Spring Data Redis LettuceConnectionFactory bean"));
    }

    @Test
    void springDataRedissLettuceConnectionFactoryLendsItsClient() {
        runner.withPropertyValues(ROUTES)
                .withBean(LettuceConnectionFactory.class,
                        () -> new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", closedPort())))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    RedisIdempotencyStore store = context.getBean(RedisIdempotencyStore.class);
                    assertThat(ReflectionTestUtils.getField(store, "client"))
                            .isSameAs(context.getBean(LettuceConnectionFactory.class).getNativeClient());
                });
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "abortguard.idempotency.lease|-1s|lease must be at least 1 ms",
            "abortguard.idempotency.lease|0ms|lease must be at least 1 ms",
            "abortguard.idempotency.routes[0]|POST payments|must start with '/'",
            "abortguard.idempotency.routes[0]|/payments|a route is 'METHOD /path-pattern'",
            "abortguard.idempotency.routes[0]|POST /a/**/b|'**' may only be the whole last segment",
            "abortguard.idempotency.key-header|Idempotency Key|keyHeader must be a header name",
            "abortguard.idempotency.status-endpoint|status|statusEndpoint must be a path starting with '/'",
            "abortguard.idempotency.max-request-body-bytes|-1|between 0 and",
            "abortguard.idempotency.max-response-body-bytes|3GB|between 0 and",
            "abortguard.idempotency.max-response-body-bytes|2MB|over abortguard.idempotency.max-body-bytes",
            "abortguard.idempotency.retention|0s|retention must be at least 1 ms",
            "abortguard.idempotency.max-body-bytes|-5|between 0 and",
            "abortguard.idempotency.memory.max-records|0|must be at least 1",
            "abortguard.idempotency.memory.max-total-body-bytes|1KB|must hold at least one body",
            "abortguard.idempotency.purge-interval|-1s|must be 0 (never) or positive"})
    void anInvalidValueFailsStartupNamingTheProperty(String property, String value, String reason) {
        String routes = property.startsWith("abortguard.idempotency.routes") ? "abortguard.idempotency.status-endpoint=/s" : ROUTES;
        runner.withPropertyValues(routes, property + "=" + value).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                    .hasMessageContaining("Property " + property + " with value '")
                    .hasMessageContaining(reason);
        });
    }

    @Test
    void aValueThatCannotBeBoundFailsInBootsBinderWhichNamesThePropertyToo() {
        runner.withPropertyValues(ROUTES, "abortguard.idempotency.server-errors=SOMETIMES")
                .run(context -> assertThat(context.getStartupFailure())
                        .hasStackTraceContaining("Failed to bind properties under 'abortguard.idempotency.server-errors'"));
        runner.withPropertyValues(ROUTES, "abortguard.idempotency.store=cassandra")
                .run(context -> assertThat(context.getStartupFailure())
                        .hasStackTraceContaining("Failed to bind properties under 'abortguard.idempotency.store'"));
    }

    @Test
    void recordsPastTheirRetentionArePurgedEveryInterval() {
        runner.withPropertyValues(ROUTES, "abortguard.idempotency.retention=1ms", "abortguard.idempotency.purge-interval=20ms")
                .run(context -> {
                    InMemoryIdempotencyStore store = context.getBean(InMemoryIdempotencyStore.class);
                    assertThat(context.getBean(AbortGuardIdempotencyAutoConfiguration.IdempotencyPurge.class).isRunning()).isTrue();
                    store.claim(IdempotencyKey.of("old"), RequestFingerprint.of("POST", "/payments", new byte[0]), Duration.ofMillis(1));
                    assertThat(store.size()).isEqualTo(1);
                    await().atMost(Duration.ofSeconds(5)).until(() -> store.size() == 0);
                });
        runner.withPropertyValues(ROUTES, "abortguard.idempotency.purge-interval=0")
                .run(context -> assertThat(context.getBean(AbortGuardIdempotencyAutoConfiguration.IdempotencyPurge.class).isRunning()).isFalse());
    }

    @Test
    void theReadmesPropertiesStartTheApplicationAndItsTableHasEveryProperty() throws Exception {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("../README.md"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("```properties\\n(abortguard\\.idempotency\\..*?)```",
                java.util.regex.Pattern.DOTALL).matcher(readme);
        assertThat(m.find()).as("the README shows the idempotency properties").isTrue();
        String[] lines = m.group(1).lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toArray(String[]::new);
        runner.withPropertyValues(lines).withBean(DataSource.class, IdempotencyAutoConfigurationTest::h2).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(JdbcIdempotencyStore.class);
            assertThat(context.getBean(AbortGuardIdempotencyProperties.class).getRoutes())
                    .containsExactly("POST /payments", "POST /orders/*/capture");
        });

        String section = readme.substring(readme.indexOf("### Idempotency on Spring Boot"));
        section = section.substring(0, section.indexOf("\n### ", 1));
        java.util.Set<String> documented = new java.util.TreeSet<>();
        java.util.regex.Matcher row = java.util.regex.Pattern.compile("(?m)^\\| (`[a-z.-]+`(?: / `[a-z.-]+`)*) \\|").matcher(section);
        while (row.find()) {
            for (String name : row.group(1).split(" / ")) {
                documented.add("abortguard.idempotency." + name.replace("`", ""));
            }
        }
        String metadata = java.nio.file.Files.readString(java.nio.file.Path.of(
                "target/classes/META-INF/spring-configuration-metadata.json"));
        java.util.Set<String> generated = new java.util.TreeSet<>();
        java.util.regex.Matcher name = java.util.regex.Pattern.compile("\"name\": ?\"(abortguard\\.idempotency\\.[a-z.-]+)\"")
                .matcher(metadata);
        while (name.find()) {
            generated.add(name.group(1));
        }
        generated.removeAll(java.util.Set.of("abortguard.idempotency.jdbc", "abortguard.idempotency.redis", "abortguard.idempotency.memory"));
        assertThat(documented).as("the README's table is the generated metadata").isEqualTo(generated);
    }

    private static int closedPort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
