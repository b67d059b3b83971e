package com.rabbitmq.client;

/** Test stand-in for RabbitMQ's Java client: a channel whose broker connection broke. */
public class AlreadyClosedException extends RuntimeException {
    public AlreadyClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
