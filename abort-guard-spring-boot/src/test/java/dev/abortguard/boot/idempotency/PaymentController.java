package dev.abortguard.boot.idempotency;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import java.util.concurrent.atomic.AtomicInteger;

/** Takes a payment; counts how often it really ran. */
@RestController
public class PaymentController {

    private final AtomicInteger runs = new AtomicInteger();

    @PostMapping("/payments")
    ResponseEntity<String> pay(@RequestBody String amount, @RequestHeader(value = "X-Delay-Millis", required = false) Long delay)
            throws InterruptedException {
        int run = runs.incrementAndGet();
        if (delay != null) {
            Thread.sleep(delay); // a slow provider: repeats arrive while this one runs
        }
        return ResponseEntity.status(HttpStatus.CREATED).header("X-Payment-Run", Integer.toString(run))
                .body("{\"payment\":" + run + ",\"amount\":" + amount.strip() + "}");
    }

    @PostMapping("/refunds")
    String refund(@RequestBody String amount) {
        return "{\"refund\":" + runs.incrementAndGet() + "}";
    }

    /**
     * How often a payment or refund handler ran.
     *
     * @return the count
     */
    public int runs() {
        return runs.get();
    }
}
