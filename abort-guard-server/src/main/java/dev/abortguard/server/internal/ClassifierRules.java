package dev.abortguard.server.internal;

import java.util.List;

/**
 * The standard rules of {@link dev.abortguard.server.ClientAbortClassifier}, as data: container
 * abort types, wrapper types, OS phrases, server-I/O, shared-I/O and excluded package prefixes.
 * The walk that applies them is {@link ClassifierEngine}.
 *
 * <p>Longer than 300 lines on purpose: it is pure data (lists of names and localized OS texts,
 * each with the reason it is there), kept in one place so that a rule is added or audited here.
 *
 * <p>Internal, not API: may change without notice.
 */
public final class ClassifierRules {

    /** Tomcat 9/10/11: the connector's wrapper for any I/O failure on the client socket. */
    public static final String TOMCAT_CLIENT_ABORT = "org.apache.catalina.connector.ClientAbortException";
    /** Tomcat: an HTTP/2 stream was reset by the client; thrown unwrapped. */
    public static final String TOMCAT_CLOSE_NOW = "org.apache.coyote.CloseNowException";
    /** Jetty 9-12: end of stream on the client connection; message null, OS text in the cause. */
    public static final String JETTY_EOF = "org.eclipse.jetty.io.EofException";
    /** Spring MVC 6.1+: the response can no longer be used because the client is gone. */
    public static final String SPRING_ASYNC_NOT_USABLE =
            "org.springframework.web.context.request.async.AsyncRequestNotUsableException";

    public static final List<String> STANDARD_ABORT_TYPES =
            List.of(TOMCAT_CLIENT_ABORT, TOMCAT_CLOSE_NOW, JETTY_EOF, SPRING_ASYNC_NOT_USABLE);

    /**
     * Types that containers and frameworks use to carry a failure on unchanged in meaning, matched
     * by exact class name: Servlet's own {@code ServletException}, the JDK's unchecked, async and
     * reflective carriers, Spring MVC's rethrow of a failed body write ({@code
     * HttpMessageNotWritableException}, which Spring 7 raises around Jackson 3's {@code
     * JacksonIOException}). Any other type above the abort evidence is a new failure of the
     * application's own and keeps the chain from being an abort.
     */
    public static final List<String> STANDARD_WRAPPER_TYPES = List.of(
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
    public static final List<String> STANDARD_ABORT_MESSAGES = List.of(
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
    public static final List<String> STANDARD_SERVER_IO_PACKAGES = List.of(
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
    public static final List<String> SHARED_IO_PACKAGES = List.of(
            "org.eclipse.jetty.io.", "org.eclipse.jetty.util.", "org.xnio.", "io.undertow.conduits.",
            "io.undertow.channels.", "io.undertow.protocols.", "io.undertow.connector.", "io.undertow.util.",
            // Undertow's framed channels (HTTP/2, WebSockets) also carry its HTTP/2 client's streams
            "io.undertow.server.protocol.framed.");

    /**
     * Undertow's server: a {@link java.nio.channels.ClosedChannelException} is claimed only when
     * the first frame above the JDK and the shared layers is one of these (its exchange or servlet
     * streams), where Undertow throws it for a stream the client reset or a connection it closed.
     */
    public static final List<String> UNDERTOW_SERVER_IO_PACKAGES = List.of("io.undertow.server.", "io.undertow.servlet.");

    /**
     * Jetty's HTTP/2 core (HTTP2Stream, HTTP2Session, its parser and flusher), run by its server and
     * by its low-level {@code HTTP2Client} alike.
     */
    public static final String JETTY_HTTP2_CORE = "org.eclipse.jetty.http2.";

    /**
     * Outbound clients, drivers and data access: a failure from any of these is a backend failure
     * of the handler, never the HTTP client of this request going away.
     */
    public static final List<String> STANDARD_EXCLUDED_PACKAGES = List.of(
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

    public static final List<String> JDK_PACKAGES = List.of(
            "java.", "javax.net.", "sun.", "jdk.", "com.sun.");

    private ClassifierRules() {}
}
