package dev.abortguard.client;

import dev.abortguard.client.internal.Backoff;
import dev.abortguard.client.internal.ConnectionEvents;
import dev.abortguard.client.internal.CoveredRequestsRetryStrategy;
import dev.abortguard.client.internal.IdempotencyKeys;
import dev.abortguard.client.internal.PhaseObservingExecHandler;
import dev.abortguard.client.internal.PhaseRecordingRequestExecutor;
import dev.abortguard.client.internal.RecoveringHttpClient;
import dev.abortguard.client.internal.RandomKeys;
import dev.abortguard.client.internal.RecoverySettings;
import dev.abortguard.client.internal.SessionTracking;
import dev.abortguard.client.internal.TrackingConnectionFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.HttpRequest;

// Over 300 lines on purpose: this is the client's public entry point, and most of it is the
// builder's Javadoc (one documented setting per row of the README's configuration table, each
// validated in build()). Without comments it is about 250 lines; the logic lives in internal.
/**
 * What to do when a request fails and nobody knows whether the server acted on it.
 *
 * <p>A read timeout on a {@code POST /payments} leaves the caller with two bad options: retry and
 * maybe pay twice, or give up and maybe lose a payment that was recorded. This policy takes the
 * decision out of every call site. For each request it {@linkplain Builder#covers covers}, it
 *
 * <ul>
 *   <li>attaches an idempotency key, generated once per logical request (or taken from the
 *       request) and kept on every resend;
 *   <li>classifies every failure by what happened on the wire ({@link FailurePhase}): a request
 *       that was never sent is retried with backoff; a response with a status reaches the caller
 *       unchanged; an unknown outcome goes to recovery;
 *   <li>recovers as the {@link RecoveryMode} says: ask the server ({@link StatusCheck}), resend
 *       under the same key only when that is provably safe, cancel ({@link CancelAction});
 *   <li>always ends in a response for the caller or a {@link TimeoutRecoveryException}, and hands
 *       every outcome that stays unknown to the {@link UnresolvedOutcomeHandler}.
 * </ul>
 *
 * <p>Usage:
 *
 * <pre>{@code
 * TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
 *     .mode(RecoveryMode.STATUS_CHECK_THEN_CANCEL)
 *     .statusCheck(ctx -> ledger.status(ctx.idempotencyKey()))
 *     .cancelAction(ctx -> ledger.cancel(ctx.idempotencyKey()))
 *     .exchangeDeadline(Duration.ofSeconds(5))
 *     .build();
 * CloseableHttpClient client = policy.wrap(policy.instrument(HttpClients.custom()).build());
 * }</pre>
 *
 * <p>{@link #wrap} works on any {@code CloseableHttpClient}, so {@code RestTemplate} and {@code
 * RestClient} over {@code HttpComponentsClientHttpRequestFactory} get recovery without code
 * changes. Building the client through {@link #instrument} as well lets the policy see whether the
 * request head was actually written; without it, the policy falls back to exception classes and
 * treats anything not provably unsent as {@link FailurePhase#OUTCOME_UNKNOWN} (see {@link
 * FailurePhase}).
 *
 * <p>The policy is immutable and thread-safe; one instance can wrap any number of clients. Each
 * wrapped client owns a deadline timer (only with an {@linkplain Builder#exchangeDeadline exchange
 * deadline}) and a small callback pool. Their threads are daemons, are started on demand, end when
 * idle, and do not inherit the creating thread's context class loader; {@code close()} releases
 * them at once.
 */
public final class TimeoutRecoveryPolicy {

    /** Methods that RFC 9110 defines as idempotent; everything else is covered by default. */
    private static final Set<String> IDEMPOTENT_METHODS =
            Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    private final RecoverySettings settings;
    private final List<ConnectionListener> connectionListeners;
    private final String description;

    private TimeoutRecoveryPolicy(Builder b) {
        String header = b.idempotencyKeyHeader;
        Predicate<HttpRequest> covers = b.covers != null ? b.covers : request -> coveredByDefault(request, header);
        this.settings = new RecoverySettings(
                b.mode,
                b.statusCheck,
                b.cancelAction,
                covers,
                new IdempotencyKeys(header, b.quoteIdempotencyKey, b.keyGenerator),
                b.maxAttempts,
                new Backoff(b.retryBackoffInitial, b.retryBackoffMax, b.jitter),
                new Backoff(b.statusCheckBackoffInitial, b.statusCheckBackoffMax, b.jitter),
                b.recoveryTimeout,
                b.callbackTimeout,
                b.maxRetryAfter,
                b.exchangeDeadline,
                b.bufferResponseBody,
                b.unresolvedOutcomeHandler,
                b.listeners,
                b.notAppliedAnswers,
                b.noRetryBudget
                        ? null
                        : new RecoverySettings.Budget(b.retryBudgetRatio, b.retryBudgetMinPerSecond, b.retryBudgetWindow),
                b.maxInFlightPerRoute,
                b.inFlightQueueTimeout,
                b.notAppliedHorizon);
        this.connectionListeners = List.copyOf(b.connectionListeners);
        RecoverySettings s = settings;
        this.description =
                "TimeoutRecoveryPolicy{mode=" + s.mode() + ", header=" + header + ", maxAttempts=" + s.maxAttempts()
                        + ", recoveryTimeout=" + s.recoveryTimeout() + ", callbackTimeout=" + s.callbackTimeout()
                        + ", exchangeDeadline=" + s.exchangeDeadline() + ", retryBackoff=" + s.retryBackoff()
                        + ", statusCheckBackoff=" + s.statusCheckBackoff() + ", notAppliedHorizon=" + s.notAppliedHorizon()
                        + ", maxRetryAfter=" + s.maxRetryAfter()
                        + ", bufferResponseBody=" + s.bufferResponseBody() + ", retryBudget="
                        + (s.retryBudget() == null ? "none" : s.retryBudget().ratio() + " + "
                                + s.retryBudget().minPerSecond() + "/s per " + s.retryBudget().window())
                        + ", maxInFlightPerRoute=" + (s.maxInFlightPerRoute() == 0 ? "none" : s.maxInFlightPerRoute()
                                + " (queue " + s.inFlightQueueTimeout() + ")")
                        + ", notAppliedAnswers=" + s.notAppliedAnswers() + "}";
    }

    /** The settings the internals run on. */
    RecoverySettings settings() {
        return settings;
    }

    /**
     * Starts a builder with the defaults listed on each setting.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Wraps a client so that every request it executes goes through this policy: {@code execute}
     * with or without a response handler, and therefore {@code RestTemplate} / {@code RestClient}
     * over {@code HttpComponentsClientHttpRequestFactory}. Requests the policy does not cover pass
     * through untouched.
     *
     * <p>The returned client owns {@code client}: closing it closes {@code client} and the policy's
     * threads for it.
     *
     * @param client the client to wrap; build it with {@link #instrument} for wire-exact phases
     * @return the recovering client
     */
    public CloseableHttpClient wrap(CloseableHttpClient client) {
        Objects.requireNonNull(client, "client");
        return new RecoveringHttpClient(client, settings, description);
    }

    /**
     * The one-call form: {@link #instrument(HttpClientBuilder) instruments} {@code builder}, builds
     * it and {@link #wrap(CloseableHttpClient) wraps} the client, so the instrumentation cannot be
     * forgotten. Configure the builder (connection manager, request config) before.
     *
     * @param builder the client builder
     * @return the wrapped client
     */
    public CloseableHttpClient wrap(HttpClientBuilder builder) {
        Objects.requireNonNull(builder, "builder");
        return wrap(instrument(builder).build());
    }

    /**
     * Wraps an async client with the same semantics: covered requests carry a key, failures are
     * classified, unknown outcomes are recovered, unresolved ones are reported. The first attempt
     * stays fully asynchronous; recovery, which is rare and waits on the server, runs on a small
     * policy-owned pool.
     *
     * <p>The async client gives no wire evidence, so its failures are classified by exception
     * class, conservatively (see {@link FailurePhase}). The client must be started by the caller;
     * closing the returned adapter closes it.
     *
     * @param client the async client to wrap
     * @return the adapter through which to send requests
     */
    public AsyncTimeoutRecovery wrapAsync(CloseableHttpAsyncClient client) {
        Objects.requireNonNull(client, "client");
        return new AsyncTimeoutRecovery(client, settings);
    }

    /**
     * Installs wire-phase tracking into a client builder: a request executor that records whether
     * the request head was handed to the connection, and two exec interceptors that record whether
     * the exchange entered the chain and got a connected endpoint. With it, a read timeout after
     * the head was written is {@link FailurePhase#OUTCOME_UNKNOWN} and a failure before it is
     * {@link FailurePhase#NEVER_SENT}, exactly, whatever the exception class.
     *
     * <p>It also sets a retry strategy: HttpClient's default for the requests the policy does not
     * cover, none for those it does. HttpClient's default resends any request, a POST included, on
     * a 503 or 429 with no proof it was not processed, no budget and no in-flight limit; a covered
     * request is retried by the policy's rules alone. A retry strategy set after this call, or
     * {@code disableAutomaticRetries()}, replaces that (the latter harmlessly).
     *
     * <p>This replaces any request executor set on the builder before (HttpClient allows one). A
     * request executor set <em>after</em> this call replaces the policy's: the policy then has no
     * evidence of the head write for failures on an established connection and falls back to
     * exception classes, conservatively ({@link FailurePhase#OUTCOME_UNKNOWN} unless provably
     * unsent), never to a blind retry. Tracking only records; requests of a client that is not also
     * {@linkplain #wrap wrapped} are unaffected.
     *
     * @param builder the builder to customize
     * @return the same builder, for chaining
     */
    public HttpClientBuilder instrument(HttpClientBuilder builder) {
        Objects.requireNonNull(builder, "builder");
        builder.setRequestExecutor(new PhaseRecordingRequestExecutor());
        builder.setRetryStrategy(new CoveredRequestsRetryStrategy());
        builder.addExecInterceptorFirst(PhaseObservingExecHandler.NAME, PhaseObservingExecHandler.entry());
        builder.addExecInterceptorAfter(ChainElement.CONNECT.name(), PhaseObservingExecHandler.CONNECTED_NAME,
                PhaseObservingExecHandler.afterConnect());
        return builder;
    }

    /**
     * Installs connection tracking into a pool builder: every connection the pool makes is
     * HttpClient's own ({@code ManagedHttpClientConnectionFactory}), wrapped so that its open and
     * its close reach the {@linkplain Builder#addConnectionListener connection listeners} with the
     * route, why it was closed ({@link ConnectionCloseReason}: response timeout, error, abandoned,
     * not reusable, evicted, the server's {@code Connection: close}, closed by the server) and
     * whether the client's close was a reset. That is how churn shows: connections opened per
     * request, and which closes leave {@code TIME_WAIT} where.
     *
     * <pre>{@code
     * PoolingHttpClientConnectionManager pool =
     *         policy.instrument(PoolingHttpClientConnectionManagerBuilder.create()).build();
     * CloseableHttpClient client =
     *         policy.wrap(policy.instrument(HttpClients.custom().setConnectionManager(pool)).build());
     * }</pre>
     *
     * <p>It also turns on HttpCore's response-out-of-order detection, so that a server that refuses
     * while the request body is still being sent is read at once and proves the request was not
     * processed ({@link NotAppliedAnswer#earlyRefusal()}), with or without connection listeners.
     *
     * <p>This sets the builder's connection factory, replacing one set before; one set after this
     * call replaces the tracking. Tracking costs one small object per connection and one entity
     * wrapper per response with a body; nothing is logged. Classic (blocking) pools only:
     * HttpClient 5's async pool has no connection factory to wrap.
     *
     * @param builder the pool builder to customize
     * @return the same builder, for chaining
     */
    public PoolingHttpClientConnectionManagerBuilder instrument(PoolingHttpClientConnectionManagerBuilder builder) {
        Objects.requireNonNull(builder, "builder");
        builder.setConnectionFactory(connectionListeners.isEmpty()
                ? TrackingConnectionFactory.MONITORING
                : new TrackingConnectionFactory(new ConnectionEvents(connectionListeners)));
        return builder;
    }

    /**
     * Prepares an async client builder for {@link #wrapAsync}: a retry strategy that keeps
     * HttpClient's default for the requests the policy does not cover and none for those it covers
     * (HttpClient's default resends any request, a POST included, on a 503 or 429 with no proof it
     * was not processed), and, with {@linkplain Builder#addConnectionListener connection
     * listeners}, an I/O session listener that reports each connection's open and close. The async
     * reactor says less than a classic connection: a close is {@link
     * ConnectionCloseReason#RESPONSE_TIMEOUT} after a timeout, {@link ConnectionCloseReason#ERROR}
     * after an exception, else {@link ConnectionCloseReason#EVICTED}, and never a reset.
     *
     * <p>This sets the builder's retry strategy and I/O session listener, replacing ones set before.
     *
     * @param builder the builder to customize
     * @return the same builder, for chaining
     */
    public HttpAsyncClientBuilder instrument(HttpAsyncClientBuilder builder) {
        Objects.requireNonNull(builder, "builder");
        builder.setRetryStrategy(new CoveredRequestsRetryStrategy());
        if (!connectionListeners.isEmpty()) {
            builder.setIOSessionListener(new SessionTracking(new ConnectionEvents(connectionListeners)));
        }
        return builder;
    }

    boolean covers(HttpRequest request) {
        return settings.covers(request);
    }

    /**
     * The default coverage: requests with a non-idempotent method (POST, PATCH, unknown methods),
     * and any request that already carries an idempotency key, whatever its method.
     */
    static boolean coveredByDefault(HttpRequest request, String keyHeader) {
        String method = request.getMethod() == null ? "" : request.getMethod().toUpperCase(Locale.ROOT);
        return !IDEMPOTENT_METHODS.contains(method) || request.containsHeader(keyHeader);
    }

    @Override
    public String toString() {
        return description;
    }

    /**
     * Builds a {@link TimeoutRecoveryPolicy}. Every setting is validated at {@link #build()}, which
     * throws an {@link IllegalArgumentException} that names the offending setting, so a bad
     * configuration fails at startup rather than in the middle of an incident.
     */
    public static final class Builder {

        private RecoveryMode mode = RecoveryMode.REPORT_ONLY;
        private StatusCheck statusCheck;
        private CancelAction cancelAction;
        private Predicate<HttpRequest> covers;
        private String idempotencyKeyHeader = "Idempotency-Key";
        private boolean quoteIdempotencyKey;
        private Supplier<String> keyGenerator = new RandomKeys();
        private int maxAttempts = 3;
        private Duration retryBackoffInitial = Duration.ofMillis(50);
        private Duration retryBackoffMax = Duration.ofSeconds(1);
        private Duration notAppliedHorizon = Duration.ZERO;
        private Duration statusCheckBackoffInitial = Duration.ofMillis(100);
        private Duration statusCheckBackoffMax = Duration.ofSeconds(2);
        private double jitter = 0.2;
        private Duration recoveryTimeout = Duration.ofSeconds(10);
        private Duration callbackTimeout = Duration.ofSeconds(5);
        private Duration maxRetryAfter = Duration.ofSeconds(5);
        private Duration exchangeDeadline;
        private boolean bufferResponseBody = true;
        private UnresolvedOutcomeHandler unresolvedOutcomeHandler = UnresolvedOutcomeHandler.logWarning();
        private final List<RecoveryListener> listeners = new ArrayList<>();
        private boolean nullListenerAdded;
        private final List<ConnectionListener> connectionListeners = new ArrayList<>();
        private boolean nullConnectionListenerAdded;
        private List<NotAppliedAnswer> notAppliedAnswers = NotAppliedAnswer.defaults();
        private double retryBudgetRatio = 0.2;
        private int retryBudgetMinPerSecond = 10;
        private Duration retryBudgetWindow = Duration.ofSeconds(10);
        private int maxInFlightPerRoute;
        private boolean maxInFlightSet;
        private Duration inFlightQueueTimeout = Duration.ofSeconds(1);
        private boolean noRetryBudget;

        private Builder() {}

        /**
         * What to do when an outcome is unknown. Default {@link RecoveryMode#REPORT_ONLY}.
         *
         * @param mode the recovery mode
         * @return this builder
         */
        public Builder mode(RecoveryMode mode) {
            this.mode = mode;
            return this;
        }

        /**
         * How to ask the server about a request whose outcome is unknown. Required by {@link
         * RecoveryMode#STATUS_CHECK} and {@link RecoveryMode#STATUS_CHECK_THEN_CANCEL}. No default.
         *
         * @param statusCheck the status check
         * @return this builder
         */
        public Builder statusCheck(StatusCheck statusCheck) {
            this.statusCheck = statusCheck;
            return this;
        }

        /**
         * How to cancel or compensate a request whose outcome stayed unknown. Required by {@link
         * RecoveryMode#CANCEL} and {@link RecoveryMode#STATUS_CHECK_THEN_CANCEL}. No default.
         *
         * @param cancelAction the cancel action
         * @return this builder
         */
        public Builder cancelAction(CancelAction cancelAction) {
            this.cancelAction = cancelAction;
            return this;
        }

        /**
         * Which requests the policy handles; the others pass through the wrapped client untouched
         * (no key, no retry, no deadline). Default: requests whose method is not idempotent (not GET,
         * HEAD, OPTIONS, TRACE, PUT, DELETE), plus any request that already carries the idempotency
         * key header. Compose method, path and header conditions as one predicate, e.g. {@code r ->
         * r.getPath().startsWith("/payments")}.
         *
         * @param covers the predicate; it must be fast and must not throw
         * @return this builder
         */
        public Builder covers(Predicate<HttpRequest> covers) {
            this.covers = covers;
            return this;
        }

        /**
         * The header that carries the idempotency key. Default {@code Idempotency-Key}.
         *
         * @param name the header name
         * @return this builder
         */
        public Builder idempotencyKeyHeader(String name) {
            this.idempotencyKeyHeader = name;
            return this;
        }

        /**
         * Whether to write the key as an RFC 8941 quoted string ({@code "abc"}), as the IETF {@code
         * Idempotency-Key} draft specifies. Default {@code false}: the bare token, which most payment
         * APIs expect. Keys the caller set are read quoted or not.
         *
         * @param quote whether to quote
         * @return this builder
         */
        public Builder quoteIdempotencyKey(boolean quote) {
            this.quoteIdempotencyKey = quote;
            return this;
        }

        /**
         * Where new keys come from; called once per logical request that does not carry a key.
         * Default: a random (version 4) UUID, its 122 random bits from the JVM's default {@code
         * SecureRandom} as with {@code UUID.randomUUID()}, drawn 4 KiB at a time instead of 16 bytes
         * per key (the per-key draw is a synchronized read of {@code /dev/urandom} on Linux). The key
         * must be printable ASCII without spaces.
         *
         * @param generator the key generator
         * @return this builder
         */
        public Builder idempotencyKeyGenerator(Supplier<String> generator) {
            this.keyGenerator = generator;
            return this;
        }

        /**
         * How many times one logical request may be sent in total: the first attempt plus never-sent
         * retries, {@code Retry-After} retries and resends after NOT_APPLIED or in {@link
         * RecoveryMode#RESEND_WITH_KEY}. Default 3; at least 1.
         *
         * @param maxAttempts the attempt budget
         * @return this builder
         */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * Backoff between retries of {@link FailurePhase#NEVER_SENT} failures: {@code initial},
         * doubling up to {@code max}, with jitter. Default 50 ms to 1 s. It is also the floor of every
         * {@code Retry-After} wait (see {@link #maxRetryAfter}).
         *
         * @param initial the first delay; positive
         * @param max the largest delay; at least {@code initial}
         * @return this builder
         */
        public Builder retryBackoff(Duration initial, Duration max) {
            this.retryBackoffInitial = initial;
            this.retryBackoffMax = max;
            return this;
        }

        /**
         * How long after the latest send of a key a status check's {@link StatusDecision#notApplied()}
         * is not believed yet, and counts as {@link StatusDecision#pending()}: checked again after the
         * status-check backoff, and resent only once the horizon has passed, within the recovery
         * timeout. Default zero: a NOT_APPLIED is believed at once.
         *
         * <p>Why: a status API that cannot see a request still queued in front of its handler (a load
         * balancer, an overloaded accept queue) answers "not found" for a request that will be
         * processed; a resend at once then runs it twice. Set the horizon longer than the longest a
         * request can wait there unseen. A server with Idempotency-Key claims (abort-guard-idempotency)
         * makes it moot: the resend and the original carry the same key, and only one runs.
         *
         * @param horizon zero or positive, shorter than the recovery timeout
         * @return this builder
         */
        public Builder notAppliedHorizon(Duration horizon) {
            this.notAppliedHorizon = horizon;
            return this;
        }

        /**
         * Backoff between status checks that answered PENDING or UNKNOWN. Default 100 ms to 2 s.
         *
         * @param initial the first delay; positive
         * @param max the largest delay; at least {@code initial}
         * @return this builder
         */
        public Builder statusCheckBackoff(Duration initial, Duration max) {
            this.statusCheckBackoffInitial = initial;
            this.statusCheckBackoffMax = max;
            return this;
        }

        /**
         * How much every backoff delay is spread, as a fraction: 0.2 means ±20 %. Spreading keeps
         * callers that failed together from retrying together. Default 0.2; between 0 and 1.
         *
         * @param jitter the jitter fraction
         * @return this builder
         */
        public Builder jitter(double jitter) {
            this.jitter = jitter;
            return this;
        }

        /**
         * How long status checks may go on, measured from the first unknown outcome of a logical
         * request. When it passes with the status still PENDING or UNKNOWN, {@link
         * RecoveryMode#STATUS_CHECK_THEN_CANCEL} cancels and {@link RecoveryMode#STATUS_CHECK}
         * reports the outcome unresolved. Default 10 s; positive.
         *
         * @param timeout the recovery timeout
         * @return this builder
         */
        public Builder recoveryTimeout(Duration timeout) {
            this.recoveryTimeout = timeout;
            return this;
        }

        /**
         * The most one status check or cancel action may take; a callback still running then is
         * interrupted and counts as UNKNOWN (check) or FAILED (cancel). Status checks are also cut
         * short by the recovery timeout. Default 5 s; positive.
         *
         * @param timeout the callback timeout
         * @return this builder
         */
        public Builder callbackTimeout(Duration timeout) {
            this.callbackTimeout = timeout;
            return this;
        }

        /**
         * The longest {@code Retry-After} the policy waits for on a 429 or 503 before retrying; an
         * answer asking for longer reaches the caller as it is. Requests with a non-repeatable entity
         * (e.g. an {@code InputStreamEntity}) are never retried on {@code Retry-After}: the first
         * attempt consumed the stream, and a retry would send a different (empty or truncated)
         * payload under the same idempotency key; their 429/503 reaches the caller as it is.
         * Default 5 s; {@link Duration#ZERO} disables {@code Retry-After} retries.
         *
         * <p>The wait is never shorter than the {@linkplain #retryBackoff retry backoff} of that retry
         * (its unjittered delay, doubling per retry of the logical request), so that {@code
         * Retry-After: 0} or a date in the past cannot turn into a retry loop with no pause; and it is
         * spread upwards by the {@linkplain #jitter jitter} (never sooner than the server asked), so
         * that callers told the same time do not come back together. The wait may therefore exceed
         * the cap by the floor and the jitter; the cap only judges what the server asked for.
         *
         * <p>An honoured {@code Retry-After} also sets its route's "not before" time, shared by every
         * caller of that route through the same wrapped client: retries and resends wait for it, and
         * so does a first attempt, within the {@linkplain #maxInFlightPerRoute in-flight queue time}
         * (never past the {@linkplain #exchangeDeadline exchange deadline}); a first attempt that
         * would have to wait longer is not sent and fails at once with a {@link
         * RetryAfterPendingException} ({@link FailurePhase#NEVER_SENT}).
         *
         * @param cap the cap; zero or positive
         * @return this builder
         */
        public Builder maxRetryAfter(Duration cap) {
            this.maxRetryAfter = cap;
            return this;
        }

        /**
         * A deadline for each whole exchange (request, response head and, when the policy reads it,
         * the body), which HttpClient lacks: its {@code responseTimeout} bounds each wait between
         * packets, so a server that drips a byte at a time never trips it. When the deadline passes
         * the policy cancels the exchange; after the request head was written that is {@link
         * FailurePhase#OUTCOME_UNKNOWN} and goes through recovery. Default: none.
         *
         * @param deadline the deadline; positive
         * @return this builder
         */
        public Builder exchangeDeadline(Duration deadline) {
            this.exchangeDeadline = deadline;
            return this;
        }

        /**
         * Whether the policy reads the response body of a covered request into memory before
         * returning it from {@code execute} without a response handler (the path {@code RestClient}
         * and {@code RestTemplate} use). Buffering moves a mid-body stall inside the policy's reach,
         * where it is recovered as {@link FailurePhase#RESPONSE_BODY_LOST}; without it, the stall
         * happens later in the caller's code and the policy cannot see it. Covered requests are
         * usually small writes; turn this off for covered requests with large streamed responses.
         * Calls with a response handler are recovered either way. Default {@code true}.
         *
         * @param buffer whether to buffer
         * @return this builder
         */
        public Builder bufferResponseBody(boolean buffer) {
            this.bufferResponseBody = buffer;
            return this;
        }

        /**
         * Where outcomes that stay unknown go. Default {@link UnresolvedOutcomeHandler#logWarning()}.
         *
         * @param handler the handler
         * @return this builder
         */
        public Builder unresolvedOutcomeHandler(UnresolvedOutcomeHandler handler) {
            this.unresolvedOutcomeHandler = handler;
            return this;
        }

        /**
         * Adds a listener for every step (see {@link RecoveryCounters}, and {@code
         * dev.abortguard.micrometer.MicrometerRecoveryMetrics} in abort-guard-micrometer). Default: none.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder addListener(RecoveryListener listener) {
            if (listener == null) {
                nullListenerAdded = true; // reported by build(), like every other invalid setting
            } else {
                this.listeners.add(listener);
            }
            return this;
        }

        /**
         * Adds a listener for the connections of pools built through {@link
         * TimeoutRecoveryPolicy#instrument(PoolingHttpClientConnectionManagerBuilder)}: opened,
         * closed, why and how (see {@link ConnectionCounters}, and {@code
         * dev.abortguard.micrometer.MicrometerConnectionMetrics} in abort-guard-micrometer).
         * Default: none, and then {@code instrument} leaves the pool builder as it is.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder addConnectionListener(ConnectionListener listener) {
            if (listener == null) {
                nullConnectionListenerAdded = true;
            } else {
                this.connectionListeners.add(listener);
            }
            return this;
        }

        /**
         * The replies that prove a request was not processed, so that it is sent again (any method,
         * under the same key, with a repeatable entity, after the retry backoff, within {@link
         * #maxAttempts} and the {@linkplain #retryBudget retry budget}) instead of reaching the
         * caller. A plain 503 without such a proof stays a received response. Default {@link
         * NotAppliedAnswer#defaults()} (fasthttp's concurrency-limit 503, Finagle's nack, an early
         * refusal, an HTTP/2 {@code REFUSED_STREAM}); an empty
         * list turns them off.
         *
         * @param answers the proofs, none {@code null}
         * @return this builder
         */
        public Builder notAppliedAnswers(List<NotAppliedAnswer> answers) {
            this.notAppliedAnswers = answers == null ? null : new ArrayList<>(answers);
            return this;
        }

        /**
         * One retry budget per route ({@code scheme://host:port}) of the wrapped client: within any
         * {@code window}, the recovery steps — never-sent retries, {@code Retry-After} and
         * not-applied retries, resends, status checks, cancels — of all requests to the route
         * together may number at most {@code ratio} × the requests sent to it plus {@code
         * minPerSecond} × the window's seconds. With the budget spent, recovery stops with what is
         * known: a never-sent failure reaches the caller as it is, an unknown outcome ends {@link
         * RecoveryOutcome#UNRESOLVED} at the {@link UnresolvedOutcomeHandler} (never silently), so
         * that recovery never multiplies the load on an upstream that is already failing.
         *
         * <p>Default 0.2, 10 per second, 10 s: Finagle's {@code RetryBudget} defaults. 20 % bounds
         * the extra load at 1.2 times the offered load however everything fails; the floor lets a
         * quiet route (a few requests a minute) still recover every failure, which a ratio alone
         * would refuse.
         *
         * @param ratio recovery steps earned per request sent, between 0 and 1
         * @param minPerSecond recovery steps always allowed per second; zero or positive
         * @param window the sliding window; positive
         * @return this builder
         */
        public Builder retryBudget(double ratio, int minPerSecond, Duration window) {
            this.retryBudgetRatio = ratio;
            this.retryBudgetMinPerSecond = minPerSecond;
            this.retryBudgetWindow = window;
            this.noRetryBudget = false;
            return this;
        }

        /**
         * No retry budget: only {@link #maxAttempts} and the {@link #recoveryTimeout} bound
         * recovery. Not recommended against an upstream that can be overloaded.
         *
         * @return this builder
         */
        public Builder noRetryBudget() {
            this.noRetryBudget = true;
            return this;
        }

        /**
         * At most {@code limit} attempts in flight per route ({@code scheme://host:port}) of the
         * wrapped client. An attempt over the limit waits for a permit at most {@code queueTimeout}
         * (and never longer than the {@link #exchangeDeadline}); then it fails without being sent,
         * with an {@link InFlightLimitExceededException} ({@link FailurePhase#NEVER_SENT}). An
         * attempt is in flight from when it is sent until its response head (and, when the policy
         * reads it, the body) has arrived or it failed. The async adapter takes a free permit
         * without blocking the caller; a request that must wait does so on a recovery thread.
         * Default: no limit (HttpClient's own pool limit per route still applies), queue time 1 s.
         * The queue time also bounds a first attempt's wait for its route's {@code Retry-After}
         * (see {@link #maxRetryAfter}), limit or not; the two waits share it.
         *
         * @param limit attempts in flight per route; at least 1
         * @param queueTimeout the longest wait for a permit; zero or positive
         * @return this builder
         */
        public Builder maxInFlightPerRoute(int limit, Duration queueTimeout) {
            this.maxInFlightPerRoute = limit;
            this.inFlightQueueTimeout = queueTimeout;
            this.maxInFlightSet = true;
            return this;
        }

        /**
         * Validates the settings and builds the policy.
         *
         * @return the immutable policy
         * @throws IllegalArgumentException naming the first invalid setting
         */
        public TimeoutRecoveryPolicy build() {
            require(mode != null, "mode must not be null");
            require(!nullListenerAdded, "addListener: listener must not be null");
            require(!nullConnectionListenerAdded, "addConnectionListener: listener must not be null");
            require(idempotencyKeyHeader != null && isToken(idempotencyKeyHeader),
                    "idempotencyKeyHeader must be a non-empty HTTP token, was: " + idempotencyKeyHeader);
            require(keyGenerator != null, "idempotencyKeyGenerator must not be null");
            require(unresolvedOutcomeHandler != null, "unresolvedOutcomeHandler must not be null");
            require(maxAttempts >= 1, "maxAttempts must be at least 1, was: " + maxAttempts);
            positive("retryBackoff initial", retryBackoffInitial);
            positive("retryBackoff max", retryBackoffMax);
            require(retryBackoffMax.compareTo(retryBackoffInitial) >= 0,
                    "retryBackoff max must be at least initial");
            positive("statusCheckBackoff initial", statusCheckBackoffInitial);
            positive("statusCheckBackoff max", statusCheckBackoffMax);
            require(statusCheckBackoffMax.compareTo(statusCheckBackoffInitial) >= 0,
                    "statusCheckBackoff max must be at least initial");
            require(jitter >= 0 && jitter <= 1, "jitter must be between 0 and 1, was: " + jitter);
            positive("recoveryTimeout", recoveryTimeout);
            positive("callbackTimeout", callbackTimeout);
            require(notAppliedHorizon != null && !notAppliedHorizon.isNegative(),
                    "notAppliedHorizon must be zero or positive, was: " + notAppliedHorizon);
            require(notAppliedHorizon.compareTo(recoveryTimeout) < 0,
                    "notAppliedHorizon (" + notAppliedHorizon + ") must be shorter than recoveryTimeout ("
                            + recoveryTimeout + "), or no NOT_APPLIED would ever be resent");
            require(maxRetryAfter != null && !maxRetryAfter.isNegative(),
                    "maxRetryAfter must be zero or positive, was: " + maxRetryAfter);
            if (exchangeDeadline != null) {
                positive("exchangeDeadline", exchangeDeadline);
            }
            require(notAppliedAnswers != null && notAppliedAnswers.stream().noneMatch(Objects::isNull),
                    "notAppliedAnswers must not be null nor contain null");
            if (!noRetryBudget) {
                require(retryBudgetRatio >= 0 && retryBudgetRatio <= 1,
                        "retryBudget ratio must be between 0 and 1, was: " + retryBudgetRatio);
                require(retryBudgetMinPerSecond >= 0,
                        "retryBudget minPerSecond must be zero or positive, was: " + retryBudgetMinPerSecond);
                positive("retryBudget window", retryBudgetWindow);
            }
            if (maxInFlightSet) {
                require(maxInFlightPerRoute >= 1,
                        "maxInFlightPerRoute limit must be at least 1, was: " + maxInFlightPerRoute);
                require(inFlightQueueTimeout != null && !inFlightQueueTimeout.isNegative(),
                        "maxInFlightPerRoute queueTimeout must be zero or positive, was: " + inFlightQueueTimeout);
            }
            boolean needsCheck =
                    mode == RecoveryMode.STATUS_CHECK || mode == RecoveryMode.STATUS_CHECK_THEN_CANCEL;
            boolean needsCancel =
                    mode == RecoveryMode.CANCEL || mode == RecoveryMode.STATUS_CHECK_THEN_CANCEL;
            require(!needsCheck || statusCheck != null, "mode " + mode + " requires a statusCheck");
            require(!needsCancel || cancelAction != null, "mode " + mode + " requires a cancelAction");
            return new TimeoutRecoveryPolicy(this);
        }

        private static void positive(String name, Duration value) {
            require(value != null && !value.isNegative() && !value.isZero(),
                    name + " must be positive, was: " + value);
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }

        private static boolean isToken(String name) {
            if (name.isEmpty()) {
                return false;
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
                if (!ok) {
                    return false;
                }
            }
            return true;
        }
    }
}
