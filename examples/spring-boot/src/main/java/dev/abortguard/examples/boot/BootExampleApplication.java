package dev.abortguard.examples.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot 4 service that streams to slow clients and pays through a slow provider:
 * the abort-guard-spring-boot dependency and the {@link ProviderStatusCheck} bean are everything
 * abort-guard needs.
 */
@SpringBootApplication
public class BootExampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(BootExampleApplication.class, args);
    }
}
