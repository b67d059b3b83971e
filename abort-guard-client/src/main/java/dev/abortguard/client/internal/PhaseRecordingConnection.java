package dev.abortguard.client.internal;

import java.io.IOException;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.io.HttpClientConnection;

/**
 * Delegates every call and records the request-head write in an {@link ExchangeProgress}.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class PhaseRecordingConnection extends ForwardingClientConnection<HttpClientConnection> {

    private final ExchangeProgress progress;

    public PhaseRecordingConnection(HttpClientConnection delegate, ExchangeProgress progress) {
        super(delegate);
        this.progress = progress;
    }

    @Override
    public void sendRequestHeader(ClassicHttpRequest request) throws HttpException, IOException {
        // Marked before the write: a head that fails half-way may still have reached the server.
        progress.markRequestHeadSubmitted();
        delegate.sendRequestHeader(request);
    }

    @Override
    public ClassicHttpResponse receiveResponseHeader() throws HttpException, IOException {
        ClassicHttpResponse response = delegate.receiveResponseHeader();
        // 1xx heads are informational; only a final status tells us the server answered.
        if (response != null && response.getCode() >= 200) {
            progress.markResponseHead(response.getCode());
        }
        return response;
    }



    @Override
    public void sendRequestEntity(ClassicHttpRequest request) throws HttpException, IOException {
        HttpEntity entity = request.getEntity();
        if (entity != null && entity.getContentLength() > EarlyResponseDetector.CHUNK) {
            // cut into pieces, so that an early answer is noticed between them (EarlyResponseDetector)
            request.setEntity(new SlicedEntity(entity));
            try {
                delegate.sendRequestEntity(request);
            } finally {
                request.setEntity(entity);
            }
        } else {
            delegate.sendRequestEntity(request);
        }
        // HttpCore leaves the connection inconsistent when it stopped a body of known length
        // because the response came first (only with a response-out-of-order strategy)
        if (!delegate.isConsistent()) {
            progress.markRequestBodyCutShort();
        }
    }














}
