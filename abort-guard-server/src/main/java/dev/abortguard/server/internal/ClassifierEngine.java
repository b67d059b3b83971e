package dev.abortguard.server.internal;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The walk behind {@link dev.abortguard.server.ClientAbortClassifier}: applies one classifier's
 * rules ({@link ClassifierRules} by default) to a cause chain ({@link Causes#chain}), with the
 * bounded per-class, per-frame and per-message caches that make a verdict cheap.
 *
 * <p>Over 300 lines: the rules of the class documentation of {@code ClientAbortClassifier} are
 * applied here, each with its reason (Jetty's write-after-close, its HTTP/2 core, Undertow's closed
 * channel, the deciding frame); splitting them further would separate a rule from its exceptions.
 *
 * <p>Internal, not API: may change without notice.
 */
public final class ClassifierEngine {

    private final Set<String> abortTypes;
    private final Set<String> wrapperTypes;
    private final List<String> abortMessages;
    private final List<String> serverIoPackages;
    private final List<String> excludedPackages;
    private final int maxCauseDepth;
    /** What a throwable's class says, computed once per class (see {@link #kindOf}). */
    private static final byte NEUTRAL = 0;
    private static final byte NEUTRAL_IO = 1;
    private static final byte EXCLUDED = 2;
    private static final byte ABORT_TYPE = 3;
    private static final byte JETTY_EOF_TYPE = 4;
    private static final byte SERVER_FRAME = 5;
    /** A frame of the JDK or of an I/O layer servers and clients share: it decides nothing. */
    private static final byte PASS_THROUGH_FRAME = 6;
    /** A type that frameworks use to carry another failure on (see {@link dev.abortguard.server.ClientAbortClassifier.Builder#addWrapperType}). */
    private static final byte WRAPPER = 7;

    /**
     * Per-class answers, computed once: walking a class's hierarchy against ~70 package prefixes
     * on every call was 85% of a verdict's cost (docs/BENCHMARKS.md).
     */
    private final ClassValue<Byte> classKind = new ClassValue<>() {
        @Override
        protected Byte computeValue(Class<?> type) {
            return kindOf(type);
        }
    };

    private static final int MAX_CACHED_MESSAGES = 256;
    private static final int MAX_CACHED_LENGTH = 256;
    private final ConcurrentHashMap<String, Boolean> messageVerdicts =
            new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Byte> frameKinds =
            new ConcurrentHashMap<>();

    /**
     * An engine for one classifier's rules (immutable copies).
     *
     * @param abortTypes class names matched as aborts (subclasses too)
     * @param wrapperTypes class names (exact) that carry a failure on
     * @param abortMessages normalized OS phrases
     * @param serverIoPackages package prefixes of server socket I/O
     * @param excludedPackages package prefixes that veto a match
     * @param maxCauseDepth how many throwables of a chain are inspected at most
     */
    public ClassifierEngine(Set<String> abortTypes, Set<String> wrapperTypes, List<String> abortMessages,
                            List<String> serverIoPackages, List<String> excludedPackages, int maxCauseDepth) {
        this.abortTypes = Set.copyOf(abortTypes);
        this.wrapperTypes = Set.copyOf(wrapperTypes);
        this.abortMessages = List.copyOf(abortMessages);
        this.serverIoPackages = List.copyOf(serverIoPackages);
        this.excludedPackages = List.copyOf(excludedPackages);
        this.maxCauseDepth = maxCauseDepth;
    }

    /**
     * Returns {@code true} if {@code throwable} (or a cause within {@code maxCauseDepth}) says the
     * HTTP client of the current request disconnected, and nothing in the chain says it is a
     * failure of an outbound call. Never throws; {@code null} gives {@code false}.
     *
     * @param throwable the throwable to test; may be {@code null}
     * @return {@code true} if the chain matches an abort rule and no exclusion
     */
    public boolean isClientAbort(Throwable throwable) {
        try {
            return decide(throwable);
        } catch (Throwable hostile) {
            // a throwable whose own methods fail cannot be proven an abort; never replace the
            // application's exception with this one
            Causes.rethrowIfFatal(hostile);
            return false;
        }
    }

    private boolean decide(Throwable throwable) {
        boolean abort = false;
        for (Throwable current : Causes.chain(throwable, maxCauseDepth)) {
            byte kind = classKind.get(current.getClass());
            if (kind == EXCLUDED) {
                return false;
            }
            if (!abort) {
                abort = isAbortEvidence(kind, current);
                if (!abort && !carriesAbortOn(kind, current)) {
                    // the application's own failure above any evidence: a new error, as loud as ever
                    return false;
                }
            }
        }
        return abort;
    }

    private boolean isAbortEvidence(byte kind, Throwable t) {
        return kind == ABORT_TYPE
                || (kind == JETTY_EOF_TYPE && isJettyServerEof(t))
                || (kind == NEUTRAL_IO && (matchesServerIoMessage(t) || isUndertowServerClosedChannel(t)));
    }

    /**
     * Whether {@code t}, found above the abort evidence, only carries that abort on: a wrapper type
     * (a framework rethrowing it in another shape) or an {@code IOException} of the container's own
     * server I/O. Anything else is the application's own failure.
     */
    private boolean carriesAbortOn(byte kind, Throwable t) {
        return kind == WRAPPER || (kind == NEUTRAL_IO && thrownByServerIo(t));
    }

    /**
     * For the filter's identity walks ({@link dev.abortguard.server.RecordedAborts}, escaped
     * throwables; see {@link IdentityMemory#reachedThrough}): whether {@code
     * t}, found above a failure the wrappers saw, only carries that failure on — a wrapper type,
     * a server-thrown {@code IOException}, or a container's or framework's own abort type around
     * it (Spring's {@code AsyncRequestNotUsableException} around the write that failed). Anything
     * else is a new failure of the application's own.
     *
     * @param t a throwable of a chain
     * @return {@code true} if {@code t} only carries a failure below it on
     */
    public boolean carriesAbortOn(Throwable t) {
        try {
            byte kind = classKind.get(t.getClass());
            return kind == ABORT_TYPE || kind == JETTY_EOF_TYPE || carriesAbortOn(kind, t);
        } catch (Throwable hostile) {
            Causes.rethrowIfFatal(hostile);
            return false;
        }
    }

    private byte kindOf(Class<?> type) {
        if (isExcludedType(type)) {
            return EXCLUDED;
        }
        if (wrapperTypes.contains(type.getName())) {
            return WRAPPER;
        }
        String abortTypeName = abortTypeName(type);
        if (ClassifierRules.JETTY_EOF.equals(abortTypeName)) {
            return JETTY_EOF_TYPE;
        }
        if (!abortTypeName.isEmpty()) {
            return ABORT_TYPE;
        }
        return IOException.class.isAssignableFrom(type) ? NEUTRAL_IO : NEUTRAL;
    }

    private boolean isExcludedType(Class<?> type) {
        for (Class<?> c = type; c != null && c != Throwable.class; c = c.getSuperclass()) {
            if (startsWithAny(c.getName(), excludedPackages)) {
                return true;
            }
        }
        return false;
    }

    /** The configured abort type that {@code type} is or extends, or {@code ""}. */
    private String abortTypeName(Class<?> type) {
        for (Class<?> c = type; c != null && c != Throwable.class; c = c.getSuperclass()) {
            if (abortTypes.contains(c.getName())) {
                return c.getName();
            }
        }
        return "";
    }

    /**
     * Jetty reuses {@code EofException("Closed")} for a write after the application closed the
     * stream; without a cause it cannot be told apart from that bug. And jetty-io and Jetty's
     * HTTP/2 core, which throw it, are shared with Jetty's HttpClient, HTTP2Client and WebSocket
     * client.
     */
    private boolean isJettyServerEof(Throwable t) {
        boolean writeAfterClose = Causes.cause(t) == null && "Closed".equals(Causes.message(t));
        return !writeAfterClose && !hasExcludedFrame(t) && !thrownByJettyHttp2CoreWithoutServer(t);
    }

    /**
     * Jetty's HTTP/2 core creates {@code EofException("reset")} for a stream the peer reset (and
     * {@code "dropped"} for a frame it could no longer send) on the server and in {@code
     * HTTP2Client} alike, with no frame of either side on top. When the deciding frame is that core,
     * the core is looked past like a shared layer, and the exception counts only if the next frame
     * is server I/O (the server's {@code ServerParser}, its {@code http2.server} glue): on a
     * handler's own HTTP2Client call it is the handler's frame, or none.
     */
    private boolean thrownByJettyHttp2CoreWithoutServer(Throwable t) {
        boolean core = false;
        for (StackTraceElement frame : Causes.stackTrace(t)) {
            if (frame == null) {
                continue;
            }
            String className = frame.getClassName();
            byte kind = frameKind(className);
            if (kind == PASS_THROUGH_FRAME) {
                continue;
            }
            if (kind == NEUTRAL && className.startsWith(ClassifierRules.JETTY_HTTP2_CORE)) {
                core = true;
                continue;
            }
            return core && kind != SERVER_FRAME;
        }
        return core;
    }

    /**
     * Undertow throws a bare {@link java.nio.channels.ClosedChannelException} into a servlet's
     * read or write once the client reset the HTTP/2 stream or closed the connection. Outbound NIO
     * channels (Undertow's own HTTP/2 client included) throw the same type, so it counts only when
     * the deciding frame is Undertow's server exchange or servlet stream; subclasses (an interrupt's
     * {@code ClosedByInterruptException}) never.
     */
    private boolean isUndertowServerClosedChannel(Throwable t) {
        if (t.getClass() != java.nio.channels.ClosedChannelException.class) {
            return false;
        }
        for (StackTraceElement frame : Causes.stackTrace(t)) {
            if (frame == null) {
                continue;
            }
            String className = frame.getClassName();
            byte kind = frameKind(className);
            if (kind != PASS_THROUGH_FRAME) {
                return kind == SERVER_FRAME && startsWithAny(className, ClassifierRules.UNDERTOW_SERVER_IO_PACKAGES);
            }
        }
        return false;
    }

    /**
     * Whether the first frame above the JDK and the shared I/O layers belongs to an excluded
     * package (Jetty's HttpClient calling jetty-io, say). Frames further down are the thread's
     * history, not who did the I/O, so they are not consulted.
     */
    private boolean hasExcludedFrame(Throwable t) {
        return decidingFrameKind(t) == EXCLUDED;
    }

    private boolean matchesServerIoMessage(Throwable t) {
        if (abortMessages.isEmpty()) {
            return false;
        }
        String message = Causes.message(t);
        if (message == null) {
            return false;
        }
        return containsAbortPhrase(message) && thrownByServerIo(t);
    }

    /**
     * OS messages are a handful of short constant texts, so the answer per text is cached, bounded
     * by count and by size: at most {@value #MAX_CACHED_MESSAGES} texts of at most {@value
     * #MAX_CACHED_LENGTH} characters (128 KiB in all). A longer text is never an OS message worth
     * remembering; it is simply computed each time.
     */
    private boolean containsAbortPhrase(String message) {
        Boolean cached = messageVerdicts.get(message);
        if (cached != null) {
            return cached;
        }
        String normalized = normalize(message);
        boolean phrase = false;
        for (String candidate : abortMessages) {
            if (normalized.contains(candidate)) {
                phrase = true;
                break;
            }
        }
        if (message.length() <= MAX_CACHED_LENGTH && messageVerdicts.size() < MAX_CACHED_MESSAGES) {
            messageVerdicts.put(message, phrase);
        }
        return phrase;
    }

    /**
     * Lower case, every run of whitespace one space: Windows' localized socket texts carry a line
     * break in the middle ("Eine bestehende Verbindung wurde softwaregesteuert\r\ndurch den
     * Hostcomputer abgebrochen."), which a plain substring test would miss.
     *
     * @param text a message or phrase
     * @return the text in lower case, each run of whitespace one space
     */
    public static String normalize(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean space = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                space = true;
                continue;
            }
            if (space && out.length() > 0) {
                out.append(' ');
            }
            space = false;
            out.append(c);
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    private boolean thrownByServerIo(Throwable t) {
        return decidingFrameKind(t) == SERVER_FRAME;
    }

    /**
     * The kind of the first stack frame outside the JDK and the I/O layers servers and clients
     * share, or {@link #NEUTRAL} when there is none.
     */
    private byte decidingFrameKind(Throwable t) {
        for (StackTraceElement frame : Causes.stackTrace(t)) {
            if (frame == null) {
                continue;
            }
            byte kind = frameKind(frame.getClassName());
            if (kind != PASS_THROUGH_FRAME) {
                return kind;
            }
        }
        return NEUTRAL;
    }

    /**
     * Pass-through, excluded, server or neither, cached per class name (bounded): a stack holds a
     * few dozen distinct classes, each otherwise checked against ~100 prefixes on every verdict.
     */
    private byte frameKind(String className) {
        Byte cached = frameKinds.get(className);
        if (cached != null) {
            return cached;
        }
        // Exclusions first: the JDK's own outbound clients (java.net.http, sun.net.www, java.sql)
        // live in JDK packages, and a frame of theirs decides "outbound", not "pass through".
        byte kind = startsWithAny(className, excludedPackages) ? EXCLUDED
                : startsWithAny(className, ClassifierRules.JDK_PACKAGES)
                        || startsWithAny(className, ClassifierRules.SHARED_IO_PACKAGES) ? PASS_THROUGH_FRAME
                : startsWithAny(className, serverIoPackages) ? SERVER_FRAME : NEUTRAL;
        // a frame's class name is the stack's word, and setStackTrace() can make it anything: bounded too
        if (className.length() <= MAX_CACHED_LENGTH && frameKinds.size() < MAX_CACHED_MESSAGES) {
            frameKinds.put(className, kind);
        }
        return kind;
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
