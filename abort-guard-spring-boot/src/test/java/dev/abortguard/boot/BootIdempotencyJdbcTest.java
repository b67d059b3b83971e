package dev.abortguard.boot;

import dev.abortguard.boot.idempotency.IdempotencyApplication;
import dev.abortguard.idempotency.IdempotencyStore;
import dev.abortguard.idempotency.JdbcIdempotencyStore;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** An H2 {@code DataSource} bean: the JDBC store, its dialect detected, its schema created at startup. */
@SpringBootTest(classes = {IdempotencyApplication.class, BootIdempotencyJdbcTest.H2.class}, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {BootIdempotencyContract.PROPERTIES_ROUTES, BootIdempotencyContract.PROPERTIES_STATUS,
                "abortguard.idempotency.jdbc.create-schema=true"})
class BootIdempotencyJdbcTest extends BootIdempotencyContract {

    @Configuration(proxyBeanMethods = false)
    static class H2 {
        @Bean
        DataSource dataSource() {
            JdbcDataSource dataSource = new JdbcDataSource();
            dataSource.setURL("jdbc:h2:mem:boot-idempotency-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            return dataSource;
        }
    }

    @Autowired
    DataSource dataSource;

    @Override
    Class<? extends IdempotencyStore> expectedStore() {
        return JdbcIdempotencyStore.class;
    }

    @Test
    void theRecordsAreInTheDatabase() throws Exception {
        String key = "row-" + UUID.randomUUID();
        assertThat(send(post("/payments", key, "7")).status()).isEqualTo(201);
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT state, status FROM abortguard_idempotency WHERE idem_key = '" + key + "'")) {
            assertThat(rows.next()).as("the key's row").isTrue();
            assertThat(rows.getString("state")).isEqualTo("C");
            assertThat(rows.getInt("status")).isEqualTo(201);
        }
    }
}
