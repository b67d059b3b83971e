package dev.abortguard.idempotency;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the real PostgreSQL and Redis servers are, for the contract tests that need them. They come
 * from the environment, as {@code .ci/services start} exports them. Without them a test fails with
 * how to get them, unless the build says {@code -Dabortguard.test.external=skip} (a developer build
 * without the servers; CI never sets it), when it is reported as skipped.
 */
public final class ExternalServices {

    static final String PG_URL = "ABORTGUARD_TEST_PG_URL";
    static final String REDIS_URI = "ABORTGUARD_TEST_REDIS_URI";

    private ExternalServices() {
    }

    /** A JDBC URL of a PostgreSQL database the tests may create tables in. */
    public static String postgresUrl() {
        return required(PG_URL, "PostgreSQL");
    }

    /** A redis:// URI of a Redis server the tests may write to. */
    public static String redisUri() {
        return required(REDIS_URI, "redis-server");
    }

    /** A JDBC store on the real PostgreSQL, its schema created (idempotent). */
    public static JdbcIdempotencyStore postgresStore() {
        org.postgresql.ds.PGSimpleDataSource postgres = new org.postgresql.ds.PGSimpleDataSource();
        postgres.setURL(postgresUrl());
        JdbcIdempotencyStore store = new JdbcIdempotencyStore(postgres, JdbcIdempotencyStore.Dialect.POSTGRESQL,
                IdempotencyStoreOptions.defaults());
        store.createSchema();
        return store;
    }

    /** A store on the real redis-server, with the default options. */
    public static RedisIdempotencyStore redisStore() {
        return new RedisIdempotencyStore(io.lettuce.core.RedisClient.create(redisUri()), IdempotencyStoreOptions.defaults());
    }

    /** A loopback port nothing listens on (bound, then closed), for the outage tests. */
    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String required(String variable, String server) {
        String value = System.getenv(variable);
        // surefire passes ${env.X} through unresolved when X is not set
        if (value != null && !value.isBlank() && !value.startsWith("${")) {
            return value;
        }
        String how = variable + " is not set: these tests need a real " + server + ". Start the servers with\n"
                + "    eval \"$(bash .ci/services start)\"    # installs postgresql and redis-server when missing\n"
                + "and run the build in that shell (bash .ci/services stop stops them), or run bash .ci/run, which does both.\n"
                + "A build without the servers: -Dabortguard.test.external=skip (reported as skipped; CI never sets it).";
        if ("skip".equals(System.getProperty("abortguard.test.external"))) {
            Assumptions.abort(how);
        }
        return fail(how);
    }
}
