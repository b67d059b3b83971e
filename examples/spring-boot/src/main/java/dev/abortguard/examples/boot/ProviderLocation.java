package dev.abortguard.examples.boot;

import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** Where the payment provider lives: this very application in the example, resolved once the port is known. */
@Component
public class ProviderLocation {

    private final Environment environment;

    public ProviderLocation(Environment environment) {
        this.environment = environment;
    }

    public String baseUrl() {
        String configured = environment.getProperty("provider.base-url");
        return configured != null ? configured : "http://127.0.0.1:" + environment.getProperty("local.server.port");
    }
}
