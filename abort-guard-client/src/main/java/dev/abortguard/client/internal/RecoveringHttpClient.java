package dev.abortguard.client.internal;

import java.io.IOException;
import org.apache.hc.client5.http.config.Configurable;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.HttpClientResponseHandler;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;

/**
 * The client returned by {@link TimeoutRecoveryPolicy#wrap}. Covered requests run through the
 * {@link RecoveryEngine}; the others go straight to the wrapped client.
 *
 * <p>Both entry points of {@code CloseableHttpClient} are overridden: {@link #doExecute} (every
 * {@code execute} that returns a response, and {@code executeOpen}, which Spring's request
 * factory uses) and the response-handler {@code execute} that all handler overloads funnel into.
 * The latter matters because a body that stalls inside the handler fails <em>after</em> {@code
 * doExecute} returned; only by running the handler inside the attempt can the policy recover it.
 *
 * <p>It exposes the wrapped client's default {@link RequestConfig} through {@link Configurable},
 * as HttpClient's own clients do: Spring's {@code HttpComponentsClientHttpRequestFactory} reads
 * it to build per-request configs, and without it every request would lose the client's
 * response timeout (a request-level config replaces the client default, it is not merged).
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class RecoveringHttpClient extends CloseableHttpClient implements Configurable {

    private final CloseableHttpClient delegate;
    private final RecoverySettings settings;
    private final String policy;
    private final RecoveryEngine engine;
    private final NotInstrumentedWarning instrumentation;

    public RecoveringHttpClient(CloseableHttpClient delegate, RecoverySettings settings, String policy) {
        this.delegate = delegate;
        this.settings = settings;
        this.policy = policy;
        this.engine = new RecoveryEngine(settings);
        this.instrumentation = new NotInstrumentedWarning(policy);
    }

    @Override
    protected CloseableHttpResponse doExecute(
            HttpHost target, ClassicHttpRequest request, HttpContext context) throws IOException {
        if (!settings.covers(request)) {
            return CloseableHttpResponse.adapt(delegate.executeOpen(target, request, context));
        }
        return engine.run(new ClassicRecoveryCall<>(delegate, settings, engine.responseChecks(), target, request, context, null,
                instrumentation));
    }

    @Override
    public <T> T execute(
            HttpHost target,
            ClassicHttpRequest request,
            HttpContext context,
            HttpClientResponseHandler<? extends T> responseHandler)
            throws IOException {
        if (!settings.covers(request)) {
            return super.execute(target, request, context, responseHandler);
        }
        return engine.run(
                new ClassicRecoveryCall<T>(
                        delegate, settings, engine.responseChecks(), target, request, context, responseHandler,
                        instrumentation));
    }

    @Override
    public RequestConfig getConfig() {
        return delegate instanceof Configurable ? ((Configurable) delegate).getConfig() : null;
    }

    @Override
    public void close() throws IOException {
        try {
            delegate.close();
        } finally {
            engine.close();
        }
    }

    @Override
    public void close(CloseMode closeMode) {
        try {
            delegate.close(closeMode);
        } finally {
            engine.close();
        }
    }

    @Override
    public String toString() {
        return "RecoveringHttpClient{" + policy + ", delegate=" + delegate + "}";
    }
}
