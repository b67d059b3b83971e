package dev.abortguard.idempotency;

import dev.abortguard.idempotency.internal.Checks;
import dev.abortguard.idempotency.internal.HeaderCodec;
import dev.abortguard.idempotency.internal.StoredRecord;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A store in Redis (Lettuce), shared by every application instance that uses the same Redis: the
 * store for a cluster of instances without a shared database.
 *
 * <p>Each key's record is a hash at {@code prefix + "k:" + key}; fencing tokens come from one counter
 * at {@code prefix + "fencing-token"} ({@code INCR}), so a token is never issued twice, even after a
 * record expired. Claim, complete and release are Lua scripts, which Redis runs atomically: a script
 * either ran whole or not at all, so an outage leaves nothing half-written. The scripts decide by the
 * times kept in the hash (from the application's clock, like every store), and give each hash a TTL
 * of its remaining retention, so Redis itself deletes records when their retention ends and {@link
 * #purgeExpired()} has nothing to do.
 *
 * <p>A standalone Redis or one behind Sentinel; not Redis Cluster (a claim's script touches the
 * record and the token counter, which Cluster would put in different slots).
 *
 * <p>The store opens one connection from the client on first use and reopens it after a failure;
 * Lettuce failures ({@code RedisException}: refused, timed out) are thrown as {@link
 * IdempotencyStoreException}. Set the command timeout on the client's {@code RedisURI}: it bounds how
 * long a request waits for an unresponsive Redis. {@link #close()} closes the store's connection, not
 * the client.
 */
public final class RedisIdempotencyStore implements IdempotencyStore, AutoCloseable {

    /** The default key prefix. */
    public static final String DEFAULT_PREFIX = "abortguard:idempotency:";

    // KEYS[1] record, KEYS[2] token counter; ARGV now, leaseUntil, expiresAt, ttlMillis, method, path, sha256
    private static final String CLAIM = """
            local now = tonumber(ARGV[1])
            local r = redis.call('HMGET', KEYS[1], 's', 't', 'l', 'e', 'm', 'p', 'h')
            local took = '0'
            if r[1] and tonumber(r[4]) > now then
              if r[5] ~= ARGV[5] or r[6] ~= ARGV[6] or r[7] ~= ARGV[7] then
                return {'M', r[5], r[6], r[7]}
              end
              if r[1] == 'C' then
                local c = redis.call('HMGET', KEYS[1], 'st', 'hd', 'b')
                return {'C', c[1], c[2], c[3]}
              end
              if tonumber(r[3]) > now then
                return {'P', r[3]}
              end
              took = '1'
            end
            local t = redis.call('INCR', KEYS[2])
            redis.call('DEL', KEYS[1])
            redis.call('HSET', KEYS[1], 's', 'P', 't', t, 'l', ARGV[2], 'e', ARGV[3], 'm', ARGV[5], 'p', ARGV[6], 'h', ARGV[7])
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            return {'N', tostring(t), took}
            """;

    // the current claim: in progress, this token, not expired, this fingerprint (release passes no fingerprint)
    private static final String CURRENT = """
            local r = redis.call('HMGET', KEYS[1], 's', 't', 'e', 'm', 'p', 'h')
            local current = r[1] == 'P' and r[2] == ARGV[1] and tonumber(r[3]) > tonumber(ARGV[2])
            if ARGV[3] then
              current = current and r[4] == ARGV[3] and r[5] == ARGV[4] and r[6] == ARGV[5]
            end
            if not current then
              return 0
            end
            """;

    // ARGV token, now, method, path, sha256, status, headers, body, expiresAt, ttlMillis
    private static final String COMPLETE = CURRENT + """
            redis.call('HSET', KEYS[1], 's', 'C', 'st', ARGV[6], 'hd', ARGV[7], 'b', ARGV[8], 'e', ARGV[9])
            redis.call('PEXPIRE', KEYS[1], ARGV[10])
            return 1
            """;

    // ARGV token, now
    private static final String RELEASE = CURRENT + """
            redis.call('DEL', KEYS[1])
            return 1
            """;

    private final RedisClient client;
    private final byte[] prefix;
    private final IdempotencyStoreOptions options;
    private final Script claim = new Script(CLAIM, ScriptOutputType.MULTI);
    private final Script complete = new Script(COMPLETE, ScriptOutputType.INTEGER);
    private final Script release = new Script(RELEASE, ScriptOutputType.INTEGER);
    private StatefulRedisConnection<byte[], byte[]> connection;

    /**
     * A store with {@link #DEFAULT_PREFIX}. Nothing is sent to Redis until the first operation.
     *
     * @param client the Lettuce client (its {@code RedisURI} says where Redis is, and the timeouts)
     * @param options retention, body limit, clock
     */
    public RedisIdempotencyStore(RedisClient client, IdempotencyStoreOptions options) {
        this(client, DEFAULT_PREFIX, options);
    }

    /**
     * A store.
     *
     * @param client the Lettuce client
     * @param prefix the prefix of every Redis key the store uses (separates applications sharing a Redis)
     * @param options retention, body limit, clock
     */
    public RedisIdempotencyStore(RedisClient client, String prefix, IdempotencyStoreOptions options) {
        this.client = Objects.requireNonNull(client, "client");
        this.prefix = Objects.requireNonNull(prefix, "prefix").getBytes(StandardCharsets.UTF_8);
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public ClaimResult claim(IdempotencyKey key, RequestFingerprint fingerprint, Duration lease) {
        long leaseMillis = Checks.claim(key, fingerprint, lease);
        Instant now = Checks.now(options.clock());
        Instant leaseUntil = now.plusMillis(leaseMillis);
        Instant expiresAt = leaseUntil.plus(options.retention());
        List<Object> reply;
        try {
            reply = claim.run(commands(), new byte[][] {recordKey(key), key("fencing-token")},
                    text(now.toEpochMilli()), text(leaseUntil.toEpochMilli()), text(expiresAt.toEpochMilli()),
                    text(expiresAt.toEpochMilli() - now.toEpochMilli()),
                    text(fingerprint.method()), text(fingerprint.path()), text(fingerprint.bodySha256()));
        } catch (RuntimeException e) {
            throw failed("claim", e);
        }
        String kind = string(reply.get(0));
        switch (kind) {
            case "N":
                return new ClaimResult.Claimed(Long.parseLong(string(reply.get(1))), leaseUntil, "1".equals(string(reply.get(2))));
            case "P":
                return new ClaimResult.InProgress(Instant.ofEpochMilli(Long.parseLong(string(reply.get(1)))));
            case "M":
                return new ClaimResult.FingerprintMismatch(
                        new RequestFingerprint(string(reply.get(1)), string(reply.get(2)), string(reply.get(3))));
            case "C":
                return new ClaimResult.Completed(new StoredResponse(Integer.parseInt(string(reply.get(1))),
                        HeaderCodec.decode(string(reply.get(2))), bytes(reply.get(3)), fingerprint));
            default:
                throw new IdempotencyStoreException("idempotency claim failed: unexpected script reply " + kind, null);
        }
    }

    @Override
    public CompleteResult complete(IdempotencyKey key, long fencingToken, StoredResponse response) {
        Checks.complete(key, response);
        if (response.bodyLength() > options.maxBodyBytes()) {
            return new CompleteResult.TooLarge(response.bodyLength(), options.maxBodyBytes());
        }
        Instant now = Checks.now(options.clock());
        Instant expiresAt = now.plus(options.retention());
        RequestFingerprint fingerprint = response.fingerprint();
        Long done;
        try {
            done = complete.run(commands(), new byte[][] {recordKey(key)},
                    text(fencingToken), text(now.toEpochMilli()),
                    text(fingerprint.method()), text(fingerprint.path()), text(fingerprint.bodySha256()),
                    text(response.status()), text(HeaderCodec.encode(response.headers())), response.body(),
                    text(expiresAt.toEpochMilli()), text(options.retention().toMillis()));
        } catch (RuntimeException e) {
            throw failed("complete", e);
        }
        return done == 1 ? new CompleteResult.Stored(expiresAt) : new CompleteResult.Fenced();
    }

    @Override
    public ReleaseResult release(IdempotencyKey key, long fencingToken) {
        Objects.requireNonNull(key, "key");
        Long done;
        try {
            done = release.run(commands(), new byte[][] {recordKey(key)},
                    text(fencingToken), text(Checks.now(options.clock()).toEpochMilli()));
        } catch (RuntimeException e) {
            throw failed("release", e);
        }
        return done == 1 ? new ReleaseResult.Released() : new ReleaseResult.Fenced();
    }

    @Override
    public StatusResult status(IdempotencyKey key) {
        Objects.requireNonNull(key, "key");
        List<KeyValue<byte[], byte[]>> fields;
        try {
            // one HMGET: Redis answers it atomically, so the fields belong to one version of the record
            fields = commands().hmget(recordKey(key), text("s"), text("t"), text("l"), text("e"), text("m"), text("p"),
                    text("h"), text("st"), text("hd"), text("b"));
        } catch (RuntimeException e) {
            throw failed("status", e);
        }
        Instant now = Checks.now(options.clock());
        if (!fields.get(0).hasValue()) {
            return new StatusResult.Unknown();
        }
        RequestFingerprint fingerprint = new RequestFingerprint(field(fields, 4), field(fields, 5), field(fields, 6));
        StoredResponse response = null;
        if ("C".equals(field(fields, 0))) {
            response = new StoredResponse(Integer.parseInt(field(fields, 7)), HeaderCodec.decode(field(fields, 8)),
                    fields.get(9).getValueOrElse(new byte[0]), fingerprint);
        }
        StoredRecord record = new StoredRecord(Long.parseLong(field(fields, 1)), Instant.ofEpochMilli(Long.parseLong(field(fields, 2))),
                Instant.ofEpochMilli(Long.parseLong(field(fields, 3))), fingerprint, response);
        return StoredRecord.status(record, now);
    }

    /** Redis deletes records itself when their TTL (the remaining retention) ends. */
    @Override
    public int purgeExpired() {
        return 0;
    }

    /** Closes the store's connection (not the client). */
    @Override
    public synchronized void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    private synchronized RedisCommands<byte[], byte[]> commands() {
        if (connection == null || !connection.isOpen()) {
            connection = client.connect(ByteArrayCodec.INSTANCE);
        }
        return connection.sync();
    }

    private IdempotencyStoreException failed(String operation, RuntimeException e) {
        if (e instanceof IdempotencyStoreException ise) {
            return ise;
        }
        return new IdempotencyStoreException("idempotency " + operation + " failed", e);
    }

    private byte[] recordKey(IdempotencyKey key) {
        return key("k:" + key.value());
    }

    private byte[] key(String suffix) {
        byte[] tail = text(suffix);
        byte[] out = new byte[prefix.length + tail.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(tail, 0, out, prefix.length, tail.length);
        return out;
    }

    private static byte[] text(Object value) {
        return String.valueOf(value).getBytes(StandardCharsets.UTF_8);
    }

    private static String field(List<KeyValue<byte[], byte[]>> fields, int index) {
        return string(fields.get(index).getValue());
    }

    private static String string(Object reply) {
        if (reply instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return String.valueOf(reply);
    }

    private static byte[] bytes(Object reply) {
        return reply instanceof byte[] bytes ? bytes : new byte[0];
    }

    /** A Lua script run by its digest, loaded again when Redis lost it (a restart, SCRIPT FLUSH). */
    private static final class Script {
        private final byte[] source;
        private final ScriptOutputType type;
        private volatile String digest;

        Script(String source, ScriptOutputType type) {
            this.source = source.getBytes(StandardCharsets.UTF_8);
            this.type = type;
        }

        /** Runs the script; its reply is a list for {@code MULTI}, a {@code Long} for {@code INTEGER}. */
        <T> T run(RedisCommands<byte[], byte[]> commands, byte[][] keys, byte[]... args) {
            String loaded = digest;
            if (loaded == null) {
                loaded = commands.scriptLoad(source);
                digest = loaded;
            }
            try {
                return commands.evalsha(loaded, type, keys, args);
            } catch (RedisNoScriptException e) {
                loaded = commands.scriptLoad(source);
                digest = loaded;
                return commands.evalsha(loaded, type, keys, args);
            }
        }
    }
}
