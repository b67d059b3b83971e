package dev.abortguard.boot.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The write-up's endpoints, plus the real errors that must stay loud. */
@RestController
public class SeedController {

    private static final Logger log = LoggerFactory.getLogger(SeedController.class);

    /** An application's executor whose threads log what escapes them, as a service's own pool would. */
    private final ExecutorService executor = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "app-executor");
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler((t, e) -> log.error("uncaught on " + t.getName(), e));
        return thread;
    });
    private final RestClient restClient;
    private final String backendUrl;

    public SeedController(RestClient.Builder builder, @Value("${test.backend-url:http://127.0.0.1:1}") String backendUrl) {
        this.restClient = builder.build();
        this.backendUrl = backendUrl;
    }

    @GetMapping("/large")
    public String large() {
        try {
            Gate.awaitClientGaveUp();
            return "done!".repeat(1_000_000);
        } finally {
            Gate.handlerDone();
        }
    }

    @GetMapping("/small")
    public String small() {
        try {
            Gate.awaitClientGaveUp();
            return "done!";
        } finally {
            Gate.handlerDone();
        }
    }

    /** The seed's stream: an executor writes, and its catch block logs what failed. */
    @GetMapping("/stream")
    public ResponseBodyEmitter stream() {
        return emitFromExecutor(new ResponseBodyEmitter(30_000L), i -> "chunk-" + i + "\n".repeat(2_000));
    }

    /** The same for server-sent events. */
    @GetMapping("/sse")
    public SseEmitter sse() {
        return emitFromExecutor(new SseEmitter(30_000L), i -> "event-" + i + "x".repeat(4_000));
    }

    /** One item, then, once the client gave up, 49 more: the seed's executor and catch block. */
    private <E extends ResponseBodyEmitter> E emitFromExecutor(E emitter, java.util.function.IntFunction<String> item) {
        executor.execute(() -> {
            try {
                emitter.send(item.apply(1));
                Gate.awaitClientGaveUp();
                for (int i = 2; i <= 50; i++) {
                    emitter.send(item.apply(i));
                }
                emitter.complete();
            } catch (Exception e) {
                log.error(e.getMessage(), e);
                emitter.completeWithError(e);
            } finally {
                Gate.handlerDone();
            }
        });
        return emitter;
    }

    @GetMapping("/runtime")
    public String runtime() {
        try {
            throw new IllegalStateException("application bug");
        } finally {
            Gate.handlerDone();
        }
    }

    @GetMapping("/disk-full")
    public String diskFull() throws IOException {
        try {
            throw new IOException("disk full");
        } finally {
            Gate.handlerDone();
        }
    }

    /** The handler's own outbound call is reset by its backend: a real error. */
    @GetMapping("/outbound")
    public String outbound() {
        try {
            return restClient.get().uri(backendUrl + "/backend").retrieve().body(String.class);
        } finally {
            Gate.handlerDone();
        }
    }

    /** The application catches the abort and throws a failure of its own: a different, real error. */
    @GetMapping("/abort-then-new-failure")
    public void abortThenNewFailure(jakarta.servlet.http.HttpServletResponse response) {
        try {
            Gate.awaitClientGaveUp();
            try {
                byte[] chunk = new byte[64 * 1024];
                for (int i = 0; i < 100; i++) {
                    response.getOutputStream().write(chunk);
                }
            } catch (IOException abort) {
                throw new IllegalStateException("payment failed", abort);
            }
        } finally {
            Gate.handlerDone();
        }
    }
}
