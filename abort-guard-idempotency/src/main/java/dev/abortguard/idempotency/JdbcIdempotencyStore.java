package dev.abortguard.idempotency;

import dev.abortguard.idempotency.internal.Checks;
import dev.abortguard.idempotency.internal.HeaderCodec;
import dev.abortguard.idempotency.internal.StoredRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store in a relational database, shared by every application instance that uses the same
 * database: the store for a cluster when the service has a database anyway.
 *
 * <p>The table and sequence are in {@code dev/abortguard/idempotency/schema-postgresql.sql} and
 * {@code schema-h2.sql} on the classpath ({@link Dialect#schemaResource()}); {@link #createSchema()}
 * runs the file (idempotent: {@code IF NOT EXISTS}), or copy it into your migrations.
 *
 * <p>How the rules hold: a claim is one transaction that locks the key's row ({@code SELECT ... FOR
 * UPDATE}) and decides, or, when there is no row, inserts one ({@code INSERT ... ON CONFLICT DO
 * NOTHING} on PostgreSQL, a plain insert whose duplicate-key error is caught on H2); an insert that
 * lost the race is rolled back and the claim reads the winner's row. Fencing tokens come from one
 * database sequence. {@code complete} and {@code release} are single compare-and-set statements
 * ({@code UPDATE/DELETE ... WHERE fencing_token = ? AND state = 'P'}), so a late writer changes
 * nothing. Any {@link SQLException} (the database stopped, a timeout) rolls the transaction back and
 * is thrown as {@link IdempotencyStoreException}.
 *
 * <p>Connections come from the {@link DataSource} per operation (use a pool in production) and are
 * returned at once; the store sets auto-commit as it needs and restores it. How long an operation
 * may wait for an unresponsive database is the pool's and driver's setting (for PostgreSQL's
 * driver: {@code connectTimeout}, {@code socketTimeout}); keep it well under the request timeout, so
 * that an outage becomes a prompt 503. {@link #createSchema()} is meant for one instance at a time
 * (startup of a single instance, or tests); a cluster applies the schema with its migrations.
 */
public final class JdbcIdempotencyStore implements IdempotencyStore {

    private static final Logger log = LoggerFactory.getLogger(JdbcIdempotencyStore.class);

    /** How often a claim retries after losing an insert race before it gives up (each retry reads the winner). */
    private static final int CLAIM_ATTEMPTS = 5;

    private static final String COLUMNS =
            "fencing_token, state, lease_until, expires_at, fp_method, fp_path, fp_body_sha256, status, headers, body";

    /** The SQL that differs between databases. */
    public enum Dialect {
        /** PostgreSQL 9.5 or newer. */
        POSTGRESQL("schema-postgresql.sql", "SELECT nextval('abortguard_idempotency_token')",
                " ON CONFLICT (idem_key) DO NOTHING"),
        /** H2 2.x. */
        H2("schema-h2.sql", "SELECT NEXT VALUE FOR abortguard_idempotency_token", "");

        private final String schemaFile;
        private final String nextTokenSql;
        private final String insertSuffix;

        Dialect(String schemaFile, String nextTokenSql, String insertSuffix) {
            this.schemaFile = schemaFile;
            this.nextTokenSql = nextTokenSql;
            this.insertSuffix = insertSuffix;
        }

        /**
         * The classpath resource with this database's schema.
         *
         * @return e.g. {@code dev/abortguard/idempotency/schema-postgresql.sql}
         */
        public String schemaResource() {
            return "dev/abortguard/idempotency/" + schemaFile;
        }
    }

    private final DataSource dataSource;
    private final Dialect dialect;
    private final IdempotencyStoreOptions options;

    /**
     * A store. Nothing is read from the database until the first operation.
     *
     * @param dataSource where connections come from
     * @param dialect the database's dialect
     * @param options retention, body limit, clock
     */
    public JdbcIdempotencyStore(DataSource dataSource, Dialect dialect, IdempotencyStoreOptions options) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Creates the table, index and sequence if they do not exist, from {@link Dialect#schemaResource()}.
     *
     * @throws IdempotencyStoreException when the database fails
     */
    public void createSchema() {
        String script;
        try (InputStream in = JdbcIdempotencyStore.class.getClassLoader().getResourceAsStream(dialect.schemaResource())) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + dialect.schemaResource());
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + dialect.schemaResource(), e);
        }
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (String sql : script.replaceAll("--[^\\n]*", "").split(";")) {
                if (!sql.isBlank()) {
                    statement.execute(sql.strip());
                }
            }
        } catch (SQLException | RuntimeException e) {
            throw new IdempotencyStoreException("creating the idempotency schema failed", e);
        }
    }

    @Override
    public ClaimResult claim(IdempotencyKey key, RequestFingerprint fingerprint, Duration lease) {
        long leaseMillis = Checks.claim(key, fingerprint, lease);
        try {
            for (int attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
                ClaimResult result = tryClaim(key, fingerprint, leaseMillis);
                if (result != null) {
                    return result;
                }
                log.debug("idempotency claim for a key lost an insert race, reading the winner (attempt {})", attempt);
            }
        } catch (SQLException | RuntimeException e) {
            throw new IdempotencyStoreException("idempotency claim failed", e);
        }
        // Only when the key's row is inserted and deleted again between each of our reads and inserts.
        throw new IdempotencyStoreException("idempotency claim failed: the key's row kept changing (" + CLAIM_ATTEMPTS
                + " attempts)", null);
    }

    /** One claim transaction; null when its insert lost a race (rolled back; read again). */
    private ClaimResult tryClaim(IdempotencyKey key, RequestFingerprint fingerprint, long leaseMillis) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                ClaimResult result = claimIn(connection, key, fingerprint, leaseMillis);
                if (result == null) {
                    connection.rollback();
                } else {
                    connection.commit();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                if (lostRace(e)) {
                    connection.rollback();
                    return null;
                }
                rollbackQuietly(connection, e);
                throw e;
            } finally {
                restore(connection, autoCommit);
            }
        }
    }

    private ClaimResult claimIn(Connection connection, IdempotencyKey key, RequestFingerprint fingerprint, long leaseMillis)
            throws SQLException {
        Instant now = Checks.now(options.clock());
        StoredRecord existing = select(connection, key, true);
        StoredRecord.Decision decision = StoredRecord.decideClaim(existing, fingerprint, now);
        if (decision.action() == StoredRecord.Action.ANSWER) {
            return decision.answer();
        }
        long token = nextToken(connection);
        Instant leaseUntil = now.plusMillis(leaseMillis);
        long expiresAt = leaseUntil.plus(options.retention()).toEpochMilli();
        if (existing != null) {
            // the row is locked by our SELECT ... FOR UPDATE: this replaces exactly what we decided on
            String sql = "UPDATE abortguard_idempotency SET fencing_token = ?, state = 'P', lease_until = ?, expires_at = ?,"
                    + " fp_method = ?, fp_path = ?, fp_body_sha256 = ?, status = NULL, headers = NULL, body = NULL"
                    + " WHERE idem_key = ? AND fencing_token = ?";
            try (PreparedStatement update = connection.prepareStatement(sql)) {
                update.setLong(1, token);
                update.setLong(2, leaseUntil.toEpochMilli());
                update.setLong(3, expiresAt);
                update.setString(4, fingerprint.method());
                update.setString(5, fingerprint.path());
                update.setString(6, fingerprint.bodySha256());
                update.setString(7, key.value());
                update.setLong(8, existing.fencingToken());
                if (update.executeUpdate() != 1) {
                    return null;
                }
            }
        } else {
            String sql = "INSERT INTO abortguard_idempotency (idem_key, fencing_token, state, lease_until, expires_at,"
                    + " fp_method, fp_path, fp_body_sha256) VALUES (?, ?, 'P', ?, ?, ?, ?, ?)" + dialect.insertSuffix;
            try (PreparedStatement insert = connection.prepareStatement(sql)) {
                insert.setString(1, key.value());
                insert.setLong(2, token);
                insert.setLong(3, leaseUntil.toEpochMilli());
                insert.setLong(4, expiresAt);
                insert.setString(5, fingerprint.method());
                insert.setString(6, fingerprint.path());
                insert.setString(7, fingerprint.bodySha256());
                if (insert.executeUpdate() != 1) {
                    return null;
                }
            }
        }
        return new ClaimResult.Claimed(token, leaseUntil, decision.action() == StoredRecord.Action.TAKE_OVER);
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
        String sql = "UPDATE abortguard_idempotency SET state = 'C', status = ?, headers = ?, body = ?, expires_at = ?"
                + " WHERE idem_key = ? AND fencing_token = ? AND state = 'P' AND expires_at > ?"
                + " AND fp_method = ? AND fp_path = ? AND fp_body_sha256 = ?";
        try (Connection connection = dataSource.getConnection(); PreparedStatement update = connection.prepareStatement(sql)) {
            update.setInt(1, response.status());
            update.setString(2, HeaderCodec.encode(response.headers()));
            update.setBytes(3, response.body());
            update.setLong(4, expiresAt.toEpochMilli());
            update.setString(5, key.value());
            update.setLong(6, fencingToken);
            update.setLong(7, now.toEpochMilli());
            update.setString(8, fingerprint.method());
            update.setString(9, fingerprint.path());
            update.setString(10, fingerprint.bodySha256());
            int updated = autoCommitted(connection, update);
            return updated == 1 ? new CompleteResult.Stored(expiresAt) : new CompleteResult.Fenced();
        } catch (SQLException | RuntimeException e) {
            throw new IdempotencyStoreException("idempotency complete failed", e);
        }
    }

    @Override
    public ReleaseResult release(IdempotencyKey key, long fencingToken) {
        Objects.requireNonNull(key, "key");
        Instant now = Checks.now(options.clock());
        String sql = "DELETE FROM abortguard_idempotency WHERE idem_key = ? AND fencing_token = ? AND state = 'P' AND expires_at > ?";
        try (Connection connection = dataSource.getConnection(); PreparedStatement delete = connection.prepareStatement(sql)) {
            delete.setString(1, key.value());
            delete.setLong(2, fencingToken);
            delete.setLong(3, now.toEpochMilli());
            return autoCommitted(connection, delete) == 1 ? new ReleaseResult.Released() : new ReleaseResult.Fenced();
        } catch (SQLException | RuntimeException e) {
            throw new IdempotencyStoreException("idempotency release failed", e);
        }
    }

    @Override
    public StatusResult status(IdempotencyKey key) {
        Objects.requireNonNull(key, "key");
        try (Connection connection = dataSource.getConnection()) {
            return StoredRecord.status(select(connection, key, false), Checks.now(options.clock()));
        } catch (SQLException | RuntimeException e) {
            throw new IdempotencyStoreException("idempotency status failed", e);
        }
    }

    @Override
    public int purgeExpired() {
        String sql = "DELETE FROM abortguard_idempotency WHERE expires_at <= ?";
        try (Connection connection = dataSource.getConnection(); PreparedStatement delete = connection.prepareStatement(sql)) {
            delete.setLong(1, Checks.now(options.clock()).toEpochMilli());
            return autoCommitted(connection, delete);
        } catch (SQLException | RuntimeException e) {
            throw new IdempotencyStoreException("idempotency purge failed", e);
        }
    }

    /** Runs one statement as its own transaction: a single statement is atomic, so it is all or nothing. */
    private static int autoCommitted(Connection connection, PreparedStatement statement) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        if (!autoCommit) {
            connection.setAutoCommit(true);
        }
        try {
            return statement.executeUpdate();
        } finally {
            restore(connection, autoCommit);
        }
    }

    private long nextToken(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(dialect.nextTokenSql)) {
            if (!rs.next()) {
                throw new SQLException("the fencing token sequence returned no value");
            }
            return rs.getLong(1);
        }
    }

    private static StoredRecord select(Connection connection, IdempotencyKey key, boolean forUpdate) throws SQLException {
        String sql = "SELECT " + COLUMNS + " FROM abortguard_idempotency WHERE idem_key = ?" + (forUpdate ? " FOR UPDATE" : "");
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, key.value());
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                RequestFingerprint fingerprint = new RequestFingerprint(rs.getString(5), rs.getString(6), rs.getString(7));
                StoredResponse response = null;
                if ("C".equals(rs.getString(2))) {
                    byte[] body = rs.getBytes(10);
                    response = new StoredResponse(rs.getInt(8), HeaderCodec.decode(rs.getString(9)),
                            body == null ? new byte[0] : body, fingerprint);
                }
                return new StoredRecord(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(3)), Instant.ofEpochMilli(rs.getLong(4)),
                        fingerprint, response);
            }
        }
    }

    /**
     * Whether a claim failed only because a concurrent claim won: H2's duplicate key (PostgreSQL's
     * insert does nothing instead), or, when the connection runs at a stricter isolation than READ
     * COMMITTED, a serialization failure or deadlock. Such a claim is rolled back and read again.
     */
    private boolean lostRace(Throwable e) {
        String state = e instanceof SQLException sql ? sql.getSQLState() : null;
        return (dialect == Dialect.H2 && "23505".equals(state)) || "40001".equals(state) || "40P01".equals(state);
    }

    private static void rollbackQuietly(Connection connection, Throwable failure) {
        try {
            connection.rollback();
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Puts auto-commit back for a pooled connection. Quiet: on a broken connection this fails too, and
     * the failure that matters is the operation's, already on its way.
     */
    private static void restore(Connection connection, boolean autoCommit) {
        try {
            if (!connection.isClosed() && connection.getAutoCommit() != autoCommit) {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException | RuntimeException e) {
            log.debug("could not restore auto-commit on an idempotency store connection", e);
        }
    }
}
