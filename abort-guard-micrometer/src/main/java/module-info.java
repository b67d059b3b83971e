/**
 * Micrometer meters for abort-guard: {@link dev.abortguard.micrometer.MicrometerAbortMetrics} for
 * the server filter and {@link dev.abortguard.micrometer.MicrometerRecoveryMetrics} for the client
 * policy.
 *
 * <p>Both abort-guard modules are optional ({@code requires static}): a service has the server
 * module, the client module or both, and each adapter class is loaded only when it is created. The
 * module a service uses it with is one it requires itself, so neither is re-exported (a {@code
 * requires static transitive} would make every reader of this module name both).
 */
module dev.abortguard.micrometer {
    // Micrometer is an automatic module with a stable Automatic-Module-Name; the adapters' API
    // takes a MeterRegistry, so readers of this module need it readable. javac's lint about
    // requiring an automatic module is off for this module (see its pom).
    requires transitive micrometer.core;
    requires static dev.abortguard.server;
    requires static dev.abortguard.client;

    exports dev.abortguard.micrometer;
}
