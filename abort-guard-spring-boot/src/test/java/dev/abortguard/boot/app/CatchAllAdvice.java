package dev.abortguard.boot.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The seed's advice, unchanged: every exception at ERROR with its stack trace, and a 500. (The
 * condition only lets the tests run the same application without it.)
 */
@RestControllerAdvice
@ConditionalOnBooleanProperty(name = "test.advice", matchIfMissing = true)
public class CatchAllAdvice {

    private static final Logger log = LoggerFactory.getLogger(CatchAllAdvice.class);

    @ExceptionHandler(Exception.class)
    public ResponseEntity<Void> handleException(Exception e) {
        log.error(e.getMessage(), e);
        return ResponseEntity.internalServerError().build();
    }
}
