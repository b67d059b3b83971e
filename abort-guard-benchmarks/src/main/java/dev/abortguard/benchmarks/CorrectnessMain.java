package dev.abortguard.benchmarks;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Runs each classifier over the whole {@link Corpus} (the cyclic entry too, with a 2 s limit per
 * verdict) and writes {@code correctness.tsv}: entry, truth, and each implementation's verdict
 * ({@code true}, {@code false}, {@code hang} or {@code error:Type}).
 */
public final class CorrectnessMain {

    private CorrectnessMain() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "correctness.tsv");
        List<Corpus.Entry> corpus = Corpus.all();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "verdict");
            t.setDaemon(true); // a hung verdict must not keep the JVM alive
            return t;
        });
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8))) {
            w.println("entry\ttruth\tabortGuard\tspring\tnaive\tabortGuardClassValuePrototype");
            for (Corpus.Entry e : corpus) {
                w.println(e.name + "\t" + e.abort + "\t" + verdict(pool, Corpus.ABORT_GUARD, e.throwable)
                        + "\t" + verdict(pool, Corpus.SPRING, e.throwable) + "\t" + verdict(pool, Corpus.NAIVE, e.throwable)
                        + "\t" + verdict(pool, Corpus.ABORT_GUARD_CLASSVALUE, e.throwable));
            }
        }
        System.out.println("correctness: " + corpus.size() + " entries -> " + out);
        System.exit(0); // a hung verdict thread may still be spinning
    }

    private static String verdict(ExecutorService pool, Predicate<Throwable> impl, Throwable t) throws IOException {
        Future<Boolean> f = pool.submit(() -> impl.test(t));
        try {
            return String.valueOf(f.get(2, TimeUnit.SECONDS));
        } catch (TimeoutException e) {
            f.cancel(true);
            return "hang";
        } catch (Exception e) {
            return "error:" + (e.getCause() != null ? e.getCause().getClass().getSimpleName() : e.getClass().getSimpleName());
        }
    }
}
