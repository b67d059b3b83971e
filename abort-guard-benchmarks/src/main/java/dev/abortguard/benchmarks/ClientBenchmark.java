package dev.abortguard.benchmarks;

import dev.abortguard.client.TimeoutRecoveryPolicy;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A {@code POST /orders} (covered by the policy's default: not idempotent) through a raw
 * {@code CloseableHttpClient} vs the same client built with {@code policy.instrument(..)} and
 * wrapped with {@code policy.wrap(..)}, against embedded Tomcat on loopback, keep-alive. The
 * wrapped client adds an Idempotency-Key, phase recording and a 5 s whole-exchange deadline.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ClientBenchmark {

    private Servers.Running server;
    private CloseableHttpClient raw;
    private CloseableHttpClient wrapped;
    private CloseableHttpClient wrappedNoDeadline;
    private CloseableHttpClient wrappedNoDeadlineCounterKey;
    private String url;

    private static PoolingHttpClientConnectionManager pool() {
        return PoolingHttpClientConnectionManagerBuilder.create().setMaxConnTotal(8).setMaxConnPerRoute(8).build();
    }

    @Setup
    public void setUp() throws Exception {
        server = Servers.start(null);
        url = server.url("/orders");
        raw = HttpClients.custom().setConnectionManager(pool()).build();
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .exchangeDeadline(Duration.ofSeconds(5))
                .build();
        HttpClientBuilder builder = HttpClients.custom().setConnectionManager(pool());
        wrapped = policy.wrap(policy.instrument(builder).build());
        // diagnostics: which part of the wrapper costs what
        TimeoutRecoveryPolicy noDeadline = TimeoutRecoveryPolicy.builder().build();
        wrappedNoDeadline = noDeadline.wrap(noDeadline.instrument(HttpClients.custom().setConnectionManager(pool())).build());
        java.util.concurrent.atomic.AtomicLong keys = new java.util.concurrent.atomic.AtomicLong();
        TimeoutRecoveryPolicy counterKey = TimeoutRecoveryPolicy.builder()
                .idempotencyKeyGenerator(() -> "k-" + keys.incrementAndGet()).build();
        wrappedNoDeadlineCounterKey = counterKey.wrap(counterKey.instrument(HttpClients.custom().setConnectionManager(pool())).build());
    }

    @TearDown
    public void tearDown() throws Exception {
        raw.close();
        wrapped.close();
        wrappedNoDeadline.close();
        wrappedNoDeadlineCounterKey.close();
        server.close();
    }

    private byte[] post(CloseableHttpClient client) throws IOException {
        HttpPost post = new HttpPost(url);
        post.setEntity(new StringEntity("{\"sku\":\"A-1000\",\"qty\":1}", ContentType.APPLICATION_JSON));
        return client.execute(post, response -> EntityUtils.toByteArray(response.getEntity()));
    }

    @Benchmark
    public byte[] rawClient() throws IOException {
        return post(raw);
    }

    @Benchmark
    public byte[] wrappedClient() throws IOException {
        return post(wrapped);
    }

    /** Diagnostic: the wrapper without an exchange deadline (no timer task per request). */
    @Benchmark
    public byte[] wrappedNoDeadline() throws IOException {
        return post(wrappedNoDeadline);
    }

    /** Diagnostic: no deadline, and a counter instead of UUID.randomUUID() for the idempotency key. */
    @Benchmark
    public byte[] wrappedNoDeadlineCounterKey() throws IOException {
        return post(wrappedNoDeadlineCounterKey);
    }
}
