package dev.abortguard.examples.boot;

import dev.abortguard.server.ClientAbortHandler;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The seed's {@code /stream}: chunks after 100/100/500/100 ms, written by an executor thread. */
@RestController
public class StreamController {

    private static final Logger LOG = LoggerFactory.getLogger(StreamController.class);
    private static final long[] DELAYS = {100, 100, 500, 100};

    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final ClientAbortHandler abortHandler;

    public StreamController(ClientAbortHandler abortHandler) {
        this.abortHandler = abortHandler;
    }

    @GetMapping("/stream")
    public ResponseBodyEmitter stream(HttpServletRequest request) {
        ResponseBodyEmitter emitter = new ResponseBodyEmitter(30_000L);
        executor.execute(() -> {
            try {
                for (int i = 0; i < DELAYS.length; i++) {
                    Thread.sleep(DELAYS[i]);
                    emitter.send("chunk " + (i + 1) + "\n");
                }
                emitter.complete();
            } catch (IOException e) {
                // send() failed: the seed logged it at ERROR here, but a client that gave up is not an
                // error. No completeWithError: the container's error notification completes the
                // emitter (ResponseBodyEmitter's Javadoc), and Tomcat refuses the call after an error.
                if (!abortHandler.handle(e, request)) {
                    LOG.error("stream failed", e);
                }
            } catch (Exception e) {
                LOG.error("stream failed", e);
                emitter.completeWithError(e);
            }
        });
        return emitter;
    }
}
