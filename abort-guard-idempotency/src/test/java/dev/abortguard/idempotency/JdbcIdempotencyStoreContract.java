package dev.abortguard.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The contract on the JDBC store, plus what only a transaction can get wrong: a failure at commit. */
abstract class JdbcIdempotencyStoreContract extends IdempotencyStoreContract {

    /** A new data source (a second application instance's) to this test class's database. */
    protected abstract DataSource newDataSource() throws Exception;

    /** A data source whose database is stopped or unreachable. */
    protected abstract DataSource dataSourceWithDatabaseDown() throws Exception;

    /** A new data source to this test class's database whose connections wait at most {@code millis} for a row lock. */
    protected abstract DataSource newDataSourceWithLockTimeout(int millis) throws Exception;

    protected abstract JdbcIdempotencyStore.Dialect dialect();

    @Override
    protected IdempotencyStore newStore(IdempotencyStoreOptions options) throws Exception {
        JdbcIdempotencyStore jdbc = new JdbcIdempotencyStore(newDataSource(), dialect(), options);
        jdbc.createSchema();
        return jdbc;
    }

    @Override
    protected IdempotencyStore newStoreWithBackendDown(IdempotencyStoreOptions options) throws Exception {
        return new JdbcIdempotencyStore(dataSourceWithDatabaseDown(), dialect(), options);
    }

    @Override
    protected boolean sharesBackend() {
        return true;
    }

    @Test
    void aConnectionLostAtCommitLeavesNoClaimBehind() throws Exception {
        DataSource real = newDataSource();
        DataSource failingAtCommit = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(method, real, args);
                    return method.getName().equals("getConnection") ? failingAtCommit((Connection) result) : result;
                });
        IdempotencyStore failing = new JdbcIdempotencyStore(failingAtCommit, dialect(), options);
        IdempotencyKey key = key("commit");
        assertThatThrownBy(() -> failing.claim(key, fingerprint("{}"), LEASE))
                .isInstanceOf(IdempotencyStoreException.class)
                .hasRootCauseMessage("simulated: connection lost at commit");
        assertThat(store.status(key)).isEqualTo(new StatusResult.Unknown());
        assertThat(store.claim(key, fingerprint("{}"), LEASE)).isInstanceOf(ClaimResult.Claimed.class);
    }

    @Test
    void aClaimThatTimesOutWaitingForTheRowLockFailsAndChangesNothing() throws Exception {
        IdempotencyKey key = key("locked");
        RequestFingerprint fp = fingerprint("{}");
        ClaimResult.Claimed abandoned = claimed(store.claim(key, fp, LEASE));
        clock.advance(LEASE);
        IdempotencyStore impatient = new JdbcIdempotencyStore(newDataSourceWithLockTimeout(200), dialect(), options);
        try (Connection locker = newDataSource().getConnection()) {
            // another transaction (a stuck instance) holds the key's row
            locker.setAutoCommit(false);
            try (var select = locker.prepareStatement("SELECT idem_key FROM abortguard_idempotency WHERE idem_key = ? FOR UPDATE")) {
                select.setString(1, key.value());
                assertThat(select.executeQuery().next()).isTrue();
            }
            assertThatThrownBy(() -> impatient.claim(key, fp, LEASE))
                    .isInstanceOf(IdempotencyStoreException.class)
                    .hasCauseInstanceOf(SQLException.class);
            // a plain read does not wait for the lock
            assertThat(store.status(key)).isEqualTo(new StatusResult.LeaseExpired(abandoned.leaseUntil()));
            locker.rollback();
        }
        assertThat(claimed(impatient.claim(key, fp, LEASE)).tookOver()).isTrue();
    }

    @Test
    void purgingWithTheDatabaseDownThrowsTheStoreException() throws Exception {
        IdempotencyStore down = newStoreWithBackendDown(options);
        assertThatThrownBy(down::purgeExpired).isInstanceOf(IdempotencyStoreException.class).hasCauseInstanceOf(SQLException.class);
    }

    private static Connection failingAtCommit(Connection real) {
        return (Connection) Proxy.newProxyInstance(JdbcIdempotencyStoreContract.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("commit")) {
                        throw new SQLTransientConnectionException("simulated: connection lost at commit");
                    }
                    return invoke(method, real, args);
                });
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

}
