package dev.abortguard.examples.seed;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's first command must keep printing what it promises. */
class SeedDemoTest {

    @Test
    void beforeAndAfter() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        SeedDemo.Run[] runs = SeedDemo.demo(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String out = buffer.toString(StandardCharsets.UTF_8);
        SeedDemo.Run without = runs[0];
        SeedDemo.Run with = runs[1];

        assertTrue(Integer.parseInt(without.errors) >= 1, "the seed's handler logs aborts as ERROR: " + out);
        assertEquals("0", without.abortLines);
        assertEquals("2", without.unknowns, out);

        assertEquals("0", with.errors, out);
        assertEquals(with.abortCount, with.abortLines, "one line per counted abort");
        assertTrue(Integer.parseInt(with.abortLines) >= 2, out);
        assertEquals("0", with.unknowns, out);
        assertEquals("COMPLETED (status check), paid once", with.slowPayment);
        assertEquals("NOT_APPLIED -> resent, paid once", with.droppedPayment);
        assertTrue(out.contains("status check GET /payments/"), out);
        assertTrue(out.contains("resend with the same key"), out);
        assertTrue(out.contains("=== Summary ==="), out);
    }
}
