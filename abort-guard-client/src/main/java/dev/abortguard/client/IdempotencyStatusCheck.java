package dev.abortguard.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.apache.hc.client5.http.classic.HttpClient;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;

/**
 * The ready-made {@link StatusCheck} for a server that runs abort-guard-idempotency's {@code
 * IdempotencyFilter} with its status endpoint: a service with abort-guard on both ends writes no
 * status-check code.
 *
 * <p>It asks {@code GET statusEndpoint} with the request's key in the key header and maps the
 * endpoint's answer, which carries an {@code Idempotency-Status} header, to a decision:
 * <ul>
 *   <li>200 {@code completed}: {@link StatusDecision#completed(ClassicHttpResponse)} with the stored
 *       response rebuilt (its own status from {@code Idempotency-Response-Status}, its headers, its
 *       body read whole here), so the caller gets the response the timeout lost;</li>
 *   <li>202 {@code in-progress}: {@link StatusDecision#pending()};</li>
 *   <li>404 {@code unknown}: {@link StatusDecision#notApplied()}. With the server's claims this is
 *       safe even for a request that is still on its way: the resend and the original carry the same
 *       key, so whichever comes second gets 409 or the stored response, and the handler runs once;</li>
 *   <li>409 {@code lease-expired} (claimed, no outcome stored), and everything else:
 *       {@link StatusDecision#unknown()}.</li>
 * </ul>
 * Only an answer carrying the {@code Idempotency-Status} header counts: a 404 without it (a wrong
 * URL, a proxy's page, an endpoint that is not deployed) proves nothing and is {@code unknown}, so a
 * misconfiguration can never turn into a duplicate.
 *
 * <p>Use a {@code statusClient} that is not wrapped by the same policy, with a read timeout shorter
 * than the policy's callback timeout. Immutable and thread-safe.
 *
 * <pre>{@code
 * TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
 *         .statusCheck(IdempotencyStatusCheck.of(statusClient, URI.create("http://payments/idempotency/status")))
 *         .build();
 * }</pre>
 */
public final class IdempotencyStatusCheck implements StatusCheck {

    /** The default key header: the IETF httpapi draft's name, and the policy's default. */
    public static final String DEFAULT_KEY_HEADER = "Idempotency-Key";

    /** The default bound on a stored response's body read from the endpoint: 1 MiB, the server's default limit. */
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

    static final String STATUS = "Idempotency-Status";
    static final String RESPONSE_STATUS = "Idempotency-Response-Status";

    /** Set by the endpoint or by the transfer, not part of the stored response the caller gets. */
    private static final Set<String> NOT_PART_OF_THE_RESPONSE = Set.of("idempotency-status",
            "idempotency-response-status", "idempotency-lease-until", "content-length", "transfer-encoding",
            "connection", "keep-alive", "date", "server");

    private final HttpClient statusClient;
    private final URI statusEndpoint;
    private final String keyHeader;
    private final int maxBodyBytes;

    private IdempotencyStatusCheck(HttpClient statusClient, URI statusEndpoint, String keyHeader, int maxBodyBytes) {
        this.statusClient = Objects.requireNonNull(statusClient, "statusClient");
        this.statusEndpoint = Objects.requireNonNull(statusEndpoint, "statusEndpoint");
        if (!statusEndpoint.isAbsolute() || statusEndpoint.getHost() == null) {
            throw new IllegalArgumentException("statusEndpoint must be an absolute http(s) URI: " + statusEndpoint);
        }
        Objects.requireNonNull(keyHeader, "keyHeader");
        if (keyHeader.isEmpty() || !keyHeader.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ':')) {
            throw new IllegalArgumentException("keyHeader must be a header name: '" + keyHeader + "'");
        }
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes must not be negative: " + maxBodyBytes);
        }
        this.keyHeader = keyHeader;
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * A check asking {@code statusEndpoint} with the default key header and body bound.
     *
     * @param statusClient the client for the check (not wrapped by the same policy)
     * @param statusEndpoint the endpoint's absolute URI
     * @return the check
     */
    public static IdempotencyStatusCheck of(HttpClient statusClient, URI statusEndpoint) {
        return new IdempotencyStatusCheck(statusClient, statusEndpoint, DEFAULT_KEY_HEADER, DEFAULT_MAX_BODY_BYTES);
    }

    /**
     * This check with another key header: use the one the policy sends ({@code idempotencyKeyHeader})
     * and the server's filter reads.
     *
     * @param name the header name
     * @return a new check
     */
    public IdempotencyStatusCheck withKeyHeader(String name) {
        return new IdempotencyStatusCheck(statusClient, statusEndpoint, name, maxBodyBytes);
    }

    /**
     * This check with another bound on the stored response's body; a longer one makes the answer
     * {@code unknown}. Keep it at least the server's {@code maxResponseBodyBytes}.
     *
     * @param bytes zero or more
     * @return a new check
     */
    public IdempotencyStatusCheck withMaxBodyBytes(int bytes) {
        return new IdempotencyStatusCheck(statusClient, statusEndpoint, keyHeader, bytes);
    }

    @Override
    public StatusDecision check(RecoveryContext context) throws IOException {
        String key = context.idempotencyKey();
        if (key == null) {
            return StatusDecision.unknown();
        }
        HttpGet get = new HttpGet(statusEndpoint);
        get.setHeader(keyHeader, quoted(key));
        // read whole inside the handler: the entity is gone once execute() returns
        return statusClient.execute(get, this::decide);
    }

    private StatusDecision decide(ClassicHttpResponse answer) throws IOException {
        Header marker = answer.getFirstHeader(STATUS);
        String status = marker == null ? "" : marker.getValue().trim().toLowerCase(Locale.ROOT);
        int code = answer.getCode();
        if (code == 200 && status.equals("completed")) {
            return completed(answer);
        }
        if (code == 202 && status.equals("in-progress")) {
            return StatusDecision.pending();
        }
        if (code == 404 && status.equals("unknown")) {
            return StatusDecision.notApplied();
        }
        return StatusDecision.unknown();
    }

    private StatusDecision completed(ClassicHttpResponse answer) throws IOException {
        Header original = answer.getFirstHeader(RESPONSE_STATUS);
        int code;
        try {
            code = original == null ? -1 : Integer.parseInt(original.getValue().trim());
        } catch (NumberFormatException e) {
            code = -1;
        }
        if (code < 100 || code > 599) {
            return StatusDecision.unknown();
        }
        byte[] body = read(answer.getEntity());
        if (body == null) {
            return StatusDecision.unknown();
        }
        BasicClassicHttpResponse response = new BasicClassicHttpResponse(code);
        for (Header header : answer.getHeaders()) {
            if (!NOT_PART_OF_THE_RESPONSE.contains(header.getName().toLowerCase(Locale.ROOT))) {
                response.addHeader(header);
            }
        }
        response.setEntity(new ByteArrayEntity(body, contentType(answer)));
        return StatusDecision.completed(response);
    }

    private byte[] read(HttpEntity entity) throws IOException {
        if (entity == null) {
            return new byte[0];
        }
        try (InputStream in = entity.getContent()) {
            if (in == null) {
                return new byte[0];
            }
            byte[] body = in.readNBytes(maxBodyBytes + 1);
            return body.length > maxBodyBytes ? null : body;
        }
    }

    private static ContentType contentType(ClassicHttpResponse answer) {
        Header type = answer.getFirstHeader("Content-Type");
        if (type == null) {
            return null;
        }
        try {
            return ContentType.parseLenient(type.getValue());
        } catch (RuntimeException unparsable) {
            return null;
        }
    }

    /** The key as a structured-field string: quoted, {@code "} and {@code \} escaped. */
    private static String quoted(String key) {
        StringBuilder out = new StringBuilder(key.length() + 2).append('"');
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('"').toString();
    }

    @Override
    public String toString() {
        return "IdempotencyStatusCheck[" + statusEndpoint + ", keyHeader=" + keyHeader + "]";
    }
}
