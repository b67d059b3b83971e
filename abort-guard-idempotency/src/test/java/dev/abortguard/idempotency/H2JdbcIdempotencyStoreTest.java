package dev.abortguard.idempotency;

import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/** The contract on the JDBC store with H2 (in memory, in the normal build). */
class H2JdbcIdempotencyStoreTest extends JdbcIdempotencyStoreContract {

    // one database per test; DB_CLOSE_DELAY keeps it while no connection is open (the store opens one per operation)
    private final String database = "jdbc:h2:mem:idem-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";

    @Override
    protected DataSource newDataSource() {
        return newDataSourceWithLockTimeout(10_000);
    }

    @Override
    protected DataSource newDataSourceWithLockTimeout(int millis) {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL(database + ";LOCK_TIMEOUT=" + millis);
        return dataSource;
    }

    @Override
    protected DataSource dataSourceWithDatabaseDown() {
        // IFEXISTS: a database that is not running is not silently created empty
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:stopped-" + UUID.randomUUID() + ";IFEXISTS=TRUE");
        return dataSource;
    }

    @Override
    protected JdbcIdempotencyStore.Dialect dialect() {
        return JdbcIdempotencyStore.Dialect.H2;
    }
}
