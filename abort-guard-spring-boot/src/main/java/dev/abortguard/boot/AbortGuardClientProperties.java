package dev.abortguard.boot;

import dev.abortguard.client.RecoveryMode;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * {@code abortguard.client.*}: the settings of {@code TimeoutRecoveryPolicy.builder()} for the
 * HttpClient 5 behind Boot's auto-configured {@code RestClient.Builder} and {@code
 * RestTemplateBuilder}. Unset values keep the builder's defaults. Read timeouts stay where Boot
 * puts them: {@code spring.http.clients.read-timeout}.
 */
@ConfigurationProperties("abortguard.client")
public class AbortGuardClientProperties {

    /** Whether outbound calls through Boot's RestClient.Builder and RestTemplateBuilder recover from timeouts (needs a StatusCheck bean). */
    private boolean enabled = true;

    /** What to do when an outcome is unknown; STATUS_CHECK by default here, as a StatusCheck bean exists. */
    private RecoveryMode mode = RecoveryMode.STATUS_CHECK;

    /** Bound on the whole recovery of one request, from its first failure. */
    private Duration recoveryTimeout;

    /** Bound on one status check or cancel callback. */
    private Duration callbackTimeout;

    /** Attempts of one logical request, the first included. */
    private Integer maxAttempts;

    /** First delay before retrying a request that was never sent. */
    private Duration retryBackoffInitial;

    /** Largest delay before retrying a request that was never sent. */
    private Duration retryBackoffMax;

    /** First delay between status checks that answered "pending" or "unknown". */
    private Duration statusCheckBackoffInitial;

    /** Largest delay between status checks. */
    private Duration statusCheckBackoffMax;

    /** Whole-exchange deadline of one attempt (unset: none, only the read timeout between packets). */
    private Duration exchangeDeadline;

    /** Request header carrying the idempotency key. */
    private String idempotencyKeyHeader;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public RecoveryMode getMode() {
        return mode;
    }

    public void setMode(RecoveryMode mode) {
        this.mode = mode;
    }

    public Duration getRecoveryTimeout() {
        return recoveryTimeout;
    }

    public void setRecoveryTimeout(Duration recoveryTimeout) {
        this.recoveryTimeout = recoveryTimeout;
    }

    public Duration getCallbackTimeout() {
        return callbackTimeout;
    }

    public void setCallbackTimeout(Duration callbackTimeout) {
        this.callbackTimeout = callbackTimeout;
    }

    public Integer getMaxAttempts() {
        return maxAttempts;
    }

    public void setMaxAttempts(Integer maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public Duration getRetryBackoffInitial() {
        return retryBackoffInitial;
    }

    public void setRetryBackoffInitial(Duration retryBackoffInitial) {
        this.retryBackoffInitial = retryBackoffInitial;
    }

    public Duration getRetryBackoffMax() {
        return retryBackoffMax;
    }

    public void setRetryBackoffMax(Duration retryBackoffMax) {
        this.retryBackoffMax = retryBackoffMax;
    }

    public Duration getStatusCheckBackoffInitial() {
        return statusCheckBackoffInitial;
    }

    public void setStatusCheckBackoffInitial(Duration statusCheckBackoffInitial) {
        this.statusCheckBackoffInitial = statusCheckBackoffInitial;
    }

    public Duration getStatusCheckBackoffMax() {
        return statusCheckBackoffMax;
    }

    public void setStatusCheckBackoffMax(Duration statusCheckBackoffMax) {
        this.statusCheckBackoffMax = statusCheckBackoffMax;
    }

    public Duration getExchangeDeadline() {
        return exchangeDeadline;
    }

    public void setExchangeDeadline(Duration exchangeDeadline) {
        this.exchangeDeadline = exchangeDeadline;
    }

    public String getIdempotencyKeyHeader() {
        return idempotencyKeyHeader;
    }

    public void setIdempotencyKeyHeader(String idempotencyKeyHeader) {
        this.idempotencyKeyHeader = idempotencyKeyHeader;
    }
}
