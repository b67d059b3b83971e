package dev.abortguard.client.internal;

import dev.abortguard.client.ConnectionCloseReason;
import dev.abortguard.client.internal.TrackedConnection.IoFailure;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The close reason as a pure function of what a connection saw: every row can fail on its own. */
class TrackedConnectionReasonTest {

    @ParameterizedTest(name = "{0} stale={1} inExchange={2} complete={3} serverAskedClose={4} -> {5}")
    @CsvSource({
        // the connection's own failure decides first, whatever else is true
        "TIMEOUT,       false, true,  false, false, RESPONSE_TIMEOUT",
        "TIMEOUT,       true,  false, true,  true,  RESPONSE_TIMEOUT",
        "END_OF_STREAM, false, true,  false, false, SERVER_CLOSED",
        "OTHER,         false, true,  true,  true,  ERROR",
        // then the pool's stale check
        "NONE,          true,  false, false, false, SERVER_CLOSED",
        // idle in the pool
        "NONE,          false, false, false, false, EVICTED",
        "NONE,          false, false, true,  true,  EVICTED",
        // in an exchange
        "NONE,          false, true,  false, false, ABANDONED",
        "NONE,          false, true,  false, true,  ABANDONED",
        "NONE,          false, true,  true,  true,  SERVER_CONNECTION_CLOSE",
        "NONE,          false, true,  true,  false, NOT_REUSABLE",
    })
    void reason(IoFailure failure, boolean stale, boolean inExchange, boolean complete, boolean serverAskedClose,
            ConnectionCloseReason expected) {
        assertThat(TrackedConnection.reason(failure, stale, inExchange, complete, serverAskedClose)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "timeout, TIMEOUT",
        "no-response, END_OF_STREAM",
        "closed, END_OF_STREAM",
        "reset, OTHER",
        "io, OTHER",
    })
    void failureKind(String kind, IoFailure expected) {
        IOException e = switch (kind) {
            case "timeout" -> new SocketTimeoutException("Read timed out");
            case "no-response" -> new NoHttpResponseException("The target server failed to respond");
            case "closed" -> new ConnectionClosedException("Premature end of Content-Length delimited message body");
            // by class, never by text: a reset reads as any other error
            case "reset" -> new SocketException("Connection reset");
            default -> new IOException("Read timed out");
        };
        assertThat(TrackedConnection.kindOf(e)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', value = {
        "close|true",
        "Close|true",
        "keep-alive, close|true",
        " close ,upgrade|true",
        "keep-alive|false",
        "closed|false",
        "notclose|false",
        "''|false",
        "close-ish, x|false",
    })
    void closeToken(String value, boolean expected) {
        assertThat(TrackedConnection.hasCloseToken(value)).isEqualTo(expected);
    }
}
