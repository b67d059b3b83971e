package org.springframework.web.context.request.async;

import java.io.IOException;

/** Test stand-in with the fully qualified name of Spring MVC 6.1's type (no Spring dependency). */
public class AsyncRequestNotUsableException extends IOException {
    public AsyncRequestNotUsableException(String message, Throwable cause) {
        super(message, cause);
    }
}
