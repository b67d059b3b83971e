package dev.abortguard.examples.overload;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's overload command as a user runs it ({@code java -jar examples/overload-demo/target/overload-demo.jar}),
 * in a fresh JVM after {@code package}, at a short scale ({@code -Doverload.demo.scale}, 0.5 unless
 * the build passes another): the abort-guard column must show what #13 promises, read from the
 * printed table.
 */
class OverloadDemoJarIT {

    private static final int RAW = 1;
    private static final int GUARDED = 3;

    @Test
    void theReadmesOverloadCommandPrintsTheBeforeAndAfter() throws Exception {
        Path jar = Path.of("target", "overload-demo.jar");
        assertTrue(Files.isRegularFile(jar), "the shaded jar is built by package: " + jar.toAbsolutePath());
        String scale = System.getProperty("overload.demo.scale", "0.5");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Doverload.demo.scale=" + scale, "-jar", jar.toString())
                .redirectErrorStream(true).start();
        long start = System.nanoTime();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        boolean ended = process.waitFor(3, TimeUnit.MINUTES);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (!ended) {
            process.destroyForcibly();
        }
        String out = output.get(10, TimeUnit.SECONDS);

        assertTrue(ended, "the demo ends on its own:\n" + out);
        assertEquals(0, process.exitValue(), out);
        assertTrue(out.contains("=== Summary ==="), out);
        String[] header = cells(out, "");
        assertEquals("raw HttpClient 5", header[RAW], out);
        assertEquals("abort-guard", header[GUARDED], out);
        for (String row : new String[] {"requests served", "upstream 503s", "POSTs processed twice", "unknown outcomes",
            "latency at the caller", "connections opened", "TIME_WAIT on the upstream's port", "upstream requests per client request"}) {
            assertTrue(!cells(out, row)[RAW].isEmpty(), "the raw run's row '" + row + "':\n" + out);
        }

        String[] served = cells(out, "requests served")[GUARDED].split(" of ");
        int placed = Integer.parseInt(served[0]);
        int orders = Integer.parseInt(served[1]);
        assertTrue(placed >= 0.95 * orders, "at least 95% of the orders placed:\n" + out);
        assertEquals("0", cells(out, "POSTs processed twice")[GUARDED], out);
        assertEquals("0", cells(out, "unknown outcomes")[GUARDED], out);
        double amplification = Double.parseDouble(cells(out, "upstream requests per client request")[GUARDED]);
        assertTrue(amplification <= 1.1, "at most 1.1 upstream requests per order:\n" + out);
        int connections = Integer.parseInt(cells(out, "connections opened")[GUARDED]);
        // bounded by the in-flight limit (the pool itself is 64), not by the number of orders
        assertTrue(connections <= OverloadDemo.UPSTREAM_LIMIT + 4, "connections opened bounded by the limit:\n" + out);
        assertTrue(took.compareTo(Duration.ofMinutes(1)) < 0, "the README promises under a minute, took " + took);
    }

    /** The cells of the summary row whose label starts with {@code label} ("" is the header), label first. */
    private static String[] cells(String out, String label) {
        boolean inSummary = false;
        for (String line : out.split("\\R")) {
            if (line.equals("=== Summary ===")) {
                inSummary = true;
                continue;
            }
            if (inSummary && line.contains("|") && line.substring(0, line.indexOf('|')).trim().startsWith(label)) {
                String[] cells = line.split("\\|");
                for (int i = 0; i < cells.length; i++) {
                    cells[i] = cells[i].trim();
                }
                return cells;
            }
        }
        return fail("no row '" + label + "' in the summary:\n" + out);
    }

    private static String read(InputStream in) {
        try (in) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            in.transferTo(buffer);
            return buffer.toString(StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "<output unreadable: " + e + ">";
        }
    }
}
