package dev.abortguard.client.internal;

import java.io.IOException;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.impl.io.HttpRequestExecutor;
import org.apache.hc.core5.http.io.HttpClientConnection;
import org.apache.hc.core5.http.io.HttpResponseInformationCallback;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * A request executor that marks the attempt's {@link ExchangeProgress} as observed and records
 * whether the request head was handed to the connection. It does so by decorating the connection for the duration of
 * one exchange; the HTTP logic is HttpCore's, unchanged.
 *
 * <p>Why not {@code Http1StreamListener}: its callbacks receive the connection and the request
 * but not the {@link HttpContext}, so they cannot tell which logical request an event belongs to.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class PhaseRecordingRequestExecutor extends HttpRequestExecutor {

    @Override
    public ClassicHttpResponse execute(
            ClassicHttpRequest request,
            HttpClientConnection conn,
            HttpResponseInformationCallback informationCallback,
            HttpContext context)
            throws IOException, HttpException {
        ExchangeProgress progress = ExchangeProgress.from(context);
        if (progress != null) {
            // Marked here, not in an exec interceptor: "observed" must mean "the head write is being
            // recorded", which is only true while this executor is the client's executor.
            progress.markObserved();
        }
        HttpClientConnection connection =
                progress == null || conn instanceof PhaseRecordingConnection
                        ? conn
                        : new PhaseRecordingConnection(conn, progress);
        return super.execute(request, connection, informationCallback, context);
    }
}
