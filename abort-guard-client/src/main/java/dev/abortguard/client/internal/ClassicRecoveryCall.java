package dev.abortguard.client.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.Configurable;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.RequestFailedException;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.CancellableDependency;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.HttpClientResponseHandler;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.net.URIAuthority;

/**
 * One logical classic request. Each attempt sends a fresh copy of the caller's request with the
 * idempotency key header, so that the caller's object is never modified and every copy can be
 * canceled by the exchange deadline (HttpClient cancels through {@link HttpUriRequestBase}, which
 * Spring's {@code BasicClassicHttpRequest} is not).
 *
 * @param <T> the handler's result, or {@link CloseableHttpResponse} without a handler
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class ClassicRecoveryCall<T> implements RecoveryCall<T> {

    /** Replaced by the original's scheme, authority and path in {@link #copy()}. */
    private static final URI ROOT = URI.create("/");

    private final NotInstrumentedWarning instrumentation;
    private final CloseableHttpClient delegate;
    private final ResponseChecks checks;
    private final boolean bufferResponseBody;
    private final HttpHost target;
    private final ClassicHttpRequest original;
    private final HttpClientContext context;
    private final HttpClientResponseHandler<? extends T> handler;
    private volatile URI uri;
    private final String key;
    private final Header[] headers;

    public ClassicRecoveryCall(
            CloseableHttpClient delegate,
            RecoverySettings settings,
            ResponseChecks checks,
            HttpHost target,
            ClassicHttpRequest original,
            HttpContext context,
            HttpClientResponseHandler<? extends T> handler,
            NotInstrumentedWarning instrumentation) {
        this.delegate = delegate;
        this.instrumentation = instrumentation;
        this.checks = checks;
        this.bufferResponseBody = settings.bufferResponseBody();
        this.target = target;
        this.original = original;
        this.context = HttpClientContext.castOrCreate(context);
        this.handler = handler;
        IdempotencyKeys.Keyed keyed = settings.keys().keyed(original);
        this.key = keyed.key();
        this.headers = keyed.headers();
    }

    /**
     * The absolute URI, for callbacks and messages only: attempts are built from the request's
     * components, so the happy path never pays for {@code java.net.URI} parsing (HttpCore rebuilds
     * and re-parses it on every {@code getUri()}).
     */
    private static URI absoluteUri(HttpHost target, ClassicHttpRequest request) {
        try {
            URI requestUri = request.getUri();
            if (!requestUri.isAbsolute() && target != null) {
                return URI.create(target.toURI()).resolve(requestUri);
            }
            return requestUri;
        } catch (URISyntaxException | IllegalArgumentException e) {
            // HttpClient sends such a request line as it is; java.net.URI refuses it. Quote what it refuses.
            HttpHost host = target;
            if (host == null && request.getAuthority() != null) {
                host = new HttpHost(request.getScheme(), request.getAuthority());
            }
            String path = request.getPath() == null ? "/" : request.getPath();
            int query = path.indexOf('?');
            try {
                return new URI(
                        host == null ? null : host.getSchemeName(),
                        host == null ? null : host.toHostString(),
                        query < 0 ? path : path.substring(0, query),
                        query < 0 ? null : path.substring(query + 1),
                        null);
            } catch (URISyntaxException unusable) {
                return URI.create("/");
            }
        }
    }

    @Override
    public Route route(Routes routes) {
        if (target != null) {
            return routes.of(target.getSchemeName(), target.getHostName(), target.getPort());
        }
        URIAuthority authority = original.getAuthority();
        return routes.of(original.getScheme(), authority == null ? null : authority.getHostName(),
                authority == null ? -1 : authority.getPort());
    }

    @Override
    public String method() {
        return original.getMethod();
    }

    @Override
    public URI uri() {
        URI known = uri;
        if (known == null) {
            known = absoluteUri(target, original);
            uri = known; // racy but idempotent: every thread computes the same value
        }
        return known;
    }

    @Override
    public List<Header> headers() {
        return Arrays.asList(headers);
    }

    @Override
    public String idempotencyKey() {
        return key;
    }

    @Override
    public boolean repeatable() {
        HttpEntity entity = original.getEntity();
        return entity == null || entity.isRepeatable();
    }

    @Override
    public boolean canceledByCaller() {
        return original instanceof CancellableDependency
                && ((CancellableDependency) original).isCancelled();
    }

    @Override
    public AttemptResult<T> attempt(Attempt attempt) {
        try {
            return send(attempt);
        } catch (IOException e) {
            return attempt.failed(e);
        } catch (RuntimeException e) {
            return attempt.failed(e);
        } finally {
            instrumentation.check(attempt.progress());
        }
    }

    @SuppressWarnings("unchecked")
    private AttemptResult<T> send(Attempt attempt) throws IOException {
        ExchangeProgress progress = attempt.progress();
        if (canceledByCaller()) {
            // Nothing of this attempt reached the wire: say so, so that it is not taken for an unknown.
            progress.markCanceledBeforeSending();
            throw new RequestFailedException("Request aborted by the caller");
        }
        HttpUriRequestBase request = copy();
        if (original instanceof CancellableDependency) {
            // The caller's cancel() must still reach the exchange that is actually running.
            ((CancellableDependency) original).setDependency(request);
        }
        context.setAttribute(ExchangeProgress.ATTRIBUTE, progress);
        DeadlineTimer.Deadline deadline = attempt.arm(request::cancel);
        try {
            CloseableHttpResponse response =
                    CloseableHttpResponse.adapt(delegate.executeOpen(target, request, context));
            HttpEntity entity = response.getEntity();
            if (entity != null) {
                response.setEntity(new BodyObservingEntity(entity, progress));
            }
            byte[] smallBody;
            try {
                smallBody = checks.smallErrorBody(response);
            } catch (IOException | RuntimeException e) {
                response.close();
                throw e;
            }
            Optional<AttemptResult<T>> notTheAnswer = checks.screen(response, smallBody, attempt, null);
            if (notTheAnswer.isPresent()) {
                EntityUtils.consumeQuietly(response.getEntity());
                response.close();
                return notTheAnswer.get();
            }
            if (handler == null) {
                if (bufferResponseBody) {
                    buffer(response);
                }
                return new AttemptResult.Answered<>((T) response);
            }
            return new AttemptResult.Answered<>(handle(response, handler));
        } finally {
            deadline.disarm();
        }
    }

    /** Mirrors {@code CloseableHttpClient.execute(..., handler)}, inside the attempt. */
    private static <R> R handle(ClassicHttpResponse response, HttpClientResponseHandler<? extends R> handler)
            throws IOException {
        try {
            R result = handler.handleResponse(response);
            EntityUtils.consume(response.getEntity());
            return result;
        } catch (HttpException e) {
            try {
                EntityUtils.consume(response.getEntity());
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new ClientProtocolException(e);
        } finally {
            response.close();
        }
    }

    private static void buffer(CloseableHttpResponse response) throws IOException {
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            return;
        }
        try {
            byte[] body = EntityUtils.toByteArray(entity);
            ContentType type = entity.getContentType() == null ? null : ContentType.parseLenient(entity.getContentType());
            response.setEntity(new ByteArrayEntity(body, type, entity.getContentEncoding()));
        } catch (IOException | RuntimeException e) {
            response.close();
            throw e;
        }
    }

    private HttpUriRequestBase copy() {
        HttpUriRequestBase copy = new HttpUriRequestBase(original.getMethod(), ROOT);
        copy.setScheme(original.getScheme());
        copy.setAuthority(original.getAuthority());
        copy.setPath(original.getPath());
        copy.setHeaders(headers);
        copy.setEntity(original.getEntity());
        if (original.getVersion() != null) {
            copy.setVersion(original.getVersion());
        }
        if (original instanceof Configurable) {
            RequestConfig config = ((Configurable) original).getConfig();
            if (config != null) {
                copy.setConfig(config);
            }
        }
        return copy;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T adopt(ClassicHttpResponse supplied) throws IOException {
        if (handler == null) {
            return (T) CloseableHttpResponse.adapt(supplied);
        }
        return handle(supplied, handler);
    }
}
