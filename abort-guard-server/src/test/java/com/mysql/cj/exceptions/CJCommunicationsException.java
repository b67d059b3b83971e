package com.mysql.cj.exceptions;

/** Test stand-in for MySQL Connector/J's communications failure (cause: EOFException). */
public class CJCommunicationsException extends RuntimeException {
    public CJCommunicationsException(String message, Throwable cause) {
        super(message, cause);
    }
}
