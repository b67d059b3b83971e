package dev.abortguard.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class RequestPathsTest {

    @Test
    void pathParametersSuchAsTheSessionIdNeverReachTheLogLine() {
        assertEquals("/orders/42", RequestPaths.withoutPathParameters("/orders;jsessionid=ABC123/42"));
        assertEquals("/orders/42", RequestPaths.withoutPathParameters("/orders/42;jsessionid=ABC123"));
        assertEquals("/a/b/", RequestPaths.withoutPathParameters("/a;x=1;y=2/b;z/"));
        String plain = "/orders/42";
        assertSame(plain, RequestPaths.withoutPathParameters(plain), "no copy on the common path");
        assertNull(RequestPaths.withoutPathParameters(null));
    }
}
