package dev.abortguard.boot.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The source write-up's application, as its users write it: a catch-all advice and an executor
 * catch block that both do {@code log.error(e.getMessage(), e)}, and not a line of abort-guard.
 */
@SpringBootApplication
public class SeedApplication {
}
