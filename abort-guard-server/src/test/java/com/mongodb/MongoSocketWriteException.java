package com.mongodb;

/** Test stand-in for the MongoDB driver's "Exception sending message" (cause: Broken pipe). */
public class MongoSocketWriteException extends RuntimeException {
    public MongoSocketWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
