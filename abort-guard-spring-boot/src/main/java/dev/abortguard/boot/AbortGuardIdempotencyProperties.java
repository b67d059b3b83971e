package dev.abortguard.boot;

import dev.abortguard.idempotency.servlet.ServerErrorRule;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code abortguard.idempotency.*}: the settings of {@code IdempotencyFilter.builder(store)} and of
 * the store the auto-configuration chooses. Nothing is registered unless {@code routes} or {@code
 * status-endpoint} is set. Defaults are the builder's and the stores'.
 */
@ConfigurationProperties("abortguard.idempotency")
public class AbortGuardIdempotencyProperties {

    /** Which store keeps claims and responses when the application declares no IdempotencyStore bean. */
    public enum StoreType {
        /** JDBC with a single DataSource bean, else Redis with a Lettuce client, else in-memory. */
        AUTO,
        /** In-memory: one instance only. */
        MEMORY,
        /** JdbcIdempotencyStore on the application's DataSource. */
        JDBC,
        /** RedisIdempotencyStore on the application's Lettuce RedisClient or Spring Data Redis connection factory. */
        REDIS
    }

    /** The SQL dialect of the JDBC store. */
    public enum Dialect {
        /** Detected from the connection's metadata (PostgreSQL or H2). */
        AUTO,
        /** PostgreSQL 9.5 or newer. */
        POSTGRESQL,
        /** H2 2.x. */
        H2
    }

    /** Whether the idempotency filter is configured at all (it also needs routes or a status endpoint). */
    private boolean enabled = true;

    /**
     * Idempotent routes, each "METHOD /path-pattern": literal segments, '*' for one segment, a last
     * '**' for any number (for example "POST /payments" or "POST /api/**").
     */
    private List<String> routes = new ArrayList<>();

    /** The request header carrying the key. */
    private String keyHeader = "Idempotency-Key";

    /** Whether a request on a route without the key header gets 400 (true) or passes through without idempotency (false). */
    private boolean keyRequired = true;

    /** How long a claim holds its key while the handler runs; longer than the handler's longest run. */
    private Duration lease = Duration.ofSeconds(30);

    /** Largest request body read for the fingerprint; a larger one gets 413 and the handler does not run (plain numbers are bytes). */
    private DataSize maxRequestBodyBytes = DataSize.ofMegabytes(1);

    /** Largest response body held and stored; a larger one streams and only status and headers are stored. At most max-body-bytes. */
    private DataSize maxResponseBodyBytes = DataSize.ofMegabytes(1);

    /** A 5xx or a thrown exception: STORE it and replay it, or RELEASE the key for a rerun. */
    private ServerErrorRule serverErrors = ServerErrorRule.STORE;

    /** Path of the status endpoint that a client's recovery asks (GET with the key header); off unless set. */
    private String statusEndpoint;

    /** The store, unless the application declares an IdempotencyStore bean. */
    private StoreType store = StoreType.AUTO;

    /** How long a record is kept: a completed one after completion, a claim after its lease. Longer than any client's recovery. */
    private Duration retention = Duration.ofHours(24);

    /** Largest response body the store keeps (plain numbers are bytes). */
    private DataSize maxBodyBytes = DataSize.ofMegabytes(1);

    /** How often records past their retention are deleted (JDBC and in-memory stores); 0 never. */
    private Duration purgeInterval = Duration.ofMinutes(10);

    /**
     * Order of the filter registration: inside abort-guard's ClientAbortFilter (HIGHEST_PRECEDENCE + 2)
     * and Spring Security's filter chain (-100), so that only requests that passed security claim keys
     * and the status endpoint is behind the same security.
     */
    private int filterOrder = -90; // AbortGuardIdempotencyAutoConfiguration.DEFAULT_FILTER_ORDER

    private final Jdbc jdbc = new Jdbc();
    private final Redis redis = new Redis();
    private final Memory memory = new Memory();

    /** The JDBC store. */
    public static class Jdbc {
        /** SQL dialect: AUTO detects it from the connection's metadata. */
        private Dialect dialect = Dialect.AUTO;

        /** Whether to create the table, index and sequence at startup if missing (one instance; a cluster uses its migrations). */
        private boolean createSchema = false;

        public Dialect getDialect() {
            return dialect;
        }

        public void setDialect(Dialect dialect) {
            this.dialect = dialect;
        }

        public boolean isCreateSchema() {
            return createSchema;
        }

        public void setCreateSchema(boolean createSchema) {
            this.createSchema = createSchema;
        }
    }

    /** The Redis store. */
    public static class Redis {
        /** Prefix of every Redis key the store uses; separates applications sharing one Redis. */
        private String keyPrefix = "abortguard:idempotency:";

        public String getKeyPrefix() {
            return keyPrefix;
        }

        public void setKeyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
        }
    }

    /** The in-memory store. */
    public static class Memory {
        /** Most records kept at once; when full, new keys get 503 (live records are never evicted). */
        private int maxRecords = 100_000;

        /** Most body bytes kept or reserved at once (a claim reserves max-body-bytes). */
        private DataSize maxTotalBodyBytes = DataSize.ofMegabytes(256);

        public int getMaxRecords() {
            return maxRecords;
        }

        public void setMaxRecords(int maxRecords) {
            this.maxRecords = maxRecords;
        }

        public DataSize getMaxTotalBodyBytes() {
            return maxTotalBodyBytes;
        }

        public void setMaxTotalBodyBytes(DataSize maxTotalBodyBytes) {
            this.maxTotalBodyBytes = maxTotalBodyBytes;
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public List<String> getRoutes() {
        return routes;
    }

    public void setRoutes(List<String> routes) {
        this.routes = routes;
    }

    public String getKeyHeader() {
        return keyHeader;
    }

    public void setKeyHeader(String keyHeader) {
        this.keyHeader = keyHeader;
    }

    public boolean isKeyRequired() {
        return keyRequired;
    }

    public void setKeyRequired(boolean keyRequired) {
        this.keyRequired = keyRequired;
    }

    public Duration getLease() {
        return lease;
    }

    public void setLease(Duration lease) {
        this.lease = lease;
    }

    public DataSize getMaxRequestBodyBytes() {
        return maxRequestBodyBytes;
    }

    public void setMaxRequestBodyBytes(DataSize maxRequestBodyBytes) {
        this.maxRequestBodyBytes = maxRequestBodyBytes;
    }

    public DataSize getMaxResponseBodyBytes() {
        return maxResponseBodyBytes;
    }

    public void setMaxResponseBodyBytes(DataSize maxResponseBodyBytes) {
        this.maxResponseBodyBytes = maxResponseBodyBytes;
    }

    public ServerErrorRule getServerErrors() {
        return serverErrors;
    }

    public void setServerErrors(ServerErrorRule serverErrors) {
        this.serverErrors = serverErrors;
    }

    public String getStatusEndpoint() {
        return statusEndpoint;
    }

    public void setStatusEndpoint(String statusEndpoint) {
        this.statusEndpoint = statusEndpoint;
    }

    public StoreType getStore() {
        return store;
    }

    public void setStore(StoreType store) {
        this.store = store;
    }

    public Duration getRetention() {
        return retention;
    }

    public void setRetention(Duration retention) {
        this.retention = retention;
    }

    public DataSize getMaxBodyBytes() {
        return maxBodyBytes;
    }

    public void setMaxBodyBytes(DataSize maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    public Duration getPurgeInterval() {
        return purgeInterval;
    }

    public void setPurgeInterval(Duration purgeInterval) {
        this.purgeInterval = purgeInterval;
    }

    public int getFilterOrder() {
        return filterOrder;
    }

    public void setFilterOrder(int filterOrder) {
        this.filterOrder = filterOrder;
    }

    public Jdbc getJdbc() {
        return jdbc;
    }

    public Redis getRedis() {
        return redis;
    }

    public Memory getMemory() {
        return memory;
    }
}
