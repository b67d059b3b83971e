package dev.abortguard.client.ledger;

import dev.abortguard.client.StatusCheck;
import dev.abortguard.client.StatusDecision;
import java.time.Duration;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.apache.hc.core5.util.Timeout;

/** Client set-ups shared by the ledger tests. */
public final class LedgerClients {

    private LedgerClients() {}

    public static PoolingHttpClientConnectionManager pool() {
        return PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(64)
                .setMaxConnPerRoute(64)
                .setDefaultConnectionConfig(
                        ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(2)).build())
                .build();
    }

    /** A builder with a per-read response timeout, as a typical service would configure. */
    public static HttpClientBuilder builder(PoolingHttpClientConnectionManager pool, Duration responseTimeout) {
        return HttpClients.custom()
                .setConnectionManager(pool)
                .setDefaultRequestConfig(
                        RequestConfig.custom()
                                .setResponseTimeout(Timeout.of(responseTimeout))
                                .setConnectionRequestTimeout(Timeout.ofSeconds(5))
                                .build());
    }

    /** A plain client with generous timeouts, for status checks and cancels. */
    public static CloseableHttpClient sideChannel() {
        return builder(pool(), Duration.ofSeconds(5)).build();
    }

    /**
     * The status check a ledger user would write: 200 → COMPLETED with the ledger's answer, 404 →
     * NOT_APPLIED, 202 → PENDING, anything else → UNKNOWN.
     */
    public static StatusCheck statusCheck(CloseableHttpClient side, String baseUri) {
        return context ->
                side.execute(
                        new HttpGet(baseUri + "/payments/" + context.idempotencyKey()),
                        response -> {
                            String body = EntityUtils.toString(response.getEntity());
                            switch (response.getCode()) {
                                case 200:
                                    BasicClassicHttpResponse completed = new BasicClassicHttpResponse(200);
                                    completed.setEntity(new StringEntity(body, ContentType.TEXT_PLAIN));
                                    return StatusDecision.completed(completed);
                                case 404:
                                    return StatusDecision.notApplied();
                                case 202:
                                    return StatusDecision.pending();
                                default:
                                    return StatusDecision.unknown();
                            }
                        });
    }
}
