package dev.abortguard.boot.payments;

import org.springframework.core.env.Environment;
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

/** {@code /checkout} pays through {@code /provider/payments}, which answers after the caller's read timeout. */
@RestController
public class PaymentsController {

    private final RestClient provider;
    private final org.springframework.web.client.RestTemplate template;
    private final Environment environment;
    final Map<String, String> ledger = new ConcurrentHashMap<>();
    final AtomicInteger providerCalls = new AtomicInteger();

    public PaymentsController(RestClient.Builder builder, org.springframework.boot.restclient.RestTemplateBuilder templates,
                              Environment environment) {
        // Boot's own builders: their request factory, spring.http.clients.* and observations
        this.provider = builder.build();
        this.template = templates.build();
        this.environment = environment;
    }

    public int ledgerSize() {
        return ledger.size();
    }

    public int providerCallCount() {
        return providerCalls.get();
    }

    @PostMapping(path = "/checkout", produces = MediaType.APPLICATION_JSON_VALUE)
    public String checkout(@RequestBody String amount) {
        String base = "http://127.0.0.1:" + environment.getProperty("local.server.port"); // known once started
        return provider.post().uri(base + "/provider/payments").contentType(MediaType.TEXT_PLAIN).body(amount)
                .retrieve().body(String.class);
    }

    @PostMapping(path = "/checkout-template", produces = MediaType.APPLICATION_JSON_VALUE)
    public String checkoutWithRestTemplate(@RequestBody String amount) {
        String base = "http://127.0.0.1:" + environment.getProperty("local.server.port");
        return template.postForObject(base + "/provider/payments", amount, String.class);
    }

    @PostMapping(path = "/provider/payments", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<String> pay(@RequestHeader("Idempotency-Key") String key, @RequestBody String amount)
            throws InterruptedException {
        providerCalls.incrementAndGet();
        if (ledger.putIfAbsent(key, amount) != null) {
            return ResponseEntity.ok("{\"status\":\"DUPLICATE_IGNORED\"}");
        }
        Thread.sleep(900); // committed, but slow to answer: past the caller's 300 ms read timeout
        return ResponseEntity.status(HttpStatus.CREATED).body("{\"status\":\"CREATED\"}");
    }

    @GetMapping(path = "/provider/payments/{key}", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<String> status(@PathVariable("key") String key) {
        String amount = ledger.get(key);
        return amount == null ? ResponseEntity.notFound().build()
                : ResponseEntity.ok("{\"amount\":" + amount + ",\"status\":\"COMPLETED\"}");
    }
}
