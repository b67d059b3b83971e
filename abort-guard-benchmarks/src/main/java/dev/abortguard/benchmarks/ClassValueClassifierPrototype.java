package dev.abortguard.benchmarks;

import dev.abortguard.server.ClientAbortClassifier;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Benchmark-only prototype of the proposed fix for {@link ClientAbortClassifier}'s hot path: the
 * same rules (read from {@link ClientAbortClassifier#standard()}), but the per-class answers
 * "is this class (or a superclass) in an excluded package?" and "which abort type is it?" are
 * computed once per class and cached in a {@link ClassValue}, instead of walking the superclass
 * chain against ~70 package prefixes at every level of every cause chain. Verdicts must equal the
 * library's on the whole corpus ({@link CorrectnessMain} checks that). The rest of the logic is a copy
 * of the library's at the time of writing: keep it in step when the classifier's rules change.
 */
final class ClassValueClassifierPrototype {

    private static final String JETTY_EOF = "org.eclipse.jetty.io.EofException";
    private static final List<String> JDK_PACKAGES = List.of("java.", "javax.net.", "sun.", "jdk.", "com.sun.");
    /** Copied from the library (not exposed there): I/O layers servers and clients share. Keep in step. */
    private static final List<String> SHARED_IO_PACKAGES = List.of(
            "org.eclipse.jetty.io.", "org.eclipse.jetty.util.", "org.xnio.", "io.undertow.conduits.",
            "io.undertow.channels.", "io.undertow.protocols.", "io.undertow.connector.", "io.undertow.util.");
    private static final String NONE = "";

    static final ClassValueClassifierPrototype STANDARD = new ClassValueClassifierPrototype(ClientAbortClassifier.standard());

    private final Set<String> abortTypes;
    private final List<String> abortMessages;
    private final List<String> serverIoPackages;
    private final List<String> excludedPackages;
    private final int maxCauseDepth;

    private final ClassValue<Boolean> excluded = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            for (Class<?> c = type; c != null && c != Throwable.class; c = c.getSuperclass()) {
                if (startsWithAny(c.getName(), excludedPackages)) {
                    return Boolean.TRUE;
                }
            }
            return Boolean.FALSE;
        }
    };

    /** The matching abort type's name, or "" for none. */
    private final ClassValue<String> abortType = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            for (Class<?> c = type; c != null && c != Throwable.class; c = c.getSuperclass()) {
                if (abortTypes.contains(c.getName())) {
                    return c.getName();
                }
            }
            return NONE;
        }
    };

    ClassValueClassifierPrototype(ClientAbortClassifier rules) {
        this.abortTypes = rules.abortTypes();
        this.abortMessages = rules.abortMessages();
        this.serverIoPackages = rules.serverIoPackages();
        this.excludedPackages = rules.excludedPackages();
        this.maxCauseDepth = rules.maxCauseDepth();
    }

    boolean isClientAbort(Throwable throwable) {
        boolean abort = false;
        Throwable current = throwable;
        for (int depth = 0; current != null && depth < maxCauseDepth; depth++) {
            Class<?> type = current.getClass();
            if (excluded.get(type)) {
                return false;
            }
            if (!abort && (matchesAbortType(current, type) || matchesServerIoMessage(current))) {
                abort = true;
            }
            Throwable cause = current.getCause();
            if (cause == current) {
                break;
            }
            current = cause;
        }
        return abort;
    }

    private boolean matchesAbortType(Throwable t, Class<?> type) {
        String name = abortType.get(type);
        if (name.isEmpty()) {
            return false;
        }
        if (!JETTY_EOF.equals(name)) {
            return true;
        }
        boolean writeAfterClose = t.getCause() == null && "Closed".equals(t.getMessage());
        return !writeAfterClose && !hasExcludedFrame(t);
    }

    private boolean hasExcludedFrame(Throwable t) {
        for (StackTraceElement frame : t.getStackTrace()) {
            if (startsWithAny(frame.getClassName(), excludedPackages)) {
                return true;
            }
        }
        return false;
    }

    private boolean matchesServerIoMessage(Throwable t) {
        if (!(t instanceof IOException) || abortMessages.isEmpty()) {
            return false;
        }
        String message = t.getMessage();
        if (message == null) {
            return false;
        }
        String normalized = message.toLowerCase(Locale.ROOT);
        boolean phrase = false;
        for (String candidate : abortMessages) {
            if (normalized.contains(candidate)) {
                phrase = true;
                break;
            }
        }
        if (!phrase) {
            return false;
        }
        for (StackTraceElement frame : t.getStackTrace()) {
            String className = frame.getClassName();
            if (startsWithAny(className, JDK_PACKAGES) || startsWithAny(className, SHARED_IO_PACKAGES)) {
                continue;
            }
            return startsWithAny(className, serverIoPackages) && !startsWithAny(className, excludedPackages);
        }
        return false;
    }

    private static boolean startsWithAny(String value, List<String> prefixes) {
        for (String prefix : prefixes) {
            if (value.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
