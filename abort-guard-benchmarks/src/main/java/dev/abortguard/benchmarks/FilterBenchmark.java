package dev.abortguard.benchmarks;

import dev.abortguard.server.AbortCounters;
import dev.abortguard.server.ClientAbortFilter;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One request, in process, through {@link ClientAbortFilter} vs through a pass-through filter. The
 * "servlet" sets a content type and writes a 2 KiB JSON-ish body in two writes through
 * {@code getOutputStream()}, as a typical handler does; the container's part is a reusable fake
 * with an 8 KiB buffer in front of a counting sink. Run with {@code -prof gc} for bytes per request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FilterBenchmark {

    static final byte[] HEAD = "{\"id\":42,\"items\":[".getBytes(StandardCharsets.UTF_8);
    static final byte[] BODY = body();

    private static byte[] body() {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 2048 - HEAD.length - 2) {
            sb.append("{\"sku\":\"A-1000\",\"qty\":1},");
        }
        sb.append("{}]}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** What the application's servlet does. */
    static final FilterChain SERVLET = (ServletRequest req, ServletResponse res) -> {
        HttpServletResponse response = (HttpServletResponse) res;
        response.setStatus(200);
        response.setContentType("application/json");
        ServletOutputStream out = response.getOutputStream();
        out.write(HEAD);
        out.write(BODY);
    };

    /** The baseline: a filter that only passes the request on. */
    static final class PassThroughFilter implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            chain.doFilter(request, response);
        }
    }

    private final FakeRequest request = new FakeRequest();
    private final FakeResponse response = new FakeResponse();
    private Filter passThrough;
    private ClientAbortFilter abortGuard;

    @Setup
    public void setUp() {
        passThrough = new PassThroughFilter();
        abortGuard = ClientAbortFilter.builder().metrics(new AbortCounters()).build();
    }

    @TearDown
    public void tearDown() {
        abortGuard.destroy();
    }

    @Benchmark
    public long passThrough() throws IOException, ServletException {
        request.recycle();
        response.recycle();
        passThrough.doFilter(request, response, SERVLET);
        // the container completes the body after the chain returns
        response.flushBuffer();
        return response.sunk;
    }

    @Benchmark
    public long clientAbortFilter() throws IOException, ServletException {
        request.recycle();
        response.recycle();
        abortGuard.doFilter(request, response, SERVLET);
        response.flushBuffer();
        return response.sunk;
    }
}
