package org.apache.kafka.common.errors;

/**
 * Test stand-in for the Kafka producer's broker-connection failure ("Connection reset by peer" from
 * a broker, surfaced while a handler publishes an event).
 */
public class NetworkException extends RuntimeException {
    public NetworkException(String message, Throwable cause) {
        super(message, cause);
    }
}
