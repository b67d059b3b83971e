-- abort-guard-idempotency: the JdbcIdempotencyStore schema for PostgreSQL (9.5 or newer).
-- JdbcIdempotencyStore.createSchema() runs this file; or copy it into your migrations (Flyway, Liquibase).
-- One row per idempotency key. Times are epoch milliseconds from the application's clock.
CREATE TABLE IF NOT EXISTS abortguard_idempotency (
    idem_key        VARCHAR(255)  NOT NULL PRIMARY KEY,  -- the key, unquoted (printable ASCII)
    fencing_token   BIGINT        NOT NULL,              -- the current claim, from the sequence below
    state           CHAR(1)       NOT NULL,              -- P: in progress, C: completed
    lease_until     BIGINT        NOT NULL,              -- when the current claim's lease ends
    expires_at      BIGINT        NOT NULL,              -- end of retention: the row then counts as absent
    fp_method       VARCHAR(32)   NOT NULL,              -- the fingerprint the key is bound to
    fp_path         VARCHAR(2048) NOT NULL,
    fp_body_sha256  CHAR(64)      NOT NULL,
    status          INTEGER,                             -- the stored response (state C only)
    headers         TEXT,                                -- length-prefixed name/value pairs, in order
    body            BYTEA
);
-- purgeExpired() deletes by expires_at
CREATE INDEX IF NOT EXISTS abortguard_idempotency_expires ON abortguard_idempotency (expires_at);
-- fencing tokens: one sequence for all keys, so a token is never issued twice, even after a purge
CREATE SEQUENCE IF NOT EXISTS abortguard_idempotency_token;
