package dev.abortguard.client.internal;

/**
 * Short, single-line descriptions of failures for the decision trail.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class Failures {

    private Failures() {}

    public static String summary(Throwable failure) {
        String message = failure.getMessage();
        String name = failure.getClass().getSimpleName();
        return message == null ? name : name + ": " + message.replace('\n', ' ');
    }
}
