package dev.abortguard.examples.seed;

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

/**
 * The README's first command, as a user runs it: {@code java -jar examples/seed-demo/target/seed-demo.jar}
 * in a fresh JVM, after {@code package}. {@link SeedDemoTest} checks the figures in process; this
 * checks that the shaded jar starts, prints the before/after and ends on its own, within the
 * minute the README promises.
 */
class SeedDemoJarIT {

    @Test
    void theReadmesFirstCommandPrintsTheBeforeAndAfter() throws Exception {
        Path jar = Path.of("target", "seed-demo.jar");
        assertTrue(Files.isRegularFile(jar), "the shaded jar is built by package: " + jar.toAbsolutePath());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-jar", jar.toString()).redirectErrorStream(true).start();
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
        assertTrue(out.contains("INFO") && out.contains("Client aborted"), "one-line INFO aborts:\n" + out);
        assertTrue(out.contains("status check GET /payments/"), "the client's recovery trail:\n" + out);
        assertTrue(out.contains("resend with the same key"), out);
        assertTrue(out.contains("outcomes left unknown"), out);
        assertTrue(took.compareTo(Duration.ofMinutes(1)) < 0, "the README promises under a minute, took " + took);
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
