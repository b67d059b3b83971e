package dev.abortguard.idempotency;

import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The contract on the JDBC store with a real PostgreSQL server ({@code ABORTGUARD_TEST_PG_URL}, from
 * {@code .ci/services start}).
 */
class PostgresJdbcIdempotencyStoreTest extends JdbcIdempotencyStoreContract {

    @Override
    protected DataSource newDataSource() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(ExternalServices.postgresUrl());
        return dataSource;
    }

    @Override
    protected DataSource newDataSourceWithLockTimeout(int millis) {
        PGSimpleDataSource dataSource = (PGSimpleDataSource) newDataSource();
        dataSource.setOptions("-c lock_timeout=" + millis);
        return dataSource;
    }

    @Override
    protected DataSource dataSourceWithDatabaseDown() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL("jdbc:postgresql://127.0.0.1:" + ExternalServices.closedPort() + "/postgres?connectTimeout=5");
        return dataSource;
    }

    @Override
    protected JdbcIdempotencyStore.Dialect dialect() {
        return JdbcIdempotencyStore.Dialect.POSTGRESQL;
    }
}
