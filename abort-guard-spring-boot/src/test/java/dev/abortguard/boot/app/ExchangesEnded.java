package dev.abortguard.boot.app;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.GenericFilterBean;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test instrumentation, not part of the write-up's application: counts exchanges that are over, by
 * server port and path, so a test can wait until an application has written every line it will
 * write for a request. A handler being done is not enough: after an executor's failed write, the
 * error dispatch that runs the catch-all advice comes later (usually milliseconds, once in a while a
 * second). Outermost, it wraps nothing and only listens.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class ExchangesEnded extends GenericFilterBean {

    private static final Map<String, AtomicLong> ENDED = new ConcurrentHashMap<>();

    /** How many exchanges on {@code port} for {@code path} are over. */
    public static long count(int port, String path) {
        AtomicLong n = ENDED.get(port + path);
        return n == null ? 0 : n.get();
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String key = request.getLocalPort() + ((HttpServletRequest) request).getRequestURI();
        try {
            chain.doFilter(request, response);
        } finally {
            if (request.isAsyncStarted()) {
                request.getAsyncContext().addListener(new AsyncListener() {
                    @Override
                    public void onComplete(AsyncEvent event) {
                        ended(key);
                    }

                    @Override
                    public void onTimeout(AsyncEvent event) {
                    }

                    @Override
                    public void onError(AsyncEvent event) {
                    }

                    @Override
                    public void onStartAsync(AsyncEvent event) {
                    }
                });
            } else {
                ended(key);
            }
        }
    }

    private static void ended(String key) {
        ENDED.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    }
}
