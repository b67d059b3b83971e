package dev.abortguard.server;

import com.mongodb.MongoSocketWriteException;
import com.mysql.cj.exceptions.CJCommunicationsException;
import jakarta.servlet.ServletException;
import org.apache.catalina.connector.ClientAbortException;
import org.apache.coyote.BadRequestException;
import org.apache.coyote.CloseNowException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.eclipse.jetty.io.EofException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientAbortClassifierTest {

    private final ClientAbortClassifier classifier = ClientAbortClassifier.standard();

    /** An exception as the JDK throws it under a container's socket write. */
    private static <T extends Throwable> T thrownUnder(String containerFrame, T t) {
        t.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("sun.nio.ch.SocketDispatcher", "write0", null, -2),
                new StackTraceElement("sun.nio.ch.IOUtil", "write", null, 1),
                new StackTraceElement("java.nio.channels.SocketChannel", "write", null, 1),
                new StackTraceElement(containerFrame, "write", null, 1),
                new StackTraceElement("com.example.OrderController", "stream", null, 42)});
        return t;
    }

    /** Undertow: JDK, then XNIO (shared with clients), then Undertow's server conduit. */
    private static <T extends Throwable> T thrownUnderUndertow(T t) {
        t.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("sun.nio.ch.SocketDispatcher", "write0", null, -2),
                new StackTraceElement("org.xnio.nio.NioSocketConduit", "write", null, 1),
                new StackTraceElement("io.undertow.server.protocol.http.HttpResponseConduit", "write", null, 1),
                new StackTraceElement("io.undertow.servlet.spec.ServletOutputStreamImpl", "flush", null, 1),
                new StackTraceElement("com.example.OrderController", "stream", null, 42)});
        return t;
    }

    /** Jetty's HttpClient sending a request: jetty-io (shared), then the client. */
    private static <T extends Throwable> T thrownUnderJettyClient(T t) {
        t.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("sun.nio.ch.SocketDispatcher", "write0", null, -2),
                new StackTraceElement("org.eclipse.jetty.io.SocketChannelEndPoint", "flush", null, 1),
                new StackTraceElement("org.eclipse.jetty.io.WriteFlusher", "write", null, 1),
                new StackTraceElement("org.eclipse.jetty.client.transport.internal.HttpSenderOverHTTP", "send", null, 1),
                new StackTraceElement("com.example.InventoryClient", "reserve", null, 7)});
        return t;
    }

    @Test
    void nullIsNotAnAbort() {
        assertFalse(classifier.isClientAbort(null));
    }

    // ---- container types -------------------------------------------------------------------

    @Test
    void tomcatClientAbortException() {
        // seed 000: "ClientAbortException: java.io.IOException: Broken pipe" on Tomcat 9..11
        assertTrue(classifier.isClientAbort(new ClientAbortException(new IOException("Broken pipe"))));
        assertTrue(classifier.isClientAbort(new ClientAbortException()), "by type, even without a message");
    }

    @Test
    void tomcatBadRequestParentIsNeverMatched() {
        // since 2023 ClientAbortException extends BadRequestException, which also means "malformed request"
        assertFalse(classifier.isClientAbort(new BadRequestException("Invalid chunk header")));
    }

    @Test
    void tomcatHttp2StreamReset() {
        assertTrue(classifier.isClientAbort(new CloseNowException("stream reset by client")));
    }

    @Test
    void jettyEofExceptionWithNullMessageAndOsCause() {
        EofException eof = new EofException(new IOException("Broken pipe"));
        assertTrue(classifier.isClientAbort(eof));
        assertTrue(classifier.isClientAbort(new EofException((String) null)), "null message, no cause");
    }

    @Test
    void jettyClientFailuresAreRealErrorsThoughJettyIoThrowsTheSameTypes() {
        // jetty-io is shared by the server and Jetty's HttpClient / WebSocket client
        EofException fromClient = thrownUnderJettyClient(new EofException(new IOException("Broken pipe")));
        assertFalse(classifier.isClientAbort(fromClient));
        assertFalse(classifier.isClientAbort(new java.util.concurrent.ExecutionException(fromClient)));
        assertFalse(classifier.isClientAbort(thrownUnderJettyClient(new IOException("Connection reset by peer"))));
        EofException fromServer = thrownUnder("org.eclipse.jetty.server.internal.HttpConnection$SendCallback",
                new EofException(new IOException("Broken pipe")));
        assertTrue(classifier.isClientAbort(fromServer));
    }

    @Test
    void sharedIoFramesAloneAreNotServerIo() {
        IOException xnioOnly = new IOException("Broken pipe");
        xnioOnly.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("org.xnio.nio.NioSocketConduit", "write", null, 1),
                new StackTraceElement("io.undertow.client.http.HttpClientConnection", "send", null, 1)});
        assertFalse(classifier.isClientAbort(xnioOnly), "Undertow's HTTP client, not its server");
    }

    @Test
    void jdkOutboundClientFramesDecideOutboundThoughTheyAreJdkFrames() {
        // java.net.http's HttpClient and HttpURLConnection live in JDK packages; their frames must
        // veto, not be skipped on the way to a server frame further down the stack.
        SocketException reset = new SocketException("Connection reset");
        reset.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("sun.nio.ch.NioSocketImpl", "implRead", null, 1),
                new StackTraceElement("jdk.internal.net.http.Http1Exchange", "readBody", null, 1),
                new StackTraceElement("org.apache.catalina.connector.OutputBuffer", "flush", null, 1)});
        assertFalse(classifier.isClientAbort(reset));
        SocketException urlConnection = new SocketException("Broken pipe");
        urlConnection.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("sun.net.www.protocol.http.HttpURLConnection", "getInputStream", null, 1),
                new StackTraceElement("io.undertow.servlet.spec.ServletOutputStreamImpl", "write", null, 1)});
        assertFalse(classifier.isClientAbort(urlConnection));
    }

    @Test
    void jettyEofClosedWithoutCauseIsAlsoAnApplicationWriteAfterCloseSoNotClaimed() {
        assertFalse(classifier.isClientAbort(new EofException("Closed")));
    }

    @Test
    void springAsyncRequestNotUsable() {
        // Spring MVC 6.1+: "ServletOutputStream failed to write: java.io.IOException: Broken pipe"
        assertTrue(classifier.isClientAbort(new AsyncRequestNotUsableException(
                "ServletOutputStream failed to write: java.io.IOException: Broken pipe", null)));
    }

    @Test
    void wrappedAbortsAreFoundInTheCauseChain() {
        ClientAbortException abort = new ClientAbortException(new IOException("Broken pipe"));
        assertTrue(classifier.isClientAbort(new ServletException("wrapped", abort)));
        assertTrue(classifier.isClientAbort(new UncheckedIOException(abort)));
        assertTrue(classifier.isClientAbort(new java.util.concurrent.CompletionException(new ServletException(abort))));
        // not a carrier: the application's own new failure, as loud as without the library (issue 10)
        assertFalse(classifier.isClientAbort(new RuntimeException(new ServletException(abort))));
    }

    @Test
    void subclassesOfContainerTypesMatch() {
        class CustomEof extends EofException {
            CustomEof() {
                super(new IOException("Broken pipe"));
            }
        }
        assertTrue(classifier.isClientAbort(new CustomEof()));
    }

    // ---- OS wording from server I/O --------------------------------------------------------

    /** What the OS says, as it says it: each standard phrase must match one of these. */
    static final String[] REAL_OS_MESSAGES = {
            "Broken pipe",                                                     // Linux/macOS EPIPE
            "Connection reset by peer",                                        // Linux ECONNRESET
            "Connection reset",                                                // the JDK's own text
            "Software caused connection abort",                                // ECONNABORTED
            "An established connection was aborted by the software in your host machine", // Windows 10053
            "An existing connection was forcibly closed by the remote host",   // Windows 10054
            "Protocol wrong type for socket",                                  // macOS EPROTOTYPE on write
            "Datenübergabe unterbrochen (broken pipe)",                        // glibc de
            "Die Verbindung wurde vom Kommunikationspartner zurückgesetzt",    // glibc de
            "Eine bestehende Verbindung wurde softwaregesteuert durch den Hostcomputer abgebrochen", // Windows de
            "Relais brisé (pipe)",                                             // glibc fr
            "Connexion ré-initialisée par le correspondant",                   // glibc fr
            "Tubería rota",                                                    // glibc es
            "Conexión reinicializada por la máquina remota",                   // glibc es
            "断开的管道",                                                        // glibc zh_CN
            "连接被对方重设",                                                     // glibc zh_CN
            "接続が相手からリセットされました",                                     // glibc ja
            "파이프가 깨어짐",                                                     // glibc ko
            "상대편이 연결을 끊음",                                                  // glibc ko
            "Обрыв канала",                                                    // glibc ru
            // the rest of the standard phrases, as the OS writes them
            "Connection aborted",                                              // ECONNABORTED (BSD wording)
            "Eine bestehende Verbindung wurde softwaregesteuert\r\ndurch den Hostcomputer abgebrochen.", // Windows de, with its line break
            "Eine bestehende Verbindung wurde softwaregesteuert abgebrochen",  // Windows de, older wording
            "Das Programm verursachte den Abbruch der Verbindung",             // glibc de ECONNABORTED
            "Eine vorhandene Verbindung wurde vom Remotehost geschlossen.",    // Windows de 10054
            "Le logiciel a provoqué l'abandon de la connexion",                // glibc fr ECONNABORTED
            "Une connexion établie a été abandonnée par un logiciel de votre ordinateur hôte", // Windows fr 10053
            "Une connexion existante a dû être fermée par l’hôte distant",     // Windows fr 10054 (typographic apostrophe)
            "El programa provocó el fin de la conexión",                       // glibc es ECONNABORTED
            "Se ha anulado una conexión establecida por el software en su equipo host", // Windows es 10053
            "Se ha forzado la interrupción de una conexión existente por el host remoto", // Windows es 10054
            "Pipe interrotta",                                                 // glibc it
            "Connessione interrotta dal corrispondente",                       // glibc it
            "Pipe quebrado",                                                   // glibc pt_BR
            "Conexão fechada pela outra ponta",                                // glibc pt_BR
            "Соединение разорвано другой стороной",                            // glibc ru
            "Przerwany potok",                                                 // glibc pl
            "Połączenie zerwane przez drugą stronę",                           // glibc pl
            "连接被对方重置",                                                     // glibc zh_CN (newer)
            "管線損壞",                                                          // glibc zh_TW
            "連線被對方重設",                                                     // glibc zh_TW
            "你的主机中的软件中止了一个已建立的连接。",                                // Windows zh 10053
            "远程主机强迫关闭了一个现有的连接。",                                    // Windows zh 10054
            "パイプが切断されました",                                               // ja
            "確立された接続がホスト コンピューターのソフトウェアによって中止されました。", // Windows ja 10053
            "既存の接続はリモート ホストに強制的に切断されました。",                     // Windows ja 10054
            "현재 연결은 사용자의 호스트 시스템의 소프트웨어의 의해 중단되었습니다",        // Windows ko 10053
            "현재 연결은 원격 호스트에 의해 강제로 끊겼습니다",                         // Windows ko 10054
            // not the OS's: Undertow's own text for a request body cut short by the client
            "UT000128: Remote peer closed connection before all data could be read",
    };

    static String[] realOsMessages() {
        return REAL_OS_MESSAGES;
    }

    @ParameterizedTest
    @MethodSource("realOsMessages")
    void osWordingThrownByServerIo(String message) {
        assertTrue(classifier.isClientAbort(thrownUnderUndertow(new IOException(message))), message);
        assertTrue(classifier.isClientAbort(thrownUnder("org.apache.tomcat.util.net.NioChannel", new SocketException(message))), message);
    }

    @Test
    void undertowsBareIoExceptionUnderAnApplicationFrameIsNotClaimed() {
        IOException fromApp = new IOException("Broken pipe");
        fromApp.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("sun.nio.ch.SocketDispatcher", "write0", null, -2),
                new StackTraceElement("com.example.LegacySocketClient", "send", null, 10)});
        assertFalse(classifier.isClientAbort(fromApp), "the first non-JDK frame is not server I/O");
        assertFalse(classifier.isClientAbort(new IOException("Broken pipe")), "thrown right here, in a test class");
    }

    @Test
    void nullMessagesAreNotAborts() {
        assertFalse(classifier.isClientAbort(thrownUnderUndertow(new IOException((String) null))));
        assertFalse(classifier.isClientAbort(new RuntimeException((String) null)));
    }

    @Test
    void messagesOnNonIoExceptionsAreNotAborts() {
        assertFalse(classifier.isClientAbort(thrownUnderUndertow(new IllegalStateException("Broken pipe"))));
    }

    // ---- look-alikes that are real errors --------------------------------------------------

    @Test
    void restClientResetIsARealError() {
        // spring-framework #34264: RestClient "I/O error on POST request: Connection reset" became a silent 200
        SocketException reset = thrownUnder("org.apache.hc.core5.http.impl.io.SessionInputBufferImpl",
                new SocketException("Connection reset"));
        assertFalse(classifier.isClientAbort(new ResourceAccessException("I/O error on POST request: Connection reset", reset)));
        assertFalse(classifier.isClientAbort(reset), "raw, its first non-JDK frame is the HTTP client");
    }

    @Test
    void restClientWrappingEvenAServerLookingCauseIsARealError() {
        // exclusions win over everything in the chain
        SocketException serverLooking = thrownUnderUndertow(new SocketException("Broken pipe"));
        assertFalse(classifier.isClientAbort(new ResourceAccessException("I/O error", serverLooking)));
    }

    @Test
    void httpClientFailuresAreRealErrors() {
        assertFalse(classifier.isClientAbort(new NoHttpResponseException("backend failed to respond")));
        assertFalse(classifier.isClientAbort(new HttpHostConnectException("Connection refused")));
    }

    @Test
    void jdbcAndDriverFailuresAreRealErrors() {
        SocketException pipe = thrownUnderUndertow(new SocketException("Broken pipe"));
        assertFalse(classifier.isClientAbort(new SQLException("Communications link failure", pipe)));
        // MySQL: CommunicationsException caused by EOFException "Can not read response from server"
        assertFalse(classifier.isClientAbort(new CJCommunicationsException("Communications link failure",
                new EOFException("Can not read response from server"))));
    }

    @Test
    void mongoBrokenPipeIsARealError() {
        assertFalse(classifier.isClientAbort(new MongoSocketWriteException("Exception sending message",
                thrownUnder("com.mongodb.internal.connection.SocketStream", new SocketException("Broken pipe")))));
    }

    @Test
    void everyStandardPhraseIsCoveredByARealMessage() {
        // keeps REAL_OS_MESSAGES complete: a phrase added without a real message fails here
        java.util.List<String> messages = java.util.Arrays.stream(REAL_OS_MESSAGES)
                .map(dev.abortguard.server.internal.ClassifierEngine::normalize).toList();
        for (String phrase : ClientAbortClassifier.standard().abortMessages()) {
            assertTrue(messages.stream().anyMatch(m -> m.contains(phrase)), "no real message for \"" + phrase + "\"");
        }
    }

    @Test
    void phrasesAreMatchedWhateverTheWhitespace() {
        ClientAbortClassifier custom = ClientAbortClassifier.builder().clearAbortMessages()
                .addAbortMessage("  Peer   went\taway ").build();
        assertEquals(java.util.List.of("peer went away"), custom.abortMessages());
        assertTrue(custom.isClientAbort(thrownUnderUndertow(new IOException("PEER\r\nWENT  away (os error 1)"))));
    }

    @Test
    void messagingAndSpringDataFailuresAreRealErrors() {
        SocketException reset = thrownUnderUndertow(new SocketException("Connection reset by peer"));
        assertFalse(classifier.isClientAbort(new org.apache.kafka.common.errors.NetworkException(
                "The server disconnected before a response was received.", reset)));
        assertFalse(classifier.isClientAbort(new com.rabbitmq.client.AlreadyClosedException(
                "connection is already closed due to connection error", reset)));
        assertFalse(classifier.isClientAbort(new org.springframework.dao.DataAccessResourceFailureException(
                "Exception sending message; nested exception is Broken pipe", reset)));
    }

    @Test
    void rawEofIsNeverClaimedNorAClosedChannelOutsideUndertowsServer() {
        assertFalse(classifier.isClientAbort(new EOFException("Unexpected end of JSON input")));
        assertFalse(classifier.isClientAbort(thrownUnderUndertow(new EOFException())));
        assertFalse(classifier.isClientAbort(new ClosedChannelException()), "thrown right here, in a test class");
        assertFalse(classifier.isClientAbort(thrownUnder("com.example.LegacySocketClient", new ClosedChannelException())));
        assertFalse(classifier.isClientAbort(thrownUnder("org.apache.tomcat.util.net.NioChannel", new ClosedChannelException())),
                "Tomcat wraps its own in ClientAbortException; a bare one is not Undertow's");
        assertFalse(classifier.isClientAbort(thrownUnderJettyClient(new ClosedChannelException())));
    }

    // ---- what the containers throw, stack frames as captured over loopback -----------------
    // (containers.RealContainerThrowablesTest asserts on the captured instances themselves)

    private static StackTraceElement frame(String className) {
        return new StackTraceElement(className, "m", null, 1);
    }

    private static <T extends Throwable> T withFrames(T t, String... classNames) {
        t.setStackTrace(java.util.Arrays.stream(classNames).map(ClientAbortClassifierTest::frame)
                .toArray(StackTraceElement[]::new));
        return t;
    }

    /** Undertow, a servlet write on an HTTP/2 stream the client reset. */
    private static final String[] UNDERTOW_H2_SERVLET_WRITE = {
            "io.undertow.server.protocol.framed.AbstractFramedStreamSinkChannel",
            "io.undertow.protocols.http2.Http2DataStreamSinkChannel",
            "org.xnio.conduits.StreamSinkChannelWrappingConduit",
            "org.xnio.conduits.ConduitStreamSinkChannel",
            "io.undertow.channels.DetachableStreamSinkChannel",
            "io.undertow.server.HttpServerExchange$WriteDispatchChannel",
            "org.xnio.channels.Channels",
            "io.undertow.servlet.spec.ServletOutputStreamImpl",
            "com.example.ReportServlet"};

    /** Undertow's HTTP/2 client, a handler reading its backend's response on the request thread. */
    private static final String[] UNDERTOW_H2_CLIENT_READ = {
            "io.undertow.server.protocol.framed.AbstractFramedStreamSourceChannel",
            "io.undertow.protocols.http2.Http2StreamSourceChannel",
            "org.xnio.streams.ChannelInputStream",
            "java.io.InputStream",
            "com.example.ProxyServlet",
            "jakarta.servlet.http.HttpServlet",
            "io.undertow.servlet.handlers.ServletHandler"};

    @Test
    void undertowsClosedChannelIsAnAbortOnlyFromItsServerFrames() {
        assertTrue(classifier.isClientAbort(withFrames(new ClosedChannelException(), UNDERTOW_H2_SERVLET_WRITE)));
        assertTrue(classifier.isClientAbort(withFrames(new ClosedChannelException(),
                "io.undertow.channels.DetachableStreamSinkChannel", "io.undertow.server.HttpServerExchange$WriteDispatchChannel",
                "org.xnio.channels.Channels", "io.undertow.servlet.spec.ServletOutputStreamImpl")), "the next write");
        assertTrue(classifier.isClientAbort(new java.io.UncheckedIOException(
                withFrames(new ClosedChannelException(), UNDERTOW_H2_SERVLET_WRITE))), "found in the chain");

        // Undertow's framed channels carry its HTTP/2 client's streams too: the handler's frame decides
        assertFalse(classifier.isClientAbort(withFrames(new ClosedChannelException(), UNDERTOW_H2_CLIENT_READ)));
        // an interrupted thread's channel, even under Undertow's servlet stream
        assertFalse(classifier.isClientAbort(withFrames(new java.nio.channels.ClosedByInterruptException(),
                UNDERTOW_H2_SERVLET_WRITE)));
        assertFalse(classifier.isClientAbort(withFrames(new java.nio.channels.AsynchronousCloseException(),
                UNDERTOW_H2_SERVLET_WRITE)));
        // the server packages stay configurable
        ClientAbortClassifier withoutUndertow = ClientAbortClassifier.builder()
                .removeServerIoPackage("io.undertow.server.").removeServerIoPackage("io.undertow.servlet.").build();
        assertFalse(withoutUndertow.isClientAbort(withFrames(new ClosedChannelException(), UNDERTOW_H2_SERVLET_WRITE)));
    }

    @Test
    void undertowsOwnPhraseForABodyCutShortCountsOnlyOnItsServerRead() {
        String message = "UT000128: Remote peer closed connection before all data could be read";
        assertTrue(classifier.isClientAbort(withFrames(new IOException(message),
                "io.undertow.conduits.FixedLengthStreamSourceConduit", "org.xnio.conduits.ConduitStreamSourceChannel",
                "io.undertow.channels.DetachableStreamSourceChannel", "io.undertow.server.HttpServerExchange$ReadDispatchChannel",
                "org.xnio.channels.Channels", "io.undertow.servlet.spec.ServletInputStreamImpl", "com.example.UploadServlet")));
        // Undertow's HTTP client reads a backend's fixed-length body through the same conduit
        assertFalse(classifier.isClientAbort(withFrames(new IOException(message),
                "io.undertow.conduits.FixedLengthStreamSourceConduit", "org.xnio.conduits.ConduitStreamSourceChannel",
                "org.xnio.streams.ChannelInputStream", "com.example.ProxyServlet",
                "io.undertow.servlet.handlers.ServletHandler")));
    }

    @Test
    void macOsProtocolWrongTypeOnAServerWriteIsAnAbort() {
        // EPROTOTYPE: Darwin's answer to a write racing the peer's close; cannot be produced on Linux
        String message = "Protocol wrong type for socket";
        assertTrue(classifier.isClientAbort(thrownUnder("org.apache.tomcat.util.net.NioChannel", new IOException(message))));
        assertTrue(classifier.isClientAbort(thrownUnder("org.apache.coyote.http11.Http11OutputBuffer$SocketOutputBuffer",
                new SocketException(message))));
        assertTrue(classifier.isClientAbort(thrownUnderUndertow(new IOException(message))));
        // the same text from a client's socket is its backend's failure
        assertFalse(classifier.isClientAbort(thrownUnderJettyClient(new IOException(message))));
        assertFalse(classifier.isClientAbort(thrownUnder("com.mongodb.internal.connection.SocketStream",
                new SocketException(message))));
        assertFalse(classifier.isClientAbort(thrownUnder("com.example.LegacySocketClient", new IOException(message))));
    }

    /** Jetty's HTTP/2 core, parsing the peer's RST_STREAM: "reset", before any side's own frame. */
    private static final String[] JETTY_H2_CORE_ON_RESET = {
            "org.eclipse.jetty.http2.HTTP2Stream", "org.eclipse.jetty.http2.HTTP2Session",
            "org.eclipse.jetty.http2.HTTP2Connection", "org.eclipse.jetty.http2.parser.BodyParser",
            "org.eclipse.jetty.http2.parser.ResetBodyParser", "org.eclipse.jetty.http2.parser.Parser"};

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void jettysHttp2CoreEofCountsOnlyWithTheServerRightBelowIt() {
        String[] producer = {"org.eclipse.jetty.http2.HTTP2Connection$HTTP2Producer",
                "org.eclipse.jetty.util.thread.strategy.AdaptiveExecutionStrategy", "org.eclipse.jetty.http2.HTTP2Connection",
                "org.eclipse.jetty.io.FillInterest", "org.eclipse.jetty.util.thread.QueuedThreadPool", "java.lang.Thread"};
        // the server: its ServerParser called the core
        assertTrue(classifier.isClientAbort(withFrames(new EofException("reset"),
                concat(JETTY_H2_CORE_ON_RESET, concat(new String[] {"org.eclipse.jetty.http2.parser.ServerParser"}, producer)))));
        // HTTP2Client: the core parsed the reset for it, no frame of either side
        EofException clientReset = withFrames(new EofException("reset"), concat(JETTY_H2_CORE_ON_RESET, producer));
        assertFalse(classifier.isClientAbort(clientReset));
        assertFalse(classifier.isClientAbort(new java.util.concurrent.ExecutionException(clientReset)));

        String[] flusher = {"org.eclipse.jetty.http2.internal.HTTP2Flusher", "org.eclipse.jetty.util.IteratingCallback",
                "org.eclipse.jetty.http2.HTTP2Session", "org.eclipse.jetty.http2.HTTP2Stream"};
        // the server's response write: its HttpStreamOverHTTP2 called the core
        assertTrue(classifier.isClientAbort(withFrames(new EofException(new IOException("Broken pipe")),
                concat(flusher, "org.eclipse.jetty.http2.server.internal.HttpStreamOverHTTP2", "org.eclipse.jetty.server.HttpStream$Wrapper",
                        "org.eclipse.jetty.ee11.servlet.HttpOutput"))));
        // a handler's HTTP2Client write on the request thread: the handler called the core, the
        // server's frames further down are only the thread's history
        assertFalse(classifier.isClientAbort(withFrames(new EofException("dropped"),
                concat(flusher, "com.example.GrpcBridgeServlet", "jakarta.servlet.http.HttpServlet",
                        "org.eclipse.jetty.ee11.servlet.ServletHolder", "org.eclipse.jetty.server.Server"))));
        // and the client transport's own frames veto
        assertFalse(classifier.isClientAbort(withFrames(new IOException("internal_error"),
                "org.eclipse.jetty.http2.client.transport.internal.HttpReceiverOverHTTP2",
                "org.eclipse.jetty.http2.HTTP2Stream", "org.eclipse.jetty.http2.parser.Parser")));
    }

    // ---- chain walking ---------------------------------------------------------------------

    @Test
    void cyclicCauseChainsTerminate() {
        IOException a = new IOException("a");
        IOException b = new IOException("b");
        a.initCause(b);
        b.initCause(a);
        assertFalse(classifier.isClientAbort(a));

        ClientAbortException abort = new ClientAbortException("abort");
        ServletException c = new ServletException("c");
        abort.initCause(c);
        c.initCause(abort);
        assertTrue(classifier.isClientAbort(c));
    }

    @Test
    void tenThousandDeepChainsAreBounded() {
        Throwable deep = new IOException("root");
        for (int i = 0; i < 10_000; i++) {
            deep = new RuntimeException("level " + i, deep);
        }
        assertFalse(classifier.isClientAbort(deep));
        assertTrue(classifier.isClientAbort(new ClientAbortException(deep)), "an abort at the top is found at once");

        Throwable abortAtTheBottom = new ClientAbortException();
        for (int i = 0; i < 9_999; i++) {
            abortAtTheBottom = new ServletException("level " + i, abortAtTheBottom);
        }
        assertFalse(classifier.isClientAbort(abortAtTheBottom), "beyond maxCauseDepth: a false negative by design");
        assertTrue(ClientAbortClassifier.builder().maxCauseDepth(10_000).build().isClientAbort(abortAtTheBottom));
    }

    // ---- builder ---------------------------------------------------------------------------

    @Test
    void rulesCanBeAddedAndRemoved() {
        ClientAbortClassifier custom = ClientAbortClassifier.builder()
                .addAbortType("com.example.MyContainerAbort")
                .removeAbortType("org.apache.catalina.connector.ClientAbortException")
                .addExcludedPackage("com.example.backend.")
                .build();
        assertFalse(custom.isClientAbort(new ClientAbortException()));
        assertTrue(custom.isClientAbort(new CloseNowException("still matched")));
        assertFalse(custom.isClientAbort(thrownUnder("com.example.backend.Client", new IOException("Broken pipe"))));

        ClientAbortClassifier typesOnly = ClientAbortClassifier.builder().clearAbortMessages().build();
        assertFalse(typesOnly.isClientAbort(thrownUnderUndertow(new IOException("Broken pipe"))));
        assertTrue(typesOnly.isClientAbort(new EofException(new IOException("Broken pipe"))));

        ClientAbortClassifier weblogic = ClientAbortClassifier.builder().addServerIoPackage("weblogic.servlet.internal.").build();
        assertTrue(weblogic.isClientAbort(thrownUnder("weblogic.servlet.internal.ChunkOutput", new IOException("Broken pipe"))));
        assertEquals(weblogic.abortMessages(), weblogic.toBuilder().build().abortMessages());
    }

    @Test
    void invalidRulesFailWithTheSettingName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClientAbortClassifier.builder().maxCauseDepth(0))
                .getMessage().contains("maxCauseDepth"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClientAbortClassifier.builder().addAbortType(" "))
                .getMessage().contains("abortType"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClientAbortClassifier.builder().addExcludedPackage(null))
                .getMessage().contains("excludedPackage"));
    }

    @Test
    void resetsThrownByTheContainersOwnOutboundCodeAreRealErrors() {
        ClientAbortClassifier classifier = ClientAbortClassifier.standard();
        // Tomcat's JNDIRealm talks to LDAP, its JDBC session store to a database, Jetty's proxy
        // servlet to a backend: container frames, but not the server's own client socket
        assertFalse(classifier.isClientAbort(
                thrownUnder("org.apache.catalina.realm.JNDIRealm", new SocketException("Connection reset"))));
        assertFalse(classifier.isClientAbort(
                thrownUnder("org.apache.catalina.session.JDBCStore", new SocketException("Broken pipe"))));
        assertFalse(classifier.isClientAbort(
                thrownUnder("org.eclipse.jetty.ee11.proxy.ProxyServlet", new SocketException("Connection reset"))));
        // while the connector's own write stays an abort
        assertTrue(classifier.isClientAbort(
                thrownUnder("org.apache.catalina.connector.OutputBuffer", new SocketException("Broken pipe"))));
        assertTrue(classifier.isClientAbort(
                thrownUnder("org.eclipse.jetty.ee11.servlet.HttpOutput", new SocketException("Broken pipe"))));
    }
}
