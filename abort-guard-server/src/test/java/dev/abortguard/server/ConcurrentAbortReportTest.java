package dev.abortguard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Exactly one line and one count per aborted request, however many threads see its writes fail at
 * the same moment: the report is claimed with a compare-and-set, no thread waits for another.
 * Real threads, released together by a barrier, many rounds.
 */
class ConcurrentAbortReportTest {

    private static final int THREADS = 8;
    private static final int ROUNDS = 200;

    private final LogCapture logs = new LogCapture();
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void close() {
        pool.shutdownNow();
        logs.close();
    }

    @Test
    void manyThreadsFailingOneRequestGiveOneLineAndOneCount() throws Exception {
        AbortCounters counters = new AbortCounters();
        // a high line limit: every report must reach the log, so that one line per request is exact
        ClientAbortFilter filter = ClientAbortFilter.builder().metrics(counters).maxLogLinesPerSecond(100_000).build();
        for (int round = 0; round < ROUNDS; round++) {
            HttpServletRequest request = request("/round/" + round);
            HttpServletResponse response = failingResponse();
            CyclicBarrier start = new CyclicBarrier(THREADS);
            FilterChain chain = (req, res) -> {
                ServletOutputStream out = res.getOutputStream();
                List<Future<?>> writers = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    boolean flush = t % 2 == 0;
                    writers.add(pool.submit(() -> {
                        start.await();
                        try {
                            if (flush) {
                                out.flush();
                            } else {
                                out.write(new byte[16], 0, 16);
                            }
                        } catch (IOException expected) {
                            // rethrown to the application unchanged, as always
                        }
                        return null;
                    }));
                }
                for (Future<?> writer : writers) {
                    try {
                        writer.get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
            filter.doFilter(request, response, chain);
            assertTrue(ClientAbortHandler.clientAborted(request), "round " + round);
            assertEquals(round + 1L, counters.total(), "round " + round + ": one count per aborted request");
        }
        assertEquals(ROUNDS, logs.abortLines().size(), "one line per aborted request" + LogCapture.describe(logs.abortLines()));
        filter.destroy();
    }

    private static HttpServletRequest request(String uri) {
        HttpServletRequest request = mock(HttpServletRequest.class);
        Map<String, Object> attributes = new ConcurrentHashMap<>();
        when(request.getMethod()).thenReturn("GET");
        when(request.getRequestURI()).thenReturn(uri);
        when(request.getDispatcherType()).thenReturn(DispatcherType.REQUEST);
        when(request.getAttribute(anyString())).thenAnswer(i -> attributes.get(i.<String>getArgument(0)));
        org.mockito.Mockito.doAnswer(i -> attributes.put(i.getArgument(0), i.getArgument(1)))
                .when(request).setAttribute(anyString(), any());
        return request;
    }

    private static HttpServletResponse failingResponse() throws IOException {
        HttpServletResponse response = mock(HttpServletResponse.class);
        when(response.isCommitted()).thenReturn(true);
        when(response.getBufferSize()).thenReturn(8192);
        when(response.getStatus()).thenReturn(200);
        ServletOutputStream broken = new ServletOutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("Broken pipe");
            }

            @Override
            public void flush() throws IOException {
                throw new IOException("Connection reset by peer");
            }

            @Override
            public boolean isReady() {
                return false;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
                // blocking only
            }
        };
        when(response.getOutputStream()).thenReturn(broken);
        return response;
    }
}
