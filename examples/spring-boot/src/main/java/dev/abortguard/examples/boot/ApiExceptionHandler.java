package dev.abortguard.examples.boot;

import dev.abortguard.server.ClientAbortHandler;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The seed's catch-all {@code @ExceptionHandler}, with client aborts taken out of the ERROR log. */
@RestControllerAdvice
public class ApiExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ApiExceptionHandler.class);

    private final ClientAbortHandler abortHandler;

    public ApiExceptionHandler(ClientAbortHandler abortHandler) {
        this.abortHandler = abortHandler;
    }

    @ExceptionHandler(Exception.class)
    public ResponseEntity<Void> handle(Exception e, HttpServletRequest request) {
        if (abortHandler.handle(e, request)) {
            return null; // the client is gone: logged once at INFO and counted; nothing to send
        }
        LOG.error(e.getMessage(), e);
        return ResponseEntity.internalServerError().build();
    }
}
