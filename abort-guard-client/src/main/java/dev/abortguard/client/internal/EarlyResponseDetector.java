package dev.abortguard.client.internal;

import java.io.IOException;
import java.io.InputStream;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.impl.io.MonitoringResponseOutOfOrderStrategy;
import org.apache.hc.core5.http.io.HttpClientConnection;
import org.apache.hc.core5.http.io.ResponseOutOfOrderStrategy;

/**
 * Notices a response that arrives while the request body is still being sent, without slowing the
 * upload: before each {@value #CHUNK} bytes of body it asks the socket whether bytes are waiting
 * ({@link InputStream#available()}, which does not block). HttpCore then stops sending the body and
 * reads the response, and {@link BuiltInNotAppliedAnswers#EARLY_REFUSAL} can judge it.
 *
 * <p>Why not HttpCore's {@link MonitoringResponseOutOfOrderStrategy}: it waits up to 1 ms for input
 * before every 8 KiB chunk, which caps an upload written in small pieces at about 8 MB/s. Over TLS
 * {@code available()} counts only bytes already decrypted, so an early response is usually not
 * noticed there: the body is sent whole and the answer is judged as any other.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class EarlyResponseDetector implements ResponseOutOfOrderStrategy {

    /** Bytes of body between two checks; {@link SlicedEntity} cuts larger writes at this size. */
    public static final int CHUNK = 64 * 1024;

    public static final EarlyResponseDetector INSTANCE = new EarlyResponseDetector();

    private EarlyResponseDetector() {}

    @Override
    public boolean isEarlyResponseDetected(ClassicHttpRequest request, HttpClientConnection connection,
            InputStream socketInputStream, long totalBytesSent, long nextWriteSize) throws IOException {
        boolean newChunk = totalBytesSent / CHUNK != (totalBytesSent + nextWriteSize) / CHUNK || totalBytesSent == 0;
        return newChunk && socketInputStream.available() > 0;
    }
}
