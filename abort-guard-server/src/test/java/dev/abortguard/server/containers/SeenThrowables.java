package dev.abortguard.server.containers;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Records exactly what a servlet saw: each throwable that the container (or a client library the
 * handler called) threw into the servlet's code, the same instance, untouched. The tests then ask
 * the classifier about these real throwables, not about hand-made copies.
 */
final class SeenThrowables {

    private final LinkedBlockingQueue<Throwable> seen = new LinkedBlockingQueue<>();

    /** A body that may catch and {@link #record} several failures itself (a second write after a first). */
    @FunctionalInterface
    interface Body {
        void handle(HttpServletRequest request, HttpServletResponse response, SeenThrowables seen) throws Exception;
    }

    /**
     * A servlet running {@code body}; whatever it throws is recorded and not rethrown, so the
     * container does not log it and the test sees the one instance the servlet saw.
     */
    HttpServlet servlet(Body body) {
        return new HttpServlet() {
            @Override
            protected void service(HttpServletRequest request, HttpServletResponse response) {
                try {
                    body.handle(request, response, SeenThrowables.this);
                } catch (Throwable t) {
                    record(t);
                }
            }
        };
    }

    void record(Throwable t) {
        seen.add(t);
    }

    void clear() {
        seen.clear();
    }

    /** The next throwable the servlet saw, waiting for it at most {@code timeout}. */
    Throwable next(Duration timeout) throws InterruptedException {
        Throwable t = seen.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (t == null) {
            throw new AssertionError("the servlet saw no throwable within " + timeout);
        }
        return t;
    }

    /** Class, message, cause chain and the top frames of each: what the rules are decided from. */
    static String describe(Throwable t) {
        return describe(t, 14);
    }

    static String describe(Throwable t, int frames) {
        StringBuilder out = new StringBuilder();
        Set<Throwable> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        String prefix = "";
        for (Throwable c = t; c != null && visited.add(c); c = c.getCause()) {
            out.append(prefix).append(c.getClass().getName()).append(": ").append(c.getMessage()).append('\n');
            StackTraceElement[] stack = c.getStackTrace();
            for (int i = 0; i < Math.min(frames, stack.length); i++) {
                out.append("    at ").append(stack[i]).append('\n');
            }
            if (stack.length > frames) {
                out.append("    ... ").append(stack.length - frames).append(" more\n");
            }
            prefix = "Caused by: ";
        }
        return out.toString();
    }

    /** The class names of the chain, outermost first. */
    static List<String> chain(Throwable t) {
        List<String> names = new ArrayList<>();
        Set<Throwable> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable c = t; c != null && visited.add(c); c = c.getCause()) {
            names.add(c.getClass().getName());
        }
        return names;
    }
}
