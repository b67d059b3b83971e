package dev.abortguard.client;

/** Short, single-line descriptions of failures for the decision trail. */
final class Failures {

    private Failures() {}

    static String summary(Throwable failure) {
        String message = failure.getMessage();
        String name = failure.getClass().getSimpleName();
        return message == null ? name : name + ": " + message.replace('\n', ' ');
    }
}
