package dev.abortguard.client.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * One logical async request; see {@link AsyncTimeoutRecovery}.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class AsyncRecoveryCall implements RecoveryCall<SimpleHttpResponse> {

    private final CloseableHttpAsyncClient client;
    private final ResponseChecks checks;
    private final SimpleHttpRequest original;
    private final HttpContext context;
    private final URI uri;
    private final String key;
    private final Header[] headers;

    public AsyncRecoveryCall(
            CloseableHttpAsyncClient client,
            RecoverySettings settings,
            ResponseChecks checks,
            SimpleHttpRequest original,
            HttpContext context)
            throws IOException {
        this.client = client;
        this.checks = checks;
        this.original = original;
        this.context = context;
        try {
            this.uri = original.getUri();
        } catch (URISyntaxException e) {
            throw new ClientProtocolException("Invalid request URI: " + original.getRequestUri(), e);
        }
        IdempotencyKeys.Keyed keyed = settings.keys().keyed(original);
        this.key = keyed.key();
        this.headers = keyed.headers();
    }

    @Override
    public Route route(Routes routes) {
        return routes.of(uri.getScheme(), uri.getHost(), uri.getPort());
    }

    @Override
    public String method() {
        return original.getMethod();
    }

    @Override
    public URI uri() {
        return uri;
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
        return true;
    }

    @Override
    public boolean canceledByCaller() {
        return false;
    }

    /**
     * Sends one attempt without blocking; applies the exchange deadline and the {@link
     * ResponseChecks} (see {@link RecoveryCall#attempt}). The future completes with the attempt's
     * result, never exceptionally (short of an {@link Error}).
     */
    public CompletableFuture<AttemptResult<SimpleHttpResponse>> send(Attempt attempt) {
        ExchangeProgress progress = attempt.progress();
        SimpleHttpRequest request = SimpleRequestBuilder.copy(original).setHeaders(headers).build();
        HttpContext attemptContext = context == null ? HttpClientContext.create() : context;
        // marks the exchange as covered, so that HttpClient's own retry leaves it to the policy
        attemptContext.setAttribute(ExchangeProgress.ATTRIBUTE, progress);
        CompletableFuture<SimpleHttpResponse> result = new CompletableFuture<>();
        Future<SimpleHttpResponse> exchange =
                client.execute(
                        SimpleRequestProducer.create(request),
                        SimpleResponseConsumer.create(),
                        attemptContext,
                        new FutureCallback<>() {
                            @Override
                            public void completed(SimpleHttpResponse response) {
                                result.complete(response);
                            }

                            @Override
                            public void failed(Exception failure) {
                                result.completeExceptionally(failure);
                            }

                            @Override
                            public void cancelled() {
                                result.completeExceptionally(
                                        new InterruptedIOException(
                                                progress.evidence().deadlineFired() ? "exchange deadline passed" : "exchange canceled"));
                            }
                        });
        DeadlineTimer.Deadline deadline = attempt.arm(() -> exchange.cancel(true));
        return result.handle(
                (response, failure) -> {
                    deadline.disarm();
                    if (failure != null) {
                        IOException io = asIoException(failure);
                        return checks.<SimpleHttpResponse>refusal(io).orElseGet(() -> attempt.failed(io));
                    }
                    // The response is fully read: a Retry-After answer keeps it for the caller, should
                    // the retry not happen.
                    return checks.screen(response, checks.smallErrorBody(response), attempt, response)
                            .orElseGet(() -> new AttemptResult.Answered<>(response));
                });
    }

    @Override
    public AttemptResult<SimpleHttpResponse> attempt(Attempt attempt) {
        try {
            return send(attempt).get();
        } catch (RuntimeException e) {
            // Thrown before anything was sent (e.g. the client was closed during recovery).
            return attempt.failed(e);
        } catch (ExecutionException e) {
            return attempt.failed(asIoException(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return attempt.failed(new InterruptedIOException("interrupted while waiting for the response"));
        }
    }

    @Override
    public SimpleHttpResponse adopt(ClassicHttpResponse supplied) throws IOException {
        try {
            HttpEntity entity = supplied.getEntity();
            SimpleHttpResponse response;
            if (entity == null) {
                response = SimpleHttpResponse.create(supplied.getCode());
            } else {
                byte[] body = EntityUtils.toByteArray(entity);
                ContentType type = entity.getContentType() == null ? null : ContentType.parseLenient(entity.getContentType());
                response = SimpleHttpResponse.create(supplied.getCode(), body, type);
            }
            for (Header header : supplied.getHeaders()) {
                response.addHeader(header);
            }
            return response;
        } finally {
            supplied.close(); // the status check's connection goes back to its pool either way
        }
    }

    public static CompletableFuture<SimpleHttpResponse> toFuture(
            CloseableHttpAsyncClient client, SimpleHttpRequest request, HttpContext context) {
        CompletableFuture<SimpleHttpResponse> result = new CompletableFuture<>();
        client.execute(
                request,
                context,
                new FutureCallback<>() {
                    @Override
                    public void completed(SimpleHttpResponse response) {
                        result.complete(response);
                    }

                    @Override
                    public void failed(Exception failure) {
                        result.completeExceptionally(failure);
                    }

                    @Override
                    public void cancelled() {
                        result.cancel(false);
                    }
                });
        return result;
    }

    /** The failure as the engine expects it: an {@link IOException}, unwrapped from futures. */
    public static IOException asIoException(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof IOException) {
            return (IOException) cause;
        }
        if (cause instanceof CancellationException) {
            return new InterruptedIOException("exchange canceled");
        }
        return new IOException(cause);
    }
}
