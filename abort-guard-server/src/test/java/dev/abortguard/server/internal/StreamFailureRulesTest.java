package dev.abortguard.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rules deciding whether a wrapper's I/O failure is this request's abort, as a table; no I/O. */
class StreamFailureRulesTest {

    @ParameterizedTest(name = "closed={0} completed={1} reported={2} bytes={3} declared={4} len={5}")
    @CsvSource({
            // closed, completed, reported, bytes, declared, length, response, write, close, read
            "false, false, false,  0,  -1,  8, true,  true,  true,  true",   // mid-exchange: the client
            "true,  false, false,  0,  -1,  8, false, false, false, true",   // after the app closed: its bug
            "false, true,  false,  0,  -1,  8, false, false, false, false",  // after normal completion: its bug
            "false, true,  true,   0,  -1,  8, true,  true,  true,  true",   // ended by the abort: the same abort
            "false, false, false,  3,   3,  1, false, false, false, true",   // declared length reached
            "false, false, false,  0,   3,  8, true,  false, false, true",   // a write past the declared length
            "false, false, false,  2,   3,  1, true,  true,  false, true",   // a close short of the declared length
    })
    void table(boolean closed, boolean completed, boolean reported, long bytes, long declared, int length,
               boolean response, boolean write, boolean close, boolean read) {
        StreamFailureRules.Moment m = new StreamFailureRules.Moment(closed, completed, reported, bytes, declared);
        assertEquals(response, StreamFailureRules.responseFailure(m), "flush");
        assertEquals(write, StreamFailureRules.writeFailure(m, length), "write");
        assertEquals(close, StreamFailureRules.closeFailure(m), "close");
        assertEquals(read, StreamFailureRules.readFailure(m), "read");
    }
}
