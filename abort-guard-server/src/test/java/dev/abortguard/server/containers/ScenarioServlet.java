package dev.abortguard.server.containers;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** A servlet whose behaviour is one lambda; every invocation signals the test when it ends. */
public final class ScenarioServlet extends HttpServlet {

    /** The body of a scenario. */
    @FunctionalInterface
    public interface Body {
        void handle(HttpServletRequest request, HttpServletResponse response) throws Exception;
    }

    private final transient Body body;
    private final transient Runnable onExit;

    public ScenarioServlet(Body body, Runnable onExit) {
        this.body = body;
        this.onExit = onExit;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws java.io.IOException {
        try {
            body.handle(request, response);
        } catch (java.io.IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            if (!request.isAsyncStarted()) {
                onExit.run();
            }
        }
    }
}
