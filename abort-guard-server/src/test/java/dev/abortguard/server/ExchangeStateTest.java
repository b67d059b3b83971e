package dev.abortguard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class ExchangeStateTest {

    @Test
    void pathParametersSuchAsTheSessionIdNeverReachTheLogLine() {
        assertEquals("/orders/42", ExchangeState.withoutPathParameters("/orders;jsessionid=ABC123/42"));
        assertEquals("/orders/42", ExchangeState.withoutPathParameters("/orders/42;jsessionid=ABC123"));
        assertEquals("/a/b/", ExchangeState.withoutPathParameters("/a;x=1;y=2/b;z/"));
        String plain = "/orders/42";
        assertSame(plain, ExchangeState.withoutPathParameters(plain), "no copy on the common path");
        assertNull(ExchangeState.withoutPathParameters(null));
    }
}
