package dev.abortguard.benchmarks;

import com.mongodb.MongoSocketWriteException;
import dev.abortguard.server.ClientAbortClassifier;
import org.apache.catalina.connector.ClientAbortException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.eclipse.jetty.io.EofException;
import org.springframework.http.converter.HttpMessageNotWritableException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;
import org.springframework.web.util.DisconnectedClientHelper;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Throwables a server sees, each with the true answer to "did the HTTP client go away?". Real
 * classes where they are on the classpath (Tomcat, Jetty, Spring, HttpClient 5, JDBC); MongoDB's
 * exception is a stand-in with the same FQN. Stack traces that matter for the decision (who threw
 * the I/O error) are set explicitly with {@code setStackTrace}.
 */
public final class Corpus {

    /** One throwable and the truth about it. */
    public static final class Entry {
        public final String name;
        public final Throwable throwable;
        public final boolean abort;
        /** A cyclic cause chain: implementations without a bound may never return. */
        public final boolean cyclic;

        Entry(String name, Throwable throwable, boolean abort, boolean cyclic) {
            this.name = name;
            this.throwable = throwable;
            this.abort = abort;
            this.cyclic = cyclic;
        }
    }

    /** The three implementations compared. */
    public static final Predicate<Throwable> ABORT_GUARD = ClientAbortClassifier.standard()::isClientAbort;
    public static final Predicate<Throwable> SPRING = DisconnectedClientHelper::isClientDisconnectedException;
    /** What many catch blocks do: look for "Broken pipe" in the message. */
    public static final Predicate<Throwable> NAIVE = t -> {
        String m = t.getMessage();
        return m != null && m.toLowerCase(Locale.ROOT).contains("broken pipe");
    };

    private Corpus() {
    }

    private static StackTraceElement frame(String cls, String method) {
        return new StackTraceElement(cls, method, cls.substring(cls.lastIndexOf('.') + 1) + ".java", 100);
    }

    /** An OS error as thrown by a socket write, with the frames of {@code caller}'s I/O code. */
    private static <T extends Throwable> T thrownBy(T t, String... callerFrames) {
        List<StackTraceElement> frames = new ArrayList<>();
        frames.add(frame("sun.nio.ch.SocketDispatcher", "write0"));
        frames.add(frame("sun.nio.ch.SocketDispatcher", "write"));
        frames.add(frame("sun.nio.ch.IOUtil", "write"));
        frames.add(frame("sun.nio.ch.SocketChannelImpl", "write"));
        for (String f : callerFrames) {
            int dot = f.lastIndexOf('.');
            frames.add(frame(f.substring(0, dot), f.substring(dot + 1)));
        }
        frames.add(frame("com.example.shop.OrderController", "export"));
        frames.add(frame("java.lang.Thread", "run"));
        t.setStackTrace(frames.toArray(new StackTraceElement[0]));
        return t;
    }

    private static Throwable wrap(Throwable bottom, int levels) {
        Throwable t = bottom;
        for (int i = 0; i < levels; i++) {
            t = new jakarta.servlet.ServletException("layer " + i, t); // carriers: an abort below stays one
        }
        return t;
    }

    /** Every entry, including the cyclic one. */
    public static List<Entry> all() {
        List<Entry> c = new ArrayList<>();
        // ---- real client aborts ----
        c.add(new Entry("Tomcat ClientAbortException(IOException \"Broken pipe\")",
                new ClientAbortException(thrownBy(new IOException("Broken pipe"),
                        "org.apache.tomcat.util.net.NioEndpoint$NioSocketWrapper.doWrite")), true, false));
        c.add(new Entry("Tomcat ClientAbortException(\"Connection reset by peer\")",
                new ClientAbortException(thrownBy(new SocketException("Connection reset by peer"),
                        "org.apache.tomcat.util.net.NioEndpoint$NioSocketWrapper.doWrite")), true, false));
        c.add(new Entry("Jetty EofException(IOException \"Broken pipe\")",
                new EofException(thrownBy(new IOException("Broken pipe"),
                        "org.eclipse.jetty.io.SocketChannelEndPoint.flush")), true, false));
        c.add(new Entry("Undertow bare IOException \"Broken pipe\" from org.xnio/io.undertow frames",
                thrownBy(new IOException("Broken pipe"),
                        "org.xnio.nio.NioSocketConduit.write",
                        "io.undertow.server.protocol.http.HttpResponseConduit.write",
                        "io.undertow.servlet.spec.ServletOutputStreamImpl.write"), true, false));
        c.add(new Entry("Spring AsyncRequestNotUsableException",
                new AsyncRequestNotUsableException("ServletOutputStream failed to write: java.io.IOException: Broken pipe",
                        new ClientAbortException(thrownBy(new IOException("Broken pipe"),
                                "org.apache.tomcat.util.net.NioEndpoint$NioSocketWrapper.doWrite"))), true, false));
        c.add(new Entry("Spring HttpMessageNotWritableException(ClientAbortException)",
                new HttpMessageNotWritableException("Could not write JSON: Broken pipe",
                        new ClientAbortException(thrownBy(new IOException("Broken pipe"),
                                "org.apache.tomcat.util.net.NioEndpoint$NioSocketWrapper.doWrite"))), true, false));
        c.add(new Entry("deep chain: 50 wrappers over ClientAbortException(\"Broken pipe\")",
                wrap(new ClientAbortException(thrownBy(new IOException("Broken pipe"),
                        "org.apache.tomcat.util.net.NioEndpoint$NioSocketWrapper.doWrite")), 50), true, false));
        IOException cycleIo = thrownBy(new IOException("Broken pipe"),
                "org.apache.tomcat.util.net.NioEndpoint$NioSocketWrapper.doWrite");
        ClientAbortException cycleTop = new ClientAbortException(cycleIo);
        cycleIo.initCause(cycleTop); // ClientAbortException -> IOException -> ClientAbortException -> ...
        c.add(new Entry("cycle: ClientAbortException <-> IOException(\"Broken pipe\")", cycleTop, true, true));

        // ---- look-alikes: real errors that must stay loud ----
        c.add(new Entry("Spring ResourceAccessException(SocketException \"Connection reset\")",
                new ResourceAccessException("I/O error on POST request for \"http://payments:8080/charge\": Connection reset",
                        thrownBy(new SocketException("Connection reset"),
                                "org.apache.hc.core5.http.impl.io.SessionInputBufferImpl.fillBuffer")), false, false));
        c.add(new Entry("HttpClient NoHttpResponseException",
                new NoHttpResponseException("payments:8080 failed to respond"), false, false));
        c.add(new Entry("outbound HttpClient SocketException \"Connection reset by peer\" (org.apache.hc frames), wrapped",
                new IllegalStateException("payment call failed", thrownBy(new SocketException("Connection reset by peer"),
                        "org.apache.hc.core5.http.impl.io.SessionOutputBufferImpl.flush",
                        "org.apache.hc.client5.http.impl.classic.InternalExecRuntime.execute")), false, false));
        c.add(new Entry("SQLException wrapping SocketException \"Broken pipe\"",
                new SQLException("I/O Error: Broken pipe", "08006", thrownBy(new SocketException("Broken pipe"),
                        "org.postgresql.core.PGStream.flush")), false, false));
        c.add(new Entry("MongoSocketWriteException(SocketException \"Broken pipe\")",
                new MongoSocketWriteException("Exception sending message", thrownBy(new SocketException("Broken pipe"),
                        "com.mongodb.internal.connection.SocketStream.write")), false, false));
        c.add(new Entry("raw EOFException from a parser",
                new EOFException("Unexpected end of ZLIB input stream"), false, false));
        c.add(new Entry("deep chain: 50 wrappers over SQLException(\"Broken pipe\")",
                wrap(new SQLException("I/O Error: Broken pipe", "08006", thrownBy(new SocketException("Broken pipe"),
                        "org.postgresql.core.PGStream.flush")), 50), false, false));
        RuntimeException loopTop = new RuntimeException("report failed");
        IOException loopIo = new IOException("Read timed out");
        loopTop.initCause(loopIo);
        loopIo.initCause(loopTop); // RuntimeException -> IOException -> RuntimeException -> ...
        c.add(new Entry("cycle: RuntimeException <-> IOException(\"Read timed out\") (real error)", loopTop, false, true));
        c.add(new Entry("IllegalStateException (plain application error)",
                new IllegalStateException("order 42 not found"), false, false));
        return c;
    }

    /** The entries without cycles (what the timing benchmark runs for every implementation). */
    public static Throwable[] acyclic() {
        return all().stream().filter(e -> !e.cyclic).map(e -> e.throwable).toArray(Throwable[]::new);
    }
}
