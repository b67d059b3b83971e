package dev.abortguard.boot;

import dev.abortguard.boot.app.SeedApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** The same application without its catch-all advice: Spring's and Tomcat's own handling only. */
@SpringBootTest(classes = SeedApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = "test.advice=false")
class BootAbortWithoutAdviceTest extends BootAbortContract {

    @Override
    boolean withAdvice() {
        return false;
    }

    @Override
    CapturedLog capture() {
        return new LogbackCapture();
    }
}
