package dev.abortguard.examples.boot;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The seed's {@code /stream}: chunks after 100/100/500/100 ms, written by an executor thread whose
 * catch block logs at ERROR and completes the emitter with the error — unchanged. With
 * abort-guard-spring-boot, a client that gave up costs one INFO line and nothing else.
 */
@RestController
public class StreamController {

    private static final Logger log = LoggerFactory.getLogger(StreamController.class);
    private static final long[] DELAYS = {100, 100, 500, 100};

    private final ExecutorService executor = Executors.newCachedThreadPool();

    @GetMapping("/stream")
    public ResponseBodyEmitter stream() {
        ResponseBodyEmitter emitter = new ResponseBodyEmitter(30_000L);
        executor.execute(() -> {
            try {
                for (int i = 0; i < DELAYS.length; i++) {
                    Thread.sleep(DELAYS[i]);
                    emitter.send("chunk " + (i + 1) + "\n");
                }
                emitter.complete();
            } catch (Exception e) {
                log.error(e.getMessage(), e);
                emitter.completeWithError(e);
            }
        });
        return emitter;
    }
}
