package dev.abortguard.client.internal;

import java.io.IOException;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;

/**
 * Marks how far an exchange of an {@linkplain TimeoutRecoveryPolicy#instrument instrumented}
 * client got through the exec chain: one instance sits first in the chain ("entered"), one right
 * after {@code CONNECT} ("a connected endpoint was handed to the transport").
 *
 * <p>Neither marks the exchange as observed: only {@link PhaseRecordingRequestExecutor} does, because
 * only it records the request-head write. If a later {@code setRequestExecutor} replaced it, the
 * chain would still run these handlers, and "observed without a head mark" would turn every read
 * timeout into NEVER_SENT. What these marks do prove on their own: an exchange that entered the
 * chain but never got a connected endpoint failed before anything of it could be written.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class PhaseObservingExecHandler implements ExecChainHandler {

    public static final String NAME = "abort-guard-phase";
    public static final String CONNECTED_NAME = "abort-guard-phase-connected";

    private final boolean afterConnect;

    private PhaseObservingExecHandler(boolean afterConnect) {
        this.afterConnect = afterConnect;
    }

    /** The handler for the head of the chain. */
    public static PhaseObservingExecHandler entry() {
        return new PhaseObservingExecHandler(false);
    }

    /** The handler for the position right after {@code CONNECT}. */
    public static PhaseObservingExecHandler afterConnect() {
        return new PhaseObservingExecHandler(true);
    }

    @Override
    public ClassicHttpResponse execute(
            ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        ExchangeProgress progress = ExchangeProgress.from(scope.clientContext);
        if (progress != null) {
            if (afterConnect) {
                progress.markConnectionReady();
            } else {
                progress.markChainEntered();
            }
        }
        return chain.proceed(request, scope);
    }
}
