package dev.abortguard.client.overload;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;

/** {@code orders} POSTs to an upstream, all at once, each with its own key: what each caller got back. */
final class ConcurrentOrders {

    private ConcurrentOrders() {
    }

    /** @return per order, its status code or the {@link IOException} its caller got */
    static List<Object> send(CloseableHttpClient client, FastHttpLikeUpstream upstream, String prefix, int orders)
            throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(orders);
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (int i = 0; i < orders; i++) {
                String key = prefix + "-" + i;
                futures.add(callers.submit(() -> {
                    HttpPost post = new HttpPost(upstream.baseUri() + "/orders");
                    post.setHeader("Idempotency-Key", key);
                    post.setEntity(new StringEntity("{\"order\":\"" + key + "\"}", ContentType.APPLICATION_JSON));
                    try {
                        return (Object) client.execute(post, response -> response.getCode());
                    } catch (IOException e) {
                        return e;
                    }
                }));
            }
            List<Object> outcomes = new ArrayList<>();
            for (Future<Object> f : futures) {
                outcomes.add(f.get(60, TimeUnit.SECONDS));
            }
            return outcomes;
        } finally {
            callers.shutdownNow();
        }
    }
}
