package dev.abortguard.idempotency.servlet;

import dev.abortguard.idempotency.ClaimResult;
import dev.abortguard.idempotency.CompleteResult;
import dev.abortguard.idempotency.IdempotencyKey;
import dev.abortguard.idempotency.IdempotencyStore;
import dev.abortguard.idempotency.IdempotencyStoreException;
import dev.abortguard.idempotency.RequestFingerprint;
import dev.abortguard.idempotency.StatusResult;
import dev.abortguard.idempotency.StoredResponse;
import dev.abortguard.idempotency.servlet.internal.Answers;
import dev.abortguard.idempotency.servlet.internal.BufferedRequest;
import dev.abortguard.idempotency.servlet.internal.BufferedResponse;
import dev.abortguard.idempotency.servlet.internal.KeyHeader;
import dev.abortguard.idempotency.servlet.internal.RoutePattern;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server half of abort-guard's idempotency protocol: Idempotency-Key claims on the routes you
 * name, stored responses replayed to repeats, and a status endpoint that a client's recovery asks
 * after a timeout.
 *
 * <p>For a request on one of its routes that carries the key header, the filter reads the body
 * (the fingerprint is method, path with query, and the body's SHA-256), then claims the key in the
 * {@link IdempotencyStore} with a lease, <em>before</em> the handler runs:
 * <ul>
 *   <li>claimed: the handler runs. Its body is held in memory until it returns, the response is
 *       stored, and only then sent. So a client that gave up can never cut the handler short, and
 *       its outcome is stored although nobody receives it: the status check that follows the
 *       client's timeout finds it;</li>
 *   <li>completed before: the stored response is replayed, byte for byte, with
 *       {@code Idempotent-Replayed: true};</li>
 *   <li>in progress: 409 with {@code Retry-After} (the lease's end);</li>
 *   <li>the key used before for another request (fingerprint): 422;</li>
 *   <li>no key on a route that requires one: 400; an invalid key (not 1-255 printable ASCII, a
 *       broken quoted string, two key headers): 400; a body over {@link
 *       Builder#maxRequestBodyBytes}: 413;</li>
 *   <li>the store is down or full: 503 with {@code Retry-After: 1}, and the handler does not run.</li>
 * </ul>
 *
 * <p>A handler that answers 5xx or throws is handled by the {@link ServerErrorRule}. A response
 * body longer than {@link Builder#maxResponseBodyBytes} streams to its client once it outgrows the
 * limit, and only its status and headers are stored (a replay has an empty body; a WARN says so).
 * A response the handler finished after its lease ended and another request took the key over is
 * delivered to its own client but not stored (fencing): the outcome that stands is the newer
 * one's. When storing the outcome fails (the store went down while the handler ran), the response
 * is still delivered and an ERROR says that the key stays in progress until its lease ends.
 *
 * <p>Async requests: the body goes to the client as the handler writes it, and a copy is stored
 * when the request completes. If a write to the client fails there, the copy is incomplete and
 * nothing is stored: the key stays in progress until its lease ends, and the status endpoint then
 * says {@code lease-expired}.
 *
 * <p>Register it for the {@code REQUEST} dispatch (other dispatches pass through untouched), after
 * abort-guard-server's {@code ClientAbortFilter} if you use both, so that a client abort while a
 * response is sent or replayed is logged as one. Immutable and thread-safe.
 *
 * <pre>{@code
 * IdempotencyFilter filter = IdempotencyFilter.builder(store)
 *         .route("POST", "/payments")
 *         .statusEndpoint("/idempotency/status")
 *         .build();
 * }</pre>
 */
public final class IdempotencyFilter implements Filter {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyFilter.class);

    /** The default lease: how long a claim holds its key while the handler runs. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

    /** The default limit of a request body read for the fingerprint: 1 MiB. */
    public static final int DEFAULT_MAX_REQUEST_BODY_BYTES = 1024 * 1024;

    /** The default limit of a response body held for storing: 1 MiB, the stores' own default. */
    public static final int DEFAULT_MAX_RESPONSE_BODY_BYTES = 1024 * 1024;

    private static final long OUTAGE_LOG_INTERVAL_MS = 10_000;

    private final IdempotencyStore store;
    private final List<RoutePattern> routes;
    private final String keyHeader;
    private final boolean keyRequired;
    private final Duration lease;
    private final int maxRequestBodyBytes;
    private final int maxResponseBodyBytes;
    private final ServerErrorRule serverErrorRule;
    private final String statusPath;
    private final Clock clock;
    private final AtomicLong nextOutageLog = new AtomicLong();

    private IdempotencyFilter(Builder b) {
        this.store = b.store;
        this.routes = List.copyOf(b.routes);
        this.keyHeader = b.keyHeader;
        this.keyRequired = b.keyRequired;
        this.lease = b.lease;
        this.maxRequestBodyBytes = b.maxRequestBodyBytes;
        this.maxResponseBodyBytes = b.maxResponseBodyBytes;
        this.serverErrorRule = b.serverErrorRule;
        this.statusPath = b.statusPath;
        this.clock = b.clock;
    }

    /**
     * A builder for a filter over {@code store}.
     *
     * @param store where claims and responses are kept; shared by every instance of a cluster
     * @return the builder
     */
    public static Builder builder(IdempotencyStore store) {
        return new Builder(store);
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)
                || request.getDispatcherType() != DispatcherType.REQUEST) {
            chain.doFilter(req, res);
            return;
        }
        String path = pathOf(request);
        if (path.equals(statusPath)) {
            answerStatus(request, response);
            return;
        }
        if (!onRoute(request.getMethod(), path)) {
            chain.doFilter(req, res);
            return;
        }
        List<String> values = Collections.list(headers(request));
        if (values.isEmpty() && !keyRequired) {
            chain.doFilter(req, res);
            return;
        }
        // read before any answer, even a 400: a container that finds a request body unread after the
        // response may close the connection under a client about to reuse it
        byte[] body = BufferedRequest.readBody(request, maxRequestBodyBytes);
        if (body == null) {
            response.setHeader("Connection", "close");
            Answers.problem(response, 413, "Request body too large",
                    "an idempotent request body may have at most " + maxRequestBodyBytes + " bytes");
            return;
        }
        if (values.isEmpty()) {
            Answers.problem(response, 400, "Idempotency key required", "this route needs an " + keyHeader + " header");
            return;
        }
        IdempotencyKey key = keyOf(values, response);
        if (key == null) {
            return;
        }
        String query = request.getQueryString();
        String target = query == null ? path : path + "?" + query;
        if (target.length() > RequestFingerprint.MAX_PATH_LENGTH || target.chars().anyMatch(Character::isISOControl)) {
            Answers.problem(response, 414, "Request target too long",
                    "an idempotent request's path and query may have at most " + RequestFingerprint.MAX_PATH_LENGTH + " characters");
            return;
        }
        RequestFingerprint fingerprint = RequestFingerprint.of(request.getMethod(), target, body);
        ClaimResult claim;
        try {
            claim = store.claim(key, fingerprint, lease);
        } catch (IdempotencyStoreException e) {
            storeDown("claim", key, e);
            response.setHeader("Retry-After", "1");
            Answers.problem(response, 503, "Idempotency store unavailable",
                    "the request was not processed; retry it with the same key");
            return;
        }
        // Java 17: no pattern switch; ClaimResult is sealed, and the last branch is its last permitted type
        if (claim instanceof ClaimResult.Claimed claimed) {
            run(new BufferedRequest(request, body), response, chain, key, fingerprint, claimed);
        } else if (claim instanceof ClaimResult.Completed completed) {
            Answers.replay(response, completed.response().status(), completed.response(), IdempotencyHeaders.REPLAYED, "true");
        } else if (claim instanceof ClaimResult.InProgress inProgress) {
            // marked like the status endpoint's 202: a client's recovery can tell "being processed" from any other 409
            response.setHeader(IdempotencyHeaders.STATUS, "in-progress");
            response.setHeader(IdempotencyHeaders.LEASE_UNTIL, inProgress.leaseUntil().toString());
            response.setHeader("Retry-After", Answers.retryAfter(clock.instant(), inProgress.leaseUntil()));
            Answers.problem(response, 409, "Request in progress",
                    "a request with this key is still being processed; retry it later with the same key");
        } else if (claim instanceof ClaimResult.FingerprintMismatch mismatch) {
            Answers.problem(response, 422, "Idempotency key reused",
                    "this key was first used for " + mismatch.stored().method() + " " + mismatch.stored().path()
                            + " with another body or target; use a new key for a new request");
        } else {
            ClaimResult.Full full = (ClaimResult.Full) claim;
            storeDown("claim (store full: " + full.limit() + ")", key, null);
            response.setHeader("Retry-After", "1");
            Answers.problem(response, 503, "Idempotency store full",
                    "the request was not processed; retry it with the same key");
        }
    }

    private void run(BufferedRequest request, HttpServletResponse response, FilterChain chain, IdempotencyKey key,
            RequestFingerprint fingerprint, ClaimResult.Claimed claimed) throws IOException, ServletException {
        request.setAttribute(IdempotencyClaim.ATTRIBUTE,
                new IdempotencyClaim(key, claimed.fencingToken(), claimed.leaseUntil(), claimed.tookOver()));
        Outcome outcome = new Outcome(key, fingerprint, claimed.fencingToken(), new BufferedResponse(response, maxResponseBodyBytes), response);
        Throwable failure = null;
        try {
            chain.doFilter(request, outcome.held);
        } catch (IOException | ServletException | RuntimeException | Error e) {
            failure = e;
        }
        if (failure == null && request.isAsyncStarted()) {
            request.getAsyncContext().addListener(outcome);
            try {
                outcome.held.startTee();
            } catch (IOException e) {
                // the client is gone; the held bytes were the handler's, so it sees this on its next write
                log.debug("Writing the held start of async response for key {} failed: {}", key, e.toString());
            }
            return;
        }
        outcome.finish(failure != null);
        if (failure == null) {
            outcome.deliver();
            return;
        }
        rethrow(failure);
    }

    private static void rethrow(Throwable failure) throws IOException, ServletException {
        if (failure instanceof IOException e) {
            throw e;
        }
        if (failure instanceof ServletException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        throw (Error) failure;
    }

    /** One claimed request's outcome: stored once, by the thread that saw the handler finish. */
    private final class Outcome implements AsyncListener {
        private final IdempotencyKey key;
        private final RequestFingerprint fingerprint;
        private final long token;
        private final BufferedResponse held;
        private final HttpServletResponse response;
        private volatile boolean asyncFailed;

        Outcome(IdempotencyKey key, RequestFingerprint fingerprint, long token, BufferedResponse held,
                HttpServletResponse response) {
            this.key = key;
            this.fingerprint = fingerprint;
            this.token = token;
            this.held = held;
            this.response = response;
        }

        void finish(boolean threw) {
            held.drainWriter();
            int status = threw ? 500 : response.getStatus();
            if (!held.complete() && !held.overflowed()) {
                log.warn("Idempotency key {}: the async response's delivery failed before it was complete, so it was "
                        + "not stored; the key stays in progress until its lease ends, then lease-expired", key);
                return;
            }
            if ((threw || status >= 500) && serverErrorRule == ServerErrorRule.RELEASE) {
                release();
                return;
            }
            StoredResponse stored;
            if (threw) {
                stored = new StoredResponse(500, List.of(), new byte[0], fingerprint);
            } else if (held.overflowed()) {
                stored = substitute(status, "its body outgrew maxResponseBodyBytes (" + maxResponseBodyBytes + " bytes)");
            } else {
                stored = response(status, held.errorSent() ? new byte[0] : held.body());
            }
            complete(stored, status);
        }

        private StoredResponse response(int status, byte[] body) {
            try {
                return new StoredResponse(status, Answers.storedHeaders(response), body, fingerprint);
            } catch (IllegalArgumentException unstorable) {
                // a header with CR/LF or a status out of range: the container will refuse it, too
                log.warn("Idempotency key {}: the response cannot be stored as it is ({}); stored a bare 500",
                        key, unstorable.getMessage());
                return new StoredResponse(500, List.of(), new byte[0], fingerprint);
            }
        }

        private StoredResponse substitute(int status, String why) {
            log.warn("Idempotency key {}: {}; stored its status and headers only, so a replay has an empty body", key, why);
            return response(status, new byte[0]);
        }

        private void complete(StoredResponse stored, int status) {
            try {
                CompleteResult result = store.complete(key, token, stored);
                if (result instanceof CompleteResult.TooLarge tooLarge) {
                    result = store.complete(key, token, substitute(status,
                            "its body (" + tooLarge.bodyBytes() + " bytes) is over the store's limit (" + tooLarge.maxBodyBytes() + ")"));
                }
                if (result instanceof CompleteResult.Fenced) {
                    log.warn("Idempotency key {}: the handler finished after its lease ended and another request took "
                            + "the key over; this response goes to its own client but is not stored", key);
                }
            } catch (IdempotencyStoreException e) {
                log.error("Idempotency key {}: storing the outcome failed, the response is still delivered; the key stays "
                        + "in progress until its lease ends, and a repeat after that runs the handler again", key, e);
            }
        }

        private void release() {
            try {
                store.release(key, token);
            } catch (IdempotencyStoreException e) {
                log.error("Idempotency key {}: releasing it after a server error failed; it stays in progress until its "
                        + "lease ends", key, e);
            }
        }

        void deliver() throws IOException {
            if (!held.holding() || held.errorSent()) {
                return;
            }
            held.deliverHeld();
        }

        @Override
        public void onComplete(AsyncEvent event) {
            held.drainWriter();
            finish(asyncFailed);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            asyncFailed = true;
        }

        @Override
        public void onError(AsyncEvent event) {
            asyncFailed = true;
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this);
        }
    }

    private void answerStatus(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Cache-Control", "no-store");
        if (!"GET".equals(request.getMethod())) {
            response.setHeader("Allow", "GET");
            Answers.problem(response, 405, "Method not allowed", "the status endpoint answers GET only");
            return;
        }
        List<String> values = Collections.list(headers(request));
        if (values.isEmpty()) {
            Answers.problem(response, 400, "Idempotency key required", "send the key in an " + keyHeader + " header");
            return;
        }
        IdempotencyKey key = keyOf(values, response);
        if (key == null) {
            return;
        }
        StatusResult status;
        try {
            status = store.status(key);
        } catch (IdempotencyStoreException e) {
            storeDown("status", key, e);
            response.setHeader("Retry-After", "1");
            Answers.problem(response, 503, "Idempotency store unavailable", "the status is not known right now");
            return;
        }
        if (status instanceof StatusResult.Completed completed) {
            Answers.replay(response, 200, completed.response(),
                    IdempotencyHeaders.STATUS, "completed",
                    IdempotencyHeaders.RESPONSE_STATUS, Integer.toString(completed.response().status()));
        } else if (status instanceof StatusResult.InProgress inProgress) {
            response.setHeader(IdempotencyHeaders.STATUS, "in-progress");
            response.setHeader(IdempotencyHeaders.LEASE_UNTIL, inProgress.leaseUntil().toString());
            response.setHeader("Retry-After", Answers.retryAfter(clock.instant(), inProgress.leaseUntil()));
            Answers.problem(response, 202, "In progress", "a request with this key is being processed");
        } else if (status instanceof StatusResult.LeaseExpired expired) {
            response.setHeader(IdempotencyHeaders.STATUS, "lease-expired");
            response.setHeader(IdempotencyHeaders.LEASE_UNTIL, expired.leaseUntil().toString());
            Answers.problem(response, 409, "Outcome unknown",
                    "a request with this key was claimed but its lease ended without an outcome; a repeat of the "
                            + "same request takes the key over and runs the handler again");
        } else {
            response.setHeader(IdempotencyHeaders.STATUS, "unknown");
            Answers.problem(response, 404, "Unknown key",
                    "no request with this key was claimed within the retention, or it was released");
        }
    }

    private IdempotencyKey keyOf(List<String> values, HttpServletResponse response) throws IOException {
        if (values.size() > 1) {
            Answers.problem(response, 400, "Invalid idempotency key", "more than one " + keyHeader + " header");
            return null;
        }
        KeyHeader.Parsed parsed = KeyHeader.parse(values.get(0));
        if (parsed instanceof KeyHeader.Valid valid) {
            return valid.key();
        }
        Answers.problem(response, 400, "Invalid idempotency key", ((KeyHeader.Invalid) parsed).problem());
        return null;
    }

    private Enumeration<String> headers(HttpServletRequest request) {
        Enumeration<String> values = request.getHeaders(keyHeader);
        return values == null ? Collections.emptyEnumeration() : values;
    }

    private boolean onRoute(String method, String path) {
        for (RoutePattern route : routes) {
            if (route.matches(method, path)) {
                return true;
            }
        }
        return false;
    }

    private static String pathOf(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        String path = context != null && !context.isEmpty() && uri.startsWith(context) ? uri.substring(context.length()) : uri;
        return path.isEmpty() ? "/" : path;
    }

    private void storeDown(String operation, IdempotencyKey key, IdempotencyStoreException e) {
        long now = System.currentTimeMillis();
        long next = nextOutageLog.get();
        // one WARN per 10 s: an outage at 1,000 requests a second must not become 1,000 lines a second
        if (now >= next && nextOutageLog.compareAndSet(next, now + OUTAGE_LOG_INTERVAL_MS)) {
            log.warn("Idempotency store failed on {} (key {}): answering 503; the next such failures within {} s are "
                    + "not logged", operation, key, OUTAGE_LOG_INTERVAL_MS / 1000, e);
        }
    }

    @Override
    public String toString() {
        return "IdempotencyFilter[routes=" + routes + ", keyHeader=" + keyHeader + ", lease=" + lease
                + ", statusEndpoint=" + statusPath + ", serverErrors=" + serverErrorRule + "]";
    }

    /**
     * Builds an {@link IdempotencyFilter}; every setting is checked at {@link #build()}, and a bad
     * one fails there naming it.
     */
    public static final class Builder {
        private final IdempotencyStore store;
        private final List<RoutePattern> routes = new ArrayList<>();
        private String keyHeader = IdempotencyHeaders.KEY;
        private boolean keyRequired = true;
        private Duration lease = DEFAULT_LEASE;
        private int maxRequestBodyBytes = DEFAULT_MAX_REQUEST_BODY_BYTES;
        private int maxResponseBodyBytes = DEFAULT_MAX_RESPONSE_BODY_BYTES;
        private ServerErrorRule serverErrorRule = ServerErrorRule.STORE;
        private String statusPath;
        private Clock clock = Clock.systemUTC();
        private final List<String> problems = new ArrayList<>();

        private Builder(IdempotencyStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /**
         * Adds a route: requests with this method whose path (within the context, without the query)
         * matches the pattern are idempotent. Patterns: literal segments, {@code *} for one segment,
         * {@code **} as the last segment for any number of them ({@code /orders/* /capture},
         * {@code /api/**}).
         *
         * @param method the HTTP method, e.g. {@code POST}
         * @param pathPattern the path pattern
         * @return this builder
         */
        public Builder route(String method, String pathPattern) {
            try {
                routes.add(RoutePattern.of(method, pathPattern));
            } catch (IllegalArgumentException | NullPointerException e) {
                problems.add("route: " + e.getMessage());
            }
            return this;
        }

        /**
         * The request header carrying the key; default {@value IdempotencyHeaders#KEY}.
         *
         * @param name a header name
         * @return this builder
         */
        public Builder keyHeader(String name) {
            this.keyHeader = name;
            return this;
        }

        /**
         * Whether a request on a route without the key header is refused with 400 (the default) or
         * passed through without idempotency.
         *
         * @param required true to refuse
         * @return this builder
         */
        public Builder keyRequired(boolean required) {
            this.keyRequired = required;
            return this;
        }

        /**
         * How long a claim holds its key while the handler runs; default 30 s. Choose it longer than
         * the handler's longest run: after it, a repeat takes the key over and runs the handler again,
         * and the overrun handler's outcome is no longer stored.
         *
         * @param lease at least 1 ms
         * @return this builder
         */
        public Builder lease(Duration lease) {
            this.lease = lease;
            return this;
        }

        /**
         * The largest request body read for the fingerprint; a longer one gets 413 and the handler
         * does not run. Default 1 MiB.
         *
         * @param bytes zero or more
         * @return this builder
         */
        public Builder maxRequestBodyBytes(int bytes) {
            this.maxRequestBodyBytes = bytes;
            return this;
        }

        /**
         * The largest response body held and stored; a longer one streams to its client and only its
         * status and headers are stored. Default 1 MiB. Keep it at or below the store's
         * {@code maxBodyBytes}.
         *
         * @param bytes zero or more
         * @return this builder
         */
        public Builder maxResponseBodyBytes(int bytes) {
            this.maxResponseBodyBytes = bytes;
            return this;
        }

        /**
         * What happens to the claim when the handler answers 5xx or throws; default {@link
         * ServerErrorRule#STORE}.
         *
         * @param rule the rule
         * @return this builder
         */
        public Builder serverErrors(ServerErrorRule rule) {
            this.serverErrorRule = rule;
            return this;
        }

        /**
         * Serves the status endpoint at {@code path} (within the context): {@code GET} with the key
         * header answers 200 with the stored response, 202 while in progress, 409 when a lease ended
         * without an outcome, 404 for a key never claimed; see {@link IdempotencyHeaders}. Off unless set.
         *
         * @param path the endpoint's path, starting with {@code /}
         * @return this builder
         */
        public Builder statusEndpoint(String path) {
            this.statusPath = path;
            return this;
        }

        /**
         * The clock for {@code Retry-After} values; default the UTC system clock. Use the store's.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * Builds the filter.
         *
         * @return the filter
         * @throws IllegalArgumentException naming every setting that is wrong
         */
        public IdempotencyFilter build() {
            List<String> all = new ArrayList<>(problems);
            if (keyHeader == null || keyHeader.isEmpty() || !keyHeader.chars().allMatch(Builder::tokenChar)) {
                all.add("keyHeader must be a header name (token characters): '" + keyHeader + "'");
            }
            if (lease == null || lease.isNegative() || lease.toMillis() < 1) {
                all.add("lease must be at least 1 ms: " + lease);
            }
            if (maxRequestBodyBytes < 0) {
                all.add("maxRequestBodyBytes must not be negative: " + maxRequestBodyBytes);
            }
            if (maxResponseBodyBytes < 0) {
                all.add("maxResponseBodyBytes must not be negative: " + maxResponseBodyBytes);
            }
            if (serverErrorRule == null) {
                all.add("serverErrors must not be null");
            }
            if (clock == null) {
                all.add("clock must not be null");
            }
            if (statusPath != null && (!statusPath.startsWith("/") || statusPath.chars().anyMatch(c -> c <= 0x20 || c == '?'))) {
                all.add("statusEndpoint must be a path starting with '/', without spaces or a query: '" + statusPath + "'");
            }
            if (routes.isEmpty() && statusPath == null && problems.isEmpty()) {
                all.add("no route and no statusEndpoint: the filter would do nothing");
            }
            if (!all.isEmpty()) {
                throw new IllegalArgumentException("invalid IdempotencyFilter settings: " + String.join("; ", all));
            }
            return new IdempotencyFilter(this);
        }

        private static boolean tokenChar(int c) {
            return c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
        }
    }
}
