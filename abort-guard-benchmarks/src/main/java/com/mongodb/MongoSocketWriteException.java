package com.mongodb;

/**
 * Benchmark stand-in with the FQN of the MongoDB driver's exception (the driver is not a
 * dependency): a backend write that failed with the operating system's "Broken pipe".
 */
public class MongoSocketWriteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MongoSocketWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
