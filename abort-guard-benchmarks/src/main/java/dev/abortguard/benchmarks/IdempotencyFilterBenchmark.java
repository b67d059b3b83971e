package dev.abortguard.benchmarks;

import dev.abortguard.idempotency.IdempotencyStore;
import dev.abortguard.idempotency.IdempotencyStoreOptions;
import dev.abortguard.idempotency.InMemoryIdempotencyStore;
import dev.abortguard.idempotency.JdbcIdempotencyStore;
import dev.abortguard.idempotency.RedisIdempotencyStore;
import dev.abortguard.idempotency.servlet.IdempotencyFilter;
import io.lettuce.core.RedisClient;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * One {@code POST /payments} (a 100-byte body, the 2 KiB answer of {@link FilterBenchmark}'s
 * servlet) in process through {@link IdempotencyFilter}, against a pass-through filter: a route
 * the filter does not cover, then a request with a fresh key each time (claim, hold the body, store,
 * send) on each store. The PostgreSQL and Redis rows need the servers bench/run starts
 * ({@code ABORTGUARD_TEST_PG_URL}, {@code ABORTGUARD_TEST_REDIS_URI}); without them their setup
 * fails and only those rows are missing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IdempotencyFilterBenchmark {

    static final byte[] REQUEST_BODY = ("{\"amount\":100,\"currency\":\"EUR\",\"order\":\"" + "o".repeat(52) + "\"}")
            .getBytes(StandardCharsets.UTF_8);

    /** none: a pass-through filter; off-route: the filter, request on no route; else the store a keyed request claims in. */
    @Param({"none", "off-route", "memory", "postgresql", "redis"})
    public String store;

    private final PaymentRequest request = new PaymentRequest();
    private final FakeResponse response = new FakeResponse();
    private Filter filter;
    private IdempotencyStore backing;
    private RedisClient redis;
    private HikariDataSource hikari;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private long n;

    @Setup
    public void setUp() {
        backing = switch (store) {
            case "none", "off-route" -> null;
            case "memory" -> new InMemoryIdempotencyStore(IdempotencyStoreOptions.defaults(), 10_000_000, 64L << 30);
            case "postgresql" -> {
                HikariConfig pool = new HikariConfig();
                pool.setJdbcUrl(required("ABORTGUARD_TEST_PG_URL"));
                pool.setMaximumPoolSize(4);
                hikari = new HikariDataSource(pool);
                JdbcIdempotencyStore jdbc = new JdbcIdempotencyStore(hikari, JdbcIdempotencyStore.Dialect.POSTGRESQL,
                        IdempotencyStoreOptions.defaults());
                jdbc.createSchema();
                yield jdbc;
            }
            case "redis" -> {
                redis = RedisClient.create(required("ABORTGUARD_TEST_REDIS_URI"));
                yield new RedisIdempotencyStore(redis, IdempotencyStoreOptions.defaults());
            }
            default -> throw new IllegalArgumentException(store);
        };
        if (store.equals("none")) {
            filter = new FilterBenchmark.PassThroughFilter();
        } else {
            filter = IdempotencyFilter.builder(backing != null ? backing : new InMemoryIdempotencyStore())
                    .route("POST", store.equals("off-route") ? "/refunds" : "/payments").build();
        }
    }

    private static String required(String variable) {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(variable + " is not set: bench/run starts the server (bash .ci/services start)");
        }
        return value;
    }

    @TearDown
    public void tearDown() {
        if (redis != null) {
            redis.shutdown();
        }
        if (hikari != null) {
            hikari.close();
        }
    }

    @Benchmark
    public long payment() throws IOException, ServletException {
        request.recycle(run + "-" + n++);
        response.recycle();
        filter.doFilter(request, response, FilterBenchmark.SERVLET);
        response.flushBuffer();
        return response.sunk;
    }

    /** A reusable POST with a body and, each time, a new key. */
    static final class PaymentRequest extends StubRequest {
        private final Map<String, Object> attributes = new HashMap<>();
        private String key;
        private ByteArrayInputStream body;

        void recycle(String nextKey) {
            attributes.clear();
            key = nextKey;
            body = new ByteArrayInputStream(REQUEST_BODY);
        }

        @Override public String getMethod() { return "POST"; }
        @Override public String getRequestURI() { return "/payments"; }
        @Override public String getContextPath() { return ""; }
        @Override public String getServletPath() { return "/payments"; }
        @Override public String getProtocol() { return "HTTP/1.1"; }
        @Override public String getContentType() { return "application/json"; }
        @Override public long getContentLengthLong() { return REQUEST_BODY.length; }
        @Override public int getContentLength() { return REQUEST_BODY.length; }
        @Override public String getHeader(String name) { return "Idempotency-Key".equalsIgnoreCase(name) ? key : null; }
        @Override public Enumeration<String> getHeaders(String name) {
            return "Idempotency-Key".equalsIgnoreCase(name) ? Collections.enumeration(java.util.List.of(key)) : Collections.emptyEnumeration();
        }
        @Override public Object getAttribute(String name) { return attributes.get(name); }
        @Override public void setAttribute(String name, Object value) { attributes.put(name, value); }
        @Override public void removeAttribute(String name) { attributes.remove(name); }
        @Override public DispatcherType getDispatcherType() { return DispatcherType.REQUEST; }
        @Override public boolean isAsyncStarted() { return false; }
        @Override public boolean isAsyncSupported() { return true; }
        @Override public ServletInputStream getInputStream() {
            return new ServletInputStream() {
                @Override public int read() { return body.read(); }
                @Override public int read(byte[] b, int off, int len) { return body.read(b, off, len); }
                @Override public boolean isFinished() { return body.available() == 0; }
                @Override public boolean isReady() { return true; }
                @Override public void setReadListener(ReadListener listener) { }
            };
        }
    }
}
