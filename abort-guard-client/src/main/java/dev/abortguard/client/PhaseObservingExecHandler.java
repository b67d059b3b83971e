package dev.abortguard.client;

import java.io.IOException;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;

/**
 * Marks the attempt's {@link ExchangeProgress} as observed when the exchange enters the exec
 * chain of an {@linkplain TimeoutRecoveryPolicy#instrument instrumented} client. From then on the
 * absence of a "request head submitted" mark is evidence that nothing was sent; without this
 * marker the policy cannot tell "not sent" from "not instrumented".
 */
final class PhaseObservingExecHandler implements ExecChainHandler {

    static final String NAME = "abort-guard-phase";

    @Override
    public ClassicHttpResponse execute(
            ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        ExchangeProgress progress = ExchangeProgress.from(scope.clientContext);
        if (progress != null) {
            progress.markObserved();
        }
        return chain.proceed(request, scope);
    }
}
