package dev.abortguard.boot;

/** Spring Boot on Tomcat with Log4j 2 as the logging backend (spring-boot-starter-log4j2, Logback off the test classpath). */
class BootAbortLog4j2Test extends BootAbortContract {
    @Override
    CapturedLog capture() {
        return new Log4jCapture();
    }
}
