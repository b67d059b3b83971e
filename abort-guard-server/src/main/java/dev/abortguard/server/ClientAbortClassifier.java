package dev.abortguard.server;

import dev.abortguard.server.internal.ClassifierEngine;
import dev.abortguard.server.internal.ClassifierRules;
import dev.abortguard.server.internal.Causes;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides whether a throwable means "the HTTP client went away" — the fallback for throwables that
 * {@link ClientAbortFilter}'s stream wrappers did not see, and the public test for code that
 * catches exceptions itself.
 *
 * <p>The filter does not need this class to recognise the common case: an {@code IOException}
 * raised while reading the request body or writing the response body through its wrappers is a
 * client abort by construction. The classifier is for everything else: an exception rethrown by a
 * framework in another shape, a write made on a stream the filter never wrapped, a Spring
 * {@code @ExceptionHandler}. It answers from what the throwable <em>is</em>, so it is deliberately
 * conservative: a false positive hides a real outage (Spring's {@code DisconnectedClientHelper}
 * once turned backend failures into silent 200s — spring-framework #34264, #34481), a false negative
 * only costs one noisy log line.
 *
 * <h2>Rules, in the order they are applied</h2>
 * <ol>
 *   <li><b>Exclusions win.</b> If any throwable in the cause chain, or any of its superclasses,
 *       belongs to an outbound client or data-access package ({@code org.apache.hc.}, {@code
 *       java.net.http.}, {@code org.springframework.web.client.}, {@code org.eclipse.jetty.client.},
 *       {@code org.eclipse.jetty.http2.client.}, {@code java.sql.}, {@code com.mongodb.}, ...),
 *       the answer is {@code false}: a handler's own call to a backend was reset, which is a real
 *       error even when its root cause reads "Connection reset".</li>
 *   <li><b>Container types</b>, matched by class name so that no container is a compile
 *       dependency: Tomcat {@code ClientAbortException} (never its parent {@code
 *       BadRequestException}, which also covers malformed requests) and {@code CloseNowException}
 *       (HTTP/2 stream reset), Jetty {@code EofException} (except {@code EofException("Closed")}
 *       without a cause, which Jetty also throws for an application's write after close; one
 *       whose stack shows an excluded package such as Jetty's own HttpClient; and one created by
 *       Jetty's HTTP/2 core ({@code HTTP2Stream}'s "reset", {@code HTTP2Flusher}'s "dropped")
 *       without a server-I/O frame right below that core, which its {@code HTTP2Client} throws the
 *       same way), Spring MVC's {@code AsyncRequestNotUsableException}. Subclasses match too.</li>
 *   <li><b>Undertow's closed channel</b>: a {@link java.nio.channels.ClosedChannelException}
 *       (that class only, not {@code ClosedByInterruptException}) whose deciding frame, found as
 *       for OS wording below, is Undertow's server exchange or servlet stream ({@code
 *       io.undertow.server.}, {@code io.undertow.servlet.}): what Undertow throws into a servlet's
 *       read or write once the client reset its HTTP/2 stream or dropped the connection.</li>
 *   <li><b>Operating-system wording</b> ("Broken pipe", "Connection reset by peer", macOS'
 *       "Protocol wrong type for socket" (EPROTOTYPE: a write racing the peer's close), Windows'
 *       "An established connection was aborted by the software in your host machine", and the
 *       glibc / Windows translations of those into German, French, Spanish, Italian, Portuguese,
 *       Russian, Polish, Chinese, Japanese and Korean) and Undertow's own "Remote peer closed
 *       connection before all data could be read" (UT000128: a request body cut short), matched
 *       ignoring case and whitespace runs on an {@code IOException} in the chain, <em>and only if
 *       that exception was thrown by server I/O</em>: the first stack frame outside the JDK and
 *       outside I/O layers that servers and clients share (jetty-io, XNIO, Undertow's conduits,
 *       channels and framed HTTP/2 channels) belongs to a connector or servlet-stream package
 *       ({@code org.apache.catalina.connector.}, {@code org.apache.coyote.}, {@code
 *       org.apache.tomcat.util.net.}, {@code org.eclipse.jetty.server.}, {@code
 *       org.eclipse.jetty.ee10.servlet.}/{@code ee11.servlet.}, {@code
 *       org.eclipse.jetty.http2.server.} and its {@code ServerParser}, {@code io.undertow.server.},
 *       {@code io.undertow.servlet.}). Undertow throws a bare {@code IOException("Broken pipe")};
 *       a JDBC driver, Jetty's HttpClient, Tomcat's LDAP realm or any other client throws the same
 *       text from its own frames, and is not claimed. A frame of an excluded package decides
 *       "outbound" even where it is a JDK package ({@code java.net.http}, {@code sun.net.www}).</li>
 *   <li><b>Only carriers above the evidence.</b> Between the top of the chain and the throwable
 *       that matched rule 2 or 3, every throwable must be a {@linkplain Builder#addWrapperType
 *       wrapper type} ({@code ServletException}, {@code UncheckedIOException}, {@code
 *       CompletionException}, Spring's {@code HttpMessageNotWritableException}, ...; exact class)
 *       or an {@code IOException} thrown by server I/O. Anything else is a new failure the
 *       application raised after the abort — {@code new IllegalStateException("payment failed",
 *       abort)} — and it stays exactly as loud as without the library.</li>
 * </ol>
 *
 * <p>A raw {@link java.io.EOFException} is never claimed (parsers and drivers throw it), nor is a
 * {@link java.nio.channels.ClosedChannelException} outside Undertow's server frames (outbound NIO
 * channels throw it too).
 *
 * <p>The cause chain is walked at most {@link Builder#maxCauseDepth(int) maxCauseDepth} levels
 * (default 64), so a cyclic chain ({@code a -> b -> a}) or a 10,000-deep chain costs a bounded
 * amount of work and never overflows the stack. A {@code null} throwable is not an abort, and
 * neither is a throwable whose own {@code getCause()}, {@code getMessage()} or {@code
 * getStackTrace()} throws (or whose stack holds {@code null} frames): {@link #isClientAbort} never
 * throws, except an {@link OutOfMemoryError}.
 *
 * <p>Instances are immutable and thread-safe; {@link #standard()} is shared.
 */
public final class ClientAbortClassifier {

    // Over 300 lines: the class documentation above is the rules' reference (the README links it)
    // and the public Builder is nested here; the rule data is internal.ClassifierRules and the walk
    // internal.ClassifierEngine.

    private static final ClientAbortClassifier STANDARD = builder().build();

    private final Set<String> abortTypes;
    private final Set<String> wrapperTypes;
    private final List<String> abortMessages;
    private final List<String> serverIoPackages;
    private final List<String> excludedPackages;
    private final int maxCauseDepth;
    private final ClassifierEngine engine;

    private ClientAbortClassifier(Builder builder) {
        this.abortTypes = Set.copyOf(builder.abortTypes);
        this.wrapperTypes = Set.copyOf(builder.wrapperTypes);
        this.abortMessages = List.copyOf(builder.abortMessages);
        this.serverIoPackages = List.copyOf(builder.serverIoPackages);
        this.excludedPackages = List.copyOf(builder.excludedPackages);
        this.maxCauseDepth = builder.maxCauseDepth;
        this.engine = new ClassifierEngine(abortTypes, wrapperTypes, abortMessages, serverIoPackages,
                excludedPackages, maxCauseDepth);
    }

    /**
     * The standard rules described in the class documentation.
     *
     * @return the shared classifier with the standard rules
     */
    public static ClientAbortClassifier standard() {
        return STANDARD;
    }

    /**
     * A builder that starts from the standard rules; add or remove rules from there.
     *
     * @return a new builder holding the standard rules
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder that starts from this classifier's rules.
     *
     * @return a new builder holding a copy of this classifier's rules
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.abortTypes.clear();
        b.abortTypes.addAll(abortTypes);
        b.wrapperTypes.clear();
        b.wrapperTypes.addAll(wrapperTypes);
        b.abortMessages.clear();
        b.abortMessages.addAll(abortMessages);
        b.serverIoPackages.clear();
        b.serverIoPackages.addAll(serverIoPackages);
        b.excludedPackages.clear();
        b.excludedPackages.addAll(excludedPackages);
        b.maxCauseDepth = maxCauseDepth;
        return b;
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
        return engine.isClientAbort(throwable);
    }

    /**
     * Whether {@code t}, found above a failure the filter's wrappers saw, only carries that failure
     * on (see {@link ClassifierEngine#carriesAbortOn}).
     */
    boolean carriesAbortOn(Throwable t) {
        return engine.carriesAbortOn(t);
    }

    /**
     * Fully qualified class names matched as client aborts (subclasses match too).
     *
     * @return the class names, as an unmodifiable set
     */
    public Set<String> abortTypes() {
        return abortTypes;
    }

    /**
     * Fully qualified class names (exact, not subclasses) that carry an abort on without making it
     * a different failure.
     *
     * @return the class names, as an unmodifiable set
     */
    public Set<String> wrapperTypes() {
        return wrapperTypes;
    }

    /**
     * Lower-case phrases matched in the message of a server-thrown {@code IOException}.
     *
     * @return the phrases, as an unmodifiable list
     */
    public List<String> abortMessages() {
        return abortMessages;
    }

    /**
     * Package prefixes that identify the server's own socket I/O in a stack trace.
     *
     * @return the package prefixes, as an unmodifiable list
     */
    public List<String> serverIoPackages() {
        return serverIoPackages;
    }

    /**
     * Package prefixes that veto a match anywhere in the cause chain.
     *
     * @return the package prefixes, as an unmodifiable list
     */
    public List<String> excludedPackages() {
        return excludedPackages;
    }

    /**
     * How many throwables of a cause chain are inspected at most.
     *
     * @return the maximum cause-chain depth, between 1 and 10,000
     */
    public int maxCauseDepth() {
        return maxCauseDepth;
    }

    @Override
    public String toString() {
        return "ClientAbortClassifier[" + abortTypes.size() + " types, " + abortMessages.size()
                + " messages, " + excludedPackages.size() + " exclusions, maxCauseDepth=" + maxCauseDepth + "]";
    }

    /**
     * Adds or removes rules, starting from the standard set. Class names and package prefixes are
     * plain strings so that no container, driver or client library is a compile-time dependency.
     */
    public static final class Builder {
        private final Set<String> abortTypes = new LinkedHashSet<>(ClassifierRules.STANDARD_ABORT_TYPES);
        private final Set<String> wrapperTypes = new LinkedHashSet<>(ClassifierRules.STANDARD_WRAPPER_TYPES);
        private final Set<String> abortMessages = new LinkedHashSet<>(ClassifierRules.STANDARD_ABORT_MESSAGES);
        private final Set<String> serverIoPackages = new LinkedHashSet<>(ClassifierRules.STANDARD_SERVER_IO_PACKAGES);
        private final Set<String> excludedPackages = new LinkedHashSet<>(ClassifierRules.STANDARD_EXCLUDED_PACKAGES);
        private int maxCauseDepth = Causes.MAX_DEPTH;

        private Builder() {
        }

        /**
         * Treats throwables of this class (or a subclass) as client aborts, e.g. a container's own type.
         *
         * @param className the fully qualified class name; surrounding whitespace is stripped
         * @return this builder
         * @throws IllegalArgumentException if {@code className} is {@code null} or blank
         */
        public Builder addAbortType(String className) {
            abortTypes.add(requireName("abortType", className));
            return this;
        }

        /**
         * Stops treating this class as a client abort.
         *
         * @param className the fully qualified class name to remove
         * @return this builder
         */
        public Builder removeAbortType(String className) {
            abortTypes.remove(className);
            return this;
        }

        /**
         * Treats throwables of exactly this class as carriers of whatever they wrap: an abort
         * below one is still an abort (your framework's own rethrow, say). Subclasses do not
         * match: a subclass is somebody's new failure.
         *
         * @param className the fully qualified class name; surrounding whitespace is stripped
         * @return this builder
         * @throws IllegalArgumentException if {@code className} is {@code null} or blank
         */
        public Builder addWrapperType(String className) {
            wrapperTypes.add(requireName("wrapperType", className));
            return this;
        }

        /**
         * Stops treating this class as a carrier: an abort wrapped in it is then not an abort.
         *
         * @param className the fully qualified class name to remove
         * @return this builder
         */
        public Builder removeWrapperType(String className) {
            wrapperTypes.remove(className);
            return this;
        }

        /**
         * Adds an OS phrase (matched ignoring case and whitespace runs) for server-thrown {@code IOException}s.
         *
         * @param phrase the phrase; stored in lower case with each run of whitespace as one space
         * @return this builder
         * @throws IllegalArgumentException if {@code phrase} is {@code null} or blank
         */
        public Builder addAbortMessage(String phrase) {
            abortMessages.add(ClassifierEngine.normalize(requireName("abortMessage", phrase)));
            return this;
        }

        /**
         * Removes an OS phrase.
         *
         * @param phrase the phrase to remove, in any letter case
         * @return this builder
         */
        public Builder removeAbortMessage(String phrase) {
            abortMessages.remove(phrase == null ? null : ClassifierEngine.normalize(phrase));
            return this;
        }

        /**
         * Removes every OS phrase: only container types (and the filter's wrappers) count.
         *
         * @return this builder
         */
        public Builder clearAbortMessages() {
            abortMessages.clear();
            return this;
        }

        /**
         * Adds a package prefix of a container's socket I/O (for containers other than Tomcat, Jetty, Undertow).
         *
         * @param packagePrefix the package prefix; surrounding whitespace is stripped
         * @return this builder
         * @throws IllegalArgumentException if {@code packagePrefix} is {@code null} or blank
         */
        public Builder addServerIoPackage(String packagePrefix) {
            serverIoPackages.add(requireName("serverIoPackage", packagePrefix));
            return this;
        }

        /**
         * Removes a server I/O package prefix.
         *
         * @param packagePrefix the package prefix to remove
         * @return this builder
         */
        public Builder removeServerIoPackage(String packagePrefix) {
            serverIoPackages.remove(packagePrefix);
            return this;
        }

        /**
         * Adds a package prefix (e.g. your own backend client) whose exceptions are never client aborts.
         *
         * @param packagePrefix the package prefix; surrounding whitespace is stripped
         * @return this builder
         * @throws IllegalArgumentException if {@code packagePrefix} is {@code null} or blank
         */
        public Builder addExcludedPackage(String packagePrefix) {
            excludedPackages.add(requireName("excludedPackage", packagePrefix));
            return this;
        }

        /**
         * Removes an exclusion.
         *
         * @param packagePrefix the package prefix to remove
         * @return this builder
         */
        public Builder removeExcludedPackage(String packagePrefix) {
            excludedPackages.remove(packagePrefix);
            return this;
        }

        /**
         * How many throwables of a cause chain are inspected at most; 1 to 10,000, default 64.
         *
         * @param maxCauseDepth the maximum cause-chain depth
         * @return this builder
         * @throws IllegalArgumentException if {@code maxCauseDepth} is outside 1 to 10,000
         */
        public Builder maxCauseDepth(int maxCauseDepth) {
            if (maxCauseDepth < 1 || maxCauseDepth > 10_000) {
                throw new IllegalArgumentException("maxCauseDepth must be between 1 and 10000, was " + maxCauseDepth);
            }
            this.maxCauseDepth = maxCauseDepth;
            return this;
        }

        /**
         * Builds an immutable classifier.
         *
         * @return a new classifier with this builder's rules
         */
        public ClientAbortClassifier build() {
            return new ClientAbortClassifier(this);
        }

        private static String requireName(String setting, String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(setting + " must not be null or blank");
            }
            return value.strip();
        }
    }
}
