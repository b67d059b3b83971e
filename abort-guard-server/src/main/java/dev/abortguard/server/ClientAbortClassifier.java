package dev.abortguard.server;

import dev.abortguard.server.internal.Causes;
import dev.abortguard.server.internal.IdentityMemory;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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

    /** Tomcat 9/10/11: the connector's wrapper for any I/O failure on the client socket. */
    static final String TOMCAT_CLIENT_ABORT = "org.apache.catalina.connector.ClientAbortException";
    /** Tomcat: an HTTP/2 stream was reset by the client; thrown unwrapped. */
    static final String TOMCAT_CLOSE_NOW = "org.apache.coyote.CloseNowException";
    /** Jetty 9-12: end of stream on the client connection; message null, OS text in the cause. */
    static final String JETTY_EOF = "org.eclipse.jetty.io.EofException";
    /** Spring MVC 6.1+: the response can no longer be used because the client is gone. */
    static final String SPRING_ASYNC_NOT_USABLE =
            "org.springframework.web.context.request.async.AsyncRequestNotUsableException";

    private static final List<String> STANDARD_ABORT_TYPES =
            List.of(TOMCAT_CLIENT_ABORT, TOMCAT_CLOSE_NOW, JETTY_EOF, SPRING_ASYNC_NOT_USABLE);

    /**
     * Types that containers and frameworks use to carry a failure on unchanged in meaning, matched
     * by exact class name: Servlet's own {@code ServletException}, the JDK's unchecked, async and
     * reflective carriers, Spring MVC's rethrow of a failed body write ({@code
     * HttpMessageNotWritableException}, which Spring 7 raises around Jackson 3's {@code
     * JacksonIOException}). Any other type above the abort evidence is a new failure of the
     * application's own and keeps the chain from being an abort.
     */
    private static final List<String> STANDARD_WRAPPER_TYPES = List.of(
            "jakarta.servlet.ServletException", "javax.servlet.ServletException",
            "java.io.UncheckedIOException", "java.util.concurrent.CompletionException",
            "java.util.concurrent.ExecutionException", "java.lang.reflect.InvocationTargetException",
            "java.lang.reflect.UndeclaredThrowableException",
            "org.springframework.web.util.NestedServletException",
            "org.springframework.http.converter.HttpMessageNotWritableException",
            "tools.jackson.core.exc.JacksonIOException");

    /**
     * What the OS says when the peer is gone. Linux (glibc) texts come from libc's own
     * translations ({@code /usr/share/locale/<lang>/LC_MESSAGES/libc.mo}); the JDK adds its own
     * "Connection reset"; Windows texts are WSAECONNABORTED (10053) and WSAECONNRESET (10054).
     */
    private static final List<String> STANDARD_ABORT_MESSAGES = List.of(
            // English: Linux/macOS strerror, the JDK's own text, Windows
            "broken pipe",
            "connection reset",
            "software caused connection abort",
            "connection aborted",
            "an established connection was aborted by the software in your host machine",
            "an existing connection was forcibly closed by the remote host",
            // macOS EPROTOTYPE: a write racing the peer's close (Darwin reports it instead of EPIPE)
            "protocol wrong type for socket",
            // Undertow's own text (UT000128) for a request body cut short by the client: not the
            // OS's, but matched the same way, only when server I/O frames threw it
            "remote peer closed connection before all data could be read",
            // German
            "datenübergabe unterbrochen",
            "die verbindung wurde vom kommunikationspartner zurückgesetzt",
            "das programm verursachte den abbruch der verbindung",
            // Windows: "...softwaregesteuert\r\ndurch den Hostcomputer abgebrochen." or, in older
            // releases, "...softwaregesteuert abgebrochen"
            "eine bestehende verbindung wurde softwaregesteuert",
            "eine vorhandene verbindung wurde vom remotehost geschlossen",
            // French
            "relais brisé",
            "connexion ré-initialisée par le correspondant",
            "le logiciel a provoqué l'abandon de la connexion",
            "une connexion établie a été abandonnée par un logiciel de votre ordinateur hôte",
            "une connexion existante a dû être fermée par",
            // Spanish
            "tubería rota",
            "conexión reinicializada por la máquina remota",
            "el programa provocó el fin de la conexión",
            "se ha anulado una conexión establecida por el software en su equipo host",
            "se ha forzado la interrupción de una conexión existente por el host remoto",
            // Italian
            "pipe interrotta",
            "connessione interrotta dal corrispondente",
            // Portuguese (Brazil)
            "pipe quebrado",
            "conexão fechada pela outra ponta",
            // Russian
            "обрыв канала",
            "соединение разорвано другой стороной",
            // Polish
            "przerwany potok",
            "połączenie zerwane przez drugą stronę",
            // Chinese (simplified, traditional)
            "断开的管道",
            "连接被对方重设",
            "连接被对方重置",
            "管線損壞",
            "連線被對方重設",
            "你的主机中的软件中止了一个已建立的连接",
            "远程主机强迫关闭了一个现有的连接",
            // Japanese
            "パイプが切断されました",
            "接続が相手からリセットされました",
            "確立された接続がホスト コンピューターのソフトウェアによって中止されました",
            "既存の接続はリモート ホストに強制的に切断されました",
            // Korean
            "파이프가 깨어짐",
            "상대편이 연결을 끊음",
            "현재 연결은 사용자의 호스트 시스템의 소프트웨어의 의해 중단되었습니다",
            "현재 연결은 원격 호스트에 의해 강제로 끊겼습니다");

    /**
     * Packages whose frames mean "this I/O was the server's own socket": the connectors and
     * servlet streams only, not the whole container. Tomcat's {@code org.apache.catalina.} also
     * holds realms (LDAP), session stores and cluster code, and Jetty's {@code ee*} trees hold its
     * proxy servlets: all of them make outbound connections whose resets are real errors.
     */
    private static final List<String> STANDARD_SERVER_IO_PACKAGES = List.of(
            "org.apache.catalina.connector.", "org.apache.coyote.", "org.apache.tomcat.util.net.",
            "org.eclipse.jetty.server.", "org.eclipse.jetty.ee8.nested.", "org.eclipse.jetty.ee9.nested.",
            "org.eclipse.jetty.ee10.servlet.", "org.eclipse.jetty.ee11.servlet.", "org.eclipse.jetty.http2.server.",
            // the parser of Jetty's HTTP/2 server connections, a class in its shared parser package
            "org.eclipse.jetty.http2.parser.ServerParser",
            "io.undertow.server.", "io.undertow.servlet.");

    /**
     * I/O layers that servers and clients share (Jetty's endpoints, XNIO, Undertow's conduits):
     * their frames say nothing about which side threw, so the decision is taken at the first
     * frame above them.
     */
    private static final List<String> SHARED_IO_PACKAGES = List.of(
            "org.eclipse.jetty.io.", "org.eclipse.jetty.util.", "org.xnio.", "io.undertow.conduits.",
            "io.undertow.channels.", "io.undertow.protocols.", "io.undertow.connector.", "io.undertow.util.",
            // Undertow's framed channels (HTTP/2, WebSockets) also carry its HTTP/2 client's streams
            "io.undertow.server.protocol.framed.");

    /**
     * Undertow's server: a {@link java.nio.channels.ClosedChannelException} is claimed only when
     * the first frame above the JDK and the shared layers is one of these (its exchange or servlet
     * streams), where Undertow throws it for a stream the client reset or a connection it closed.
     */
    private static final List<String> UNDERTOW_SERVER_IO_PACKAGES = List.of("io.undertow.server.", "io.undertow.servlet.");

    /**
     * Jetty's HTTP/2 core (HTTP2Stream, HTTP2Session, its parser and flusher), run by its server and
     * by its low-level {@code HTTP2Client} alike.
     */
    private static final String JETTY_HTTP2_CORE = "org.eclipse.jetty.http2.";

    /**
     * Outbound clients, drivers and data access: a failure from any of these is a backend failure
     * of the handler, never the HTTP client of this request going away.
     */
    private static final List<String> STANDARD_EXCLUDED_PACKAGES = List.of(
            // HTTP clients
            "org.apache.hc.", "org.apache.http.", "java.net.http.", "jdk.internal.net.http.",
            "sun.net.www.", "okhttp3.", "okio.", "retrofit2.", "feign.", "io.netty.",
            "reactor.netty.", "org.springframework.web.client.", "io.undertow.client.",
            "org.eclipse.jetty.websocket.client.", "org.eclipse.jetty.websocket.core.client.",
            "org.apache.tomcat.websocket.",
            "org.springframework.web.reactive.function.client.", "jakarta.ws.rs.client.",
            "javax.ws.rs.client.", "org.glassfish.jersey.client.", "org.eclipse.jetty.client.",
            "org.eclipse.jetty.http2.client.",
            "io.grpc.", "software.amazon.awssdk.", "com.amazonaws.",
            // JDBC, pools, ORMs, data access
            "java.sql.", "javax.sql.", "com.mysql.", "org.mariadb.", "org.postgresql.",
            "oracle.jdbc.", "com.microsoft.sqlserver.", "org.h2.", "org.hsqldb.",
            "com.zaxxer.hikari.", "org.hibernate.", "jakarta.persistence.", "javax.persistence.",
            "org.springframework.dao.", "org.springframework.jdbc.",
            "org.springframework.transaction.", "org.springframework.data.",
            "org.springframework.orm.", "org.jooq.", "org.apache.ibatis.", "org.mybatis.",
            // NoSQL, caches, search
            "com.mongodb.", "org.bson.", "redis.clients.", "io.lettuce.", "org.redisson.",
            "com.datastax.", "org.apache.cassandra.", "org.elasticsearch.", "co.elastic.",
            "org.opensearch.", "net.spy.memcached.",
            // Messaging
            "org.apache.kafka.", "org.springframework.kafka.", "com.rabbitmq.",
            "org.springframework.amqp.", "org.springframework.jms.", "jakarta.jms.", "javax.jms.",
            "org.apache.activemq.", "org.apache.pulsar.", "io.nats.");

    private static final List<String> JDK_PACKAGES = List.of(
            "java.", "javax.net.", "sun.", "jdk.", "com.sun.");

    private static final ClientAbortClassifier STANDARD = builder().build();

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
    /** A type that frameworks use to carry another failure on (see {@link Builder#addWrapperType}). */
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
    private final java.util.concurrent.ConcurrentHashMap<String, Boolean> messageVerdicts =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<String, Byte> frameKinds =
            new java.util.concurrent.ConcurrentHashMap<>();

    private ClientAbortClassifier(Builder builder) {
        this.abortTypes = Set.copyOf(builder.abortTypes);
        this.wrapperTypes = Set.copyOf(builder.wrapperTypes);
        this.abortMessages = List.copyOf(builder.abortMessages);
        this.serverIoPackages = List.copyOf(builder.serverIoPackages);
        this.excludedPackages = List.copyOf(builder.excludedPackages);
        this.maxCauseDepth = builder.maxCauseDepth;
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
     * For the filter's identity walks ({@link RecordedAborts}, escaped throwables; see {@link
     * IdentityMemory#reachedThrough}): whether {@code
     * t}, found above a failure the wrappers saw, only carries that failure on — a wrapper type,
     * a server-thrown {@code IOException}, or a container's or framework's own abort type around
     * it (Spring's {@code AsyncRequestNotUsableException} around the write that failed). Anything
     * else is a new failure of the application's own.
     */
    boolean carriesAbortOn(Throwable t) {
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
        if (JETTY_EOF.equals(abortTypeName)) {
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
            if (kind == NEUTRAL && className.startsWith(JETTY_HTTP2_CORE)) {
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
                return kind == SERVER_FRAME && startsWithAny(className, UNDERTOW_SERVER_IO_PACKAGES);
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
     */
    static String normalize(String text) {
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
                : startsWithAny(className, JDK_PACKAGES) || startsWithAny(className, SHARED_IO_PACKAGES) ? PASS_THROUGH_FRAME
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
        private final Set<String> abortTypes = new LinkedHashSet<>(STANDARD_ABORT_TYPES);
        private final Set<String> wrapperTypes = new LinkedHashSet<>(STANDARD_WRAPPER_TYPES);
        private final Set<String> abortMessages = new LinkedHashSet<>(STANDARD_ABORT_MESSAGES);
        private final Set<String> serverIoPackages = new LinkedHashSet<>(STANDARD_SERVER_IO_PACKAGES);
        private final Set<String> excludedPackages = new LinkedHashSet<>(STANDARD_EXCLUDED_PACKAGES);
        private int maxCauseDepth = 64;

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
            abortMessages.add(normalize(requireName("abortMessage", phrase)));
            return this;
        }

        /**
         * Removes an OS phrase.
         *
         * @param phrase the phrase to remove, in any letter case
         * @return this builder
         */
        public Builder removeAbortMessage(String phrase) {
            abortMessages.remove(phrase == null ? null : normalize(phrase));
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
