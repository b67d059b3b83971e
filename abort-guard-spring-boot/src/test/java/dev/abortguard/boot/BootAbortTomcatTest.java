package dev.abortguard.boot;

/** Spring Boot on Tomcat (spring-boot-starter-webmvc's default), Logback (Boot's default). */
class BootAbortTomcatTest extends BootAbortContract {
    @Override
    CapturedLog capture() {
        return new LogbackCapture();
    }
}
