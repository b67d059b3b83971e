package dev.abortguard.server.containers;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.api.server.ServerSessionListener;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.http2.server.RawHTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;

/**
 * An h2c (prior knowledge) backend that fails every stream with RST_STREAM(INTERNAL_ERROR): a
 * request without a body gets a 200 head and one DATA frame first (the handler's outbound call
 * fails mid-response), one with a body is reset on its head (the call fails mid-upload). A backend
 * failure, which must stay an error.
 */
final class ResettingH2cUpstream implements AutoCloseable {

    private final Server server = new Server();
    private final ServerConnector connector;

    ResettingH2cUpstream() throws Exception {
        ServerSessionListener listener = new ServerSessionListener() {
            @Override
            public Stream.Listener onNewStream(Stream stream, HeadersFrame frame) {
                if (!frame.isEndStream()) {
                    // a request with a body: reset it mid-upload, before any response
                    stream.reset(new ResetFrame(stream.getId(), ErrorCode.INTERNAL_ERROR.code), Callback.NOOP);
                    return null;
                }
                MetaData.Response head = new MetaData.Response(200, null, HttpVersion.HTTP_2, HttpFields.EMPTY);
                stream.headers(new HeadersFrame(stream.getId(), head, null, false), Callback.from(
                        () -> stream.data(new DataFrame(stream.getId(), ByteBuffer.wrap(new byte[1024]), false),
                                Callback.from(() -> stream.reset(
                                        new ResetFrame(stream.getId(), ErrorCode.INTERNAL_ERROR.code), Callback.NOOP)))));
                return null;
            }
        };
        connector = new ServerConnector(server, new RawHTTP2ServerConnectionFactory(new HttpConfiguration(), listener));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.start();
    }

    int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
