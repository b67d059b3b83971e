package dev.abortguard.boot;

import dev.abortguard.boot.AbortGuardIdempotencyProperties.StoreType;
import dev.abortguard.idempotency.IdempotencyStore;
import dev.abortguard.idempotency.IdempotencyStoreException;
import dev.abortguard.idempotency.IdempotencyStoreOptions;
import dev.abortguard.idempotency.InMemoryIdempotencyStore;
import dev.abortguard.idempotency.JdbcIdempotencyStore;
import dev.abortguard.idempotency.RedisIdempotencyStore;
import dev.abortguard.idempotency.servlet.IdempotencyFilter;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingFilterBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * abort-guard-idempotency's {@link IdempotencyFilter} on a servlet Spring Boot application, from
 * {@code abortguard.idempotency.*}: active when the module is on the class path and {@code
 * abortguard.idempotency.routes} (or {@code status-endpoint}) is set, so that nothing is claimed
 * unless the application names its routes.
 * <ul>
 *   <li>The store: the application's own {@link IdempotencyStore} bean; else, by {@code
 *       abortguard.idempotency.store} ({@code auto}): {@link JdbcIdempotencyStore} when a single
 *       {@code DataSource} bean exists (the dialect from the connection's metadata, PostgreSQL or H2),
 *       else {@link RedisIdempotencyStore} on a single Lettuce {@code RedisClient} bean or on the
 *       client of Spring Data Redis's {@code LettuceConnectionFactory} (so {@code spring.data.redis.*}
 *       applies), else {@link InMemoryIdempotencyStore} (one instance only; an INFO says so).</li>
 *   <li>The filter, registered for {@code REQUEST} dispatches at {@value #DEFAULT_FILTER_ORDER}: inside
 *       abort-guard's {@code ClientAbortFilter} ({@code HIGHEST_PRECEDENCE + 2}), so that a client
 *       abort while a response is sent or replayed is logged as one, and inside Spring Security's
 *       filter chain ({@code -100}), so that only requests that passed security claim keys and the
 *       status endpoint answers behind the same security. The application's own
 *       {@code IdempotencyFilter} bean or registration wins.</li>
 * </ul>
 * Every setting is checked at startup; a bad one fails it naming the property.
 */
@AutoConfiguration(after = AbortGuardServerAutoConfiguration.class, afterName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration"})
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnClass({Filter.class, IdempotencyFilter.class})
@ConditionalOnBooleanProperty(name = "abortguard.idempotency.enabled", matchIfMissing = true)
@Conditional(AbortGuardIdempotencyAutoConfiguration.RoutesOrStatusEndpoint.class)
@EnableConfigurationProperties(AbortGuardIdempotencyProperties.class)
public class AbortGuardIdempotencyAutoConfiguration {

    /**
     * The filter registration's default order: after {@code ClientAbortFilter} ({@code
     * HIGHEST_PRECEDENCE + 2}) and Spring Security's filter chain ({@code -100}), before {@code
     * OrderedFilter.REQUEST_WRAPPER_FILTER_MAX_ORDER} ({@code 0}), as a filter that wraps the request.
     */
    public static final int DEFAULT_FILTER_ORDER = -90;

    private static final Logger log = LoggerFactory.getLogger(AbortGuardIdempotencyAutoConfiguration.class);

    private static final String PREFIX = "abortguard.idempotency.";

    /**
     * The filter from {@code abortguard.idempotency.*}, unless the application registered its own.
     *
     * @param p {@code abortguard.idempotency.*}
     * @param store the store: the application's own, or the one chosen here
     * @return the filter's registration
     */
    @Bean
    @ConditionalOnMissingFilterBean(IdempotencyFilter.class)
    public FilterRegistrationBean<IdempotencyFilter> abortGuardIdempotencyFilterRegistration(
            AbortGuardIdempotencyProperties p, IdempotencyStore store) {
        IdempotencyFilter filter = filter(p, store);
        FilterRegistrationBean<IdempotencyFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setName("idempotencyFilter");
        registration.setOrder(p.getFilterOrder());
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        registration.addUrlPatterns("/*");
        // the filter stores an async request's response when it completes
        registration.setAsyncSupported(true);
        log.info("abort-guard idempotency: filter on routes {}{}, store {}", p.getRoutes(),
                p.getStatusEndpoint() != null ? ", status endpoint " + p.getStatusEndpoint() : "", describe(store));
        return registration;
    }

    /** Each builder setting checked on its own, so that a bad one fails startup naming its property. */
    static IdempotencyFilter filter(AbortGuardIdempotencyProperties p, IdempotencyStore store) {
        IdempotencyFilter.Builder b = IdempotencyFilter.builder(store);
        List<String> routes = p.getRoutes() == null ? List.of() : p.getRoutes();
        for (int i = 0; i < routes.size(); i++) {
            String property = PREFIX + "routes[" + i + "]";
            String route = routes.get(i);
            String[] parts = route == null ? new String[0] : route.trim().split("\\s+");
            if (parts.length != 2) {
                throw new InvalidConfigurationPropertyValueException(property, route,
                        "a route is 'METHOD /path-pattern', for example 'POST /payments'");
            }
            set(store, b, property, route, builder -> builder.route(parts[0], parts[1]));
        }
        set(store, b, PREFIX + "key-header", p.getKeyHeader(), builder -> builder.keyHeader(p.getKeyHeader()));
        b.keyRequired(p.isKeyRequired());
        set(store, b, PREFIX + "lease", p.getLease(), builder -> builder.lease(p.getLease()));
        int maxRequest = bytes(PREFIX + "max-request-body-bytes", p.getMaxRequestBodyBytes());
        set(store, b, PREFIX + "max-request-body-bytes", p.getMaxRequestBodyBytes(), builder -> builder.maxRequestBodyBytes(maxRequest));
        int maxResponse = bytes(PREFIX + "max-response-body-bytes", p.getMaxResponseBodyBytes());
        set(store, b, PREFIX + "max-response-body-bytes", p.getMaxResponseBodyBytes(), builder -> builder.maxResponseBodyBytes(maxResponse));
        set(store, b, PREFIX + "server-errors", p.getServerErrors(), builder -> builder.serverErrors(p.getServerErrors()));
        if (p.getStatusEndpoint() != null) {
            set(store, b, PREFIX + "status-endpoint", p.getStatusEndpoint(), builder -> builder.statusEndpoint(p.getStatusEndpoint()));
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            // every setting passed on its own: only their combination is left (no route, no endpoint)
            throw new InvalidConfigurationPropertyValueException(PREFIX + "routes", routes, reason(e));
        }
    }

    /** Applies {@code setting} to a probe builder first: its {@code build()} names what is wrong with this one setting. */
    private static void set(IdempotencyStore store, IdempotencyFilter.Builder b, String property, Object value,
                            Consumer<IdempotencyFilter.Builder> setting) {
        IdempotencyFilter.Builder probe = IdempotencyFilter.builder(store).statusEndpoint("/");
        try {
            setting.accept(probe);
            probe.build();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidConfigurationPropertyValueException(property, value, reason(e));
        }
        setting.accept(b);
    }

    private static String reason(RuntimeException e) {
        String message = String.valueOf(e.getMessage());
        String prefix = "invalid IdempotencyFilter settings: ";
        String reason = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
        return reason.startsWith("route: ") ? reason.substring("route: ".length()) : reason;
    }

    private static int bytes(String property, DataSize size) {
        if (size == null) {
            throw new InvalidConfigurationPropertyValueException(property, null, "a size is required");
        }
        if (size.isNegative() || size.toBytes() > Integer.MAX_VALUE) {
            throw new InvalidConfigurationPropertyValueException(property, size,
                    "must be between 0 and " + Integer.MAX_VALUE + " bytes");
        }
        return (int) size.toBytes();
    }

    private static <T> T valid(String property, Object value, Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidConfigurationPropertyValueException(property, value, String.valueOf(e.getMessage()));
        }
    }

    private static String describe(IdempotencyStore store) {
        return store.getClass().getSimpleName();
    }

    /**
     * The store, unless the application declares its own {@link IdempotencyStore} bean; and the
     * purge of records past their retention.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(IdempotencyStore.class)
    static class StoreConfiguration {

        @Bean
        IdempotencyStore abortGuardIdempotencyStore(AbortGuardIdempotencyProperties p, ObjectProvider<DataSource> dataSources,
                                                    ObjectProvider<RedisStores> redisStores) {
            IdempotencyStoreOptions options = options(p);
            int maxResponse = bytes(PREFIX + "max-response-body-bytes", p.getMaxResponseBodyBytes());
            if (maxResponse > options.maxBodyBytes()) {
                throw new InvalidConfigurationPropertyValueException(PREFIX + "max-response-body-bytes", p.getMaxResponseBodyBytes(),
                        "it is over " + PREFIX + "max-body-bytes (" + p.getMaxBodyBytes() + "), the store's limit: a response "
                                + "between the two would be held but stored without its body; keep it at or below");
            }
            StoreType type = p.getStore() == null ? StoreType.AUTO : p.getStore();
            List<String> passedOver = new ArrayList<>();
            if (type == StoreType.JDBC || type == StoreType.AUTO) {
                DataSource dataSource = dataSources.getIfUnique();
                if (dataSource != null) {
                    return jdbc(p, dataSource, options);
                }
                if (type == StoreType.JDBC) {
                    throw new InvalidConfigurationPropertyValueException(PREFIX + "store", type,
                            "the JDBC store needs a single DataSource bean (or one marked @Primary), and there is none");
                }
                if (dataSources.stream().findAny().isPresent()) {
                    passedOver.add("several DataSource beans and none @Primary (set " + PREFIX + "store=jdbc with one marked @Primary)");
                }
            }
            if (type == StoreType.REDIS || type == StoreType.AUTO) {
                RedisStores redis = redisStores.getIfAvailable();
                RedisChoice choice = redis == null ? null : redis.choose(options, p.getRedis().getKeyPrefix());
                if (choice != null && choice.store() != null) {
                    log.info("abort-guard idempotency: Redis store on {}", choice.source());
                    return choice.store();
                }
                String why = choice != null ? choice.unusable()
                        : redis == null ? "Lettuce (io.lettuce:lettuce-core) is not on the class path"
                        : "there is no single Lettuce RedisClient bean nor Spring Data Redis LettuceConnectionFactory bean";
                if (type == StoreType.REDIS) {
                    throw new InvalidConfigurationPropertyValueException(PREFIX + "store", type, "the Redis store cannot be used: " + why);
                }
                if (choice != null) {
                    passedOver.add(why);
                }
            }
            if (type == StoreType.AUTO) {
                log.info("abort-guard idempotency: in-memory store{}: keys are known to this instance only; with more than "
                        + "one instance, give the application a DataSource or Redis, or set {}store",
                        passedOver.isEmpty() ? "" : " (" + String.join("; ", passedOver) + ")", PREFIX);
            }
            return memory(p, options);
        }

        /**
         * Deletes records past their retention every {@code abortguard.idempotency.purge-interval}.
         *
         * @param p {@code abortguard.idempotency.*}
         * @param store the store chosen here
         * @return the purge, started and stopped with the context
         */
        @Bean
        IdempotencyPurge abortGuardIdempotencyPurge(AbortGuardIdempotencyProperties p, IdempotencyStore store) {
            Duration interval = p.getPurgeInterval();
            if (interval == null || interval.isNegative()) {
                throw new InvalidConfigurationPropertyValueException(PREFIX + "purge-interval", interval, "must be 0 (never) or positive");
            }
            return new IdempotencyPurge(store, interval);
        }
    }

    private static IdempotencyStoreOptions options(AbortGuardIdempotencyProperties p) {
        IdempotencyStoreOptions retained = valid(PREFIX + "retention", p.getRetention(),
                () -> IdempotencyStoreOptions.defaults().withRetention(p.getRetention()));
        int maxBody = bytes(PREFIX + "max-body-bytes", p.getMaxBodyBytes());
        return valid(PREFIX + "max-body-bytes", p.getMaxBodyBytes(), () -> retained.withMaxBodyBytes(maxBody));
    }

    private static IdempotencyStore memory(AbortGuardIdempotencyProperties p, IdempotencyStoreOptions options) {
        AbortGuardIdempotencyProperties.Memory m = p.getMemory();
        if (m.getMaxRecords() < 1) {
            throw new InvalidConfigurationPropertyValueException(PREFIX + "memory.max-records", m.getMaxRecords(), "must be at least 1");
        }
        DataSize total = m.getMaxTotalBodyBytes();
        if (total == null || total.toBytes() < options.maxBodyBytes()) {
            throw new InvalidConfigurationPropertyValueException(PREFIX + "memory.max-total-body-bytes", total,
                    "must hold at least one body of " + PREFIX + "max-body-bytes (" + options.maxBodyBytes() + " bytes)");
        }
        return new InMemoryIdempotencyStore(options, m.getMaxRecords(), total.toBytes());
    }

    private static IdempotencyStore jdbc(AbortGuardIdempotencyProperties p, DataSource dataSource, IdempotencyStoreOptions options) {
        JdbcIdempotencyStore.Dialect dialect = dialect(p.getJdbc().getDialect(), dataSource);
        JdbcIdempotencyStore store = new JdbcIdempotencyStore(dataSource, dialect, options);
        if (p.getJdbc().isCreateSchema()) {
            try {
                store.createSchema();
            } catch (IdempotencyStoreException e) {
                throw new IllegalStateException(PREFIX + "jdbc.create-schema=true: " + e.getMessage()
                        + (e.getCause() != null ? ": " + e.getCause().getMessage() : ""), e);
            }
        }
        log.info("abort-guard idempotency: JDBC store ({}) on the DataSource bean{}", dialect,
                p.getJdbc().isCreateSchema() ? ", schema created if missing" : "");
        return store;
    }

    static JdbcIdempotencyStore.Dialect dialect(AbortGuardIdempotencyProperties.Dialect configured, DataSource dataSource) {
        if (configured == AbortGuardIdempotencyProperties.Dialect.POSTGRESQL) {
            return JdbcIdempotencyStore.Dialect.POSTGRESQL;
        }
        if (configured == AbortGuardIdempotencyProperties.Dialect.H2) {
            return JdbcIdempotencyStore.Dialect.H2;
        }
        String product;
        try (Connection connection = dataSource.getConnection()) {
            product = connection.getMetaData().getDatabaseProductName();
        } catch (SQLException | RuntimeException e) {
            throw new IllegalStateException(PREFIX + "jdbc.dialect=auto could not ask the DataSource which database it is ("
                    + e.getMessage() + "); set " + PREFIX + "jdbc.dialect to postgresql or h2", e);
        }
        String name = product == null ? "" : product.toLowerCase(Locale.ROOT);
        if (name.contains("postgresql")) {
            return JdbcIdempotencyStore.Dialect.POSTGRESQL;
        }
        if (name.equals("h2")) {
            return JdbcIdempotencyStore.Dialect.H2;
        }
        throw new InvalidConfigurationPropertyValueException(PREFIX + "jdbc.dialect", "auto",
                "the DataSource's database is " + product + ", and the JDBC store supports PostgreSQL and H2; use "
                        + PREFIX + "store=redis or memory, or declare an IdempotencyStore bean");
    }

    /** A Redis store, if the application has a usable Lettuce client. Only the Lettuce configuration creates one. */
    interface RedisStores {
        /**
         * The Redis store.
         *
         * @param options the store options
         * @param prefix the key prefix
         * @return null when there is no client at all, else the store or why the client cannot be used
         */
        RedisChoice choose(IdempotencyStoreOptions options, String prefix);
    }

    /** A Redis store and where its client came from, or why the client present cannot be used. */
    record RedisChoice(IdempotencyStore store, String source, String unusable) {
    }

    /** Lettuce is optional: only this class (and what it calls) names its types. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.lettuce.core.RedisClient")
    static class LettuceConfiguration {
        private static final String LETTUCE_CONNECTION_FACTORY =
                "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory";

        @Bean
        RedisStores abortGuardIdempotencyRedisStores(ObjectProvider<RedisClient> clients, ConfigurableListableBeanFactory beanFactory) {
            return (options, prefix) -> {
                RedisClient client = clients.getIfUnique();
                if (client != null) {
                    return new RedisChoice(new RedisIdempotencyStore(client, prefix, options), "the RedisClient bean", null);
                }
                if (ClassUtils.isPresent(LETTUCE_CONNECTION_FACTORY, beanFactory.getBeanClassLoader())) {
                    return SpringDataRedis.choose(beanFactory, options, prefix);
                }
                return null;
            };
        }
    }

    /** Spring Data Redis is optional too: only this class names it. */
    static final class SpringDataRedis {
        private SpringDataRedis() {
        }

        static RedisChoice choose(ListableBeanFactory beanFactory, IdempotencyStoreOptions options, String prefix) {
            org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory factory = beanFactory
                    .getBeanProvider(org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory.class).getIfUnique();
            if (factory == null) {
                return null;
            }
            if (!factory.isRunning()) {
                factory.start(); // it creates its client when started; idempotent, and the context's lifecycle sees it running
            }
            AbstractRedisClient client = factory.getNativeClient();
            if (client instanceof RedisClient redis) {
                return new RedisChoice(new RedisIdempotencyStore(redis, prefix, options),
                        "the client of the LettuceConnectionFactory bean (spring.data.redis.*)", null);
            }
            return new RedisChoice(null, null, "the LettuceConnectionFactory bean's client is "
                    + (client == null ? "not created" : client.getClass().getSimpleName() + " (Redis Cluster)")
                    + ", and RedisIdempotencyStore supports standalone Redis and Sentinel only");
        }
    }

    /** Deletes records past their retention, on one daemon thread, while the context runs. */
    static final class IdempotencyPurge implements SmartLifecycle {
        private final IdempotencyStore store;
        private final Duration interval;
        private ScheduledExecutorService executor;

        IdempotencyPurge(IdempotencyStore store, Duration interval) {
            this.store = store;
            this.interval = interval;
        }

        Duration interval() {
            return interval;
        }

        @Override
        public synchronized void start() {
            if (interval.isZero() || executor != null) {
                return; // a Redis store's purge is a no-op (Redis expires records itself): harmless
            }
            executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "abortguard-idempotency-purge");
                thread.setDaemon(true);
                return thread;
            });
            long millis = Math.max(1, interval.toMillis());
            executor.scheduleWithFixedDelay(() -> purge(store), millis, millis, TimeUnit.MILLISECONDS);
        }

        private static void purge(IdempotencyStore target) {
            try {
                int purged = target.purgeExpired();
                if (purged > 0) {
                    log.debug("abort-guard idempotency: purged {} records past their retention", purged);
                }
            } catch (RuntimeException e) {
                log.warn("abort-guard idempotency: purging records past their retention failed; next try in one interval: {}", e.toString());
            }
        }

        @Override
        public synchronized void stop() {
            if (executor != null) {
                executor.shutdownNow();
                executor = null;
            }
        }

        @Override
        public synchronized boolean isRunning() {
            return executor != null;
        }
    }

    /** Matches when {@code abortguard.idempotency.routes} or {@code abortguard.idempotency.status-endpoint} is set. */
    static final class RoutesOrStatusEndpoint extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            ConditionMessage.Builder message = ConditionMessage.forCondition("abort-guard idempotency routes");
            List<String> routes = Binder.get(context.getEnvironment())
                    .bind(PREFIX + "routes", Bindable.listOf(String.class)).orElse(List.of());
            if (!routes.isEmpty()) {
                return ConditionOutcome.match(message.found("property").items(PREFIX + "routes"));
            }
            if (StringUtils.hasText(context.getEnvironment().getProperty(PREFIX + "status-endpoint"))) {
                return ConditionOutcome.match(message.found("property").items(PREFIX + "status-endpoint"));
            }
            return ConditionOutcome.noMatch(message.didNotFind("property", "properties")
                    .items(PREFIX + "routes", PREFIX + "status-endpoint"));
        }
    }
}
