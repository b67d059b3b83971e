package org.springframework.dao;

/**
 * Test stand-in for Spring's translation of a lost database connection (e.g. MongoDB's
 * "Broken pipe" through Spring Data, or a JDBC "Connection reset").
 */
public class DataAccessResourceFailureException extends RuntimeException {
    public DataAccessResourceFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
