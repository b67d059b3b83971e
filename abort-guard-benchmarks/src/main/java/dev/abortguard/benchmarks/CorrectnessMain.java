package dev.abortguard.benchmarks;

import dev.abortguard.server.ClientAbortClassifier;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Runs each classifier over the whole {@link Corpus} (the cyclic entry too, with a 2 s limit per
 * verdict) and writes {@code correctness.tsv}: entry, truth, and each implementation's verdict
 * ({@code true}, {@code false}, {@code hang} or {@code error:Type}); and, next to it,
 * {@code classifier-work.properties} (see {@link #writeWork}).
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
            w.println("entry\ttruth\tabortGuard\tspring\tnaive");
            for (Corpus.Entry e : corpus) {
                w.println(e.name + "\t" + e.abort + "\t" + verdict(pool, Corpus.ABORT_GUARD, e.throwable)
                        + "\t" + verdict(pool, Corpus.SPRING, e.throwable) + "\t" + verdict(pool, Corpus.NAIVE, e.throwable));
            }
        }
        Path work = out.resolveSibling("classifier-work.properties");
        writeWork(corpus, work);
        System.out.println("correctness: " + corpus.size() + " entries -> " + out + ", " + work);
        System.exit(0); // a hung verdict thread may still be spinning
    }

    /**
     * Facts about the timed (acyclic) part of the corpus that the report cites when the classifier
     * target is missed, derived from the throwables and the classifier's public rules only:
     * how many throwables the cause chains hold (an abort verdict is final only once the whole chain
     * has been checked for an exclusion) and how many throwables may need their stack trace copied
     * (an {@code IOException} whose message has an abort phrase, or a Jetty {@code EofException}).
     */
    private static void writeWork(List<Corpus.Entry> corpus, Path file) throws IOException {
        ClientAbortClassifier rules = ClientAbortClassifier.standard();
        int entries = 0;
        int throwables = 0;
        int abortEntries = 0;
        int abortThrowables = 0;
        int stackCandidates = 0;
        int stackCandidateEntries = 0;
        int stackFrames = 0;
        for (Corpus.Entry e : corpus) {
            if (e.cyclic) {
                continue;
            }
            entries++;
            int chain = 0;
            int candidates = 0;
            for (Throwable t = e.throwable; t != null && chain < rules.maxCauseDepth(); t = t.getCause() == t ? null : t.getCause()) {
                chain++;
                if (isJettyEof(t) || (t instanceof IOException && hasAbortPhrase(t, rules))) {
                    candidates++;
                    stackFrames += t.getStackTrace().length;
                }
            }
            throwables += chain;
            stackCandidates += candidates;
            if (candidates > 0) {
                stackCandidateEntries++;
            }
            if (Corpus.ABORT_GUARD.test(e.throwable)) {
                abortEntries++;
                abortThrowables += chain;
            }
        }
        Properties p = new Properties();
        p.setProperty("timed.entries", String.valueOf(entries));
        p.setProperty("timed.throwables", String.valueOf(throwables));
        p.setProperty("timed.abortVerdicts", String.valueOf(abortEntries));
        p.setProperty("timed.abortVerdicts.throwables", String.valueOf(abortThrowables));
        p.setProperty("timed.stackCandidates", String.valueOf(stackCandidates));
        p.setProperty("timed.stackCandidates.entries", String.valueOf(stackCandidateEntries));
        p.setProperty("timed.stackCandidates.frames", String.valueOf(stackFrames));
        p.setProperty("maxCauseDepth", String.valueOf(rules.maxCauseDepth()));
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "classifier work on the timed corpus (CorrectnessMain)");
        }
    }

    private static boolean isJettyEof(Throwable t) {
        for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().equals("org.eclipse.jetty.io.EofException")) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasAbortPhrase(Throwable t, ClientAbortClassifier rules) {
        String m = t.getMessage();
        if (m == null) {
            return false;
        }
        String normalized = m.toLowerCase(Locale.ROOT);
        for (String phrase : rules.abortMessages()) {
            if (normalized.contains(phrase)) {
                return true;
            }
        }
        return false;
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
