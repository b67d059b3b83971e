package dev.abortguard.boot;

/** Spring Boot on Jetty (spring-boot-starter-jetty, Tomcat off the test classpath), Logback. */
class BootAbortJettyTest extends BootAbortContract {
    @Override
    CapturedLog capture() {
        return new LogbackCapture();
    }
}
