package dev.abortguard.examples.boot;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code POST /checkout} pays through the provider with a RestClient from Boot's own builder. The provider
 * ({@code /provider/payments}) lives in the same application for the example: it records a
 * payment by Idempotency-Key and answers after 600 ms — after the caller's 300 ms read timeout.
 */
@RestController
public class PaymentController {

    private final RestClient provider;
    private final ProviderLocation location;
    final Map<String, String> ledger = new ConcurrentHashMap<>();
    final AtomicInteger providerCalls = new AtomicInteger();

    public PaymentController(RestClient.Builder builder, ProviderLocation location) {
        this.provider = builder.build(); // Boot's builder: abort-guard wrapped its HttpClient 5
        this.location = location;
    }

    @PostMapping(path = "/checkout", produces = MediaType.APPLICATION_JSON_VALUE)
    public String checkout(@RequestBody String amount) {
        // no key here: the policy creates one Idempotency-Key per logical request and keeps it on resends
        return provider.post()
                .uri(location.baseUrl() + "/provider/payments")
                .contentType(MediaType.TEXT_PLAIN)
                .body(amount)
                .retrieve()
                .body(String.class);
    }

    @PostMapping(path = "/provider/payments", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<String> providerPay(@RequestHeader("Idempotency-Key") String key, @RequestBody String amount)
            throws InterruptedException {
        providerCalls.incrementAndGet();
        if (ledger.putIfAbsent(key, amount) != null) {
            return ResponseEntity.ok(json(key, ledger.get(key), "DUPLICATE_IGNORED"));
        }
        Thread.sleep(600); // committed, but slow to answer
        return ResponseEntity.status(HttpStatus.CREATED).body(json(key, amount, "CREATED"));
    }

    @GetMapping(path = "/provider/payments/{key}", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<String> providerStatus(@PathVariable String key) {
        String amount = ledger.get(key);
        return amount == null ? ResponseEntity.notFound().build() : ResponseEntity.ok(json(key, amount, "COMPLETED"));
    }

    /** The status tells who answered: the payment call itself, a repeat of it, or the status API. */
    private static String json(String key, String amount, String status) {
        return "{\"key\":\"" + key + "\",\"amount\":" + amount + ",\"status\":\"" + status + "\"}";
    }
}
