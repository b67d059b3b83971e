package org.springframework.web.client;

/** Test stand-in for RestClient/RestTemplate's I/O failure (spring-framework #34264's false positive). */
public class ResourceAccessException extends RuntimeException {
    public ResourceAccessException(String message, Throwable cause) {
        super(message, cause);
    }
}
