package dev.abortguard.client.internal;

import java.io.IOException;
import org.apache.hc.client5.http.HttpRequestRetryStrategy;
import org.apache.hc.client5.http.impl.DefaultHttpRequestRetryStrategy;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;

/**
 * HttpClient's default retry strategy for the requests the policy does not cover, and no retry at
 * all for the ones it does: those are retried, resent or checked by the policy's rules only.
 *
 * <p>Why: {@link DefaultHttpRequestRetryStrategy} resends any request, a POST included, on a 503
 * or a 429 (after a second or the {@code Retry-After}), with no proof it was not processed, no
 * budget and no in-flight limit; under the policy that is a blind duplicate of a payment and
 * hidden load on an overloaded upstream. A covered request is known by its {@link
 * ExchangeProgress} in the context.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class CoveredRequestsRetryStrategy implements HttpRequestRetryStrategy {

    private final HttpRequestRetryStrategy uncovered;

    public CoveredRequestsRetryStrategy() {
        this(DefaultHttpRequestRetryStrategy.INSTANCE);
    }

    CoveredRequestsRetryStrategy(HttpRequestRetryStrategy uncovered) {
        this.uncovered = uncovered;
    }

    @Override
    public boolean retryRequest(HttpRequest request, IOException exception, int execCount, HttpContext context) {
        return ExchangeProgress.from(context) == null && uncovered.retryRequest(request, exception, execCount, context);
    }

    @Override
    public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
        return ExchangeProgress.from(context) == null && uncovered.retryRequest(response, execCount, context);
    }

    @Override
    public TimeValue getRetryInterval(HttpRequest request, IOException exception, int execCount, HttpContext context) {
        return uncovered.getRetryInterval(request, exception, execCount, context);
    }

    @Override
    public TimeValue getRetryInterval(HttpResponse response, int execCount, HttpContext context) {
        return uncovered.getRetryInterval(response, execCount, context);
    }
}
