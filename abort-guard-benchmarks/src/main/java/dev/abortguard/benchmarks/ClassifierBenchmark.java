package dev.abortguard.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * ns per verdict over the acyclic part of {@link Corpus} (the cyclic entry is left out of the
 * timing because Spring's helper does not return on it; {@link CorrectnessMain} counts it).
 * One operation = one throwable classified; the corpus is walked in order.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ClassifierBenchmark {

    private Throwable[] corpus;

    @Setup
    public void setUp() {
        corpus = Corpus.acyclic();
        if (corpus.length != 15) { // keep @OperationsPerInvocation in step with the corpus
            throw new IllegalStateException();
        }
    }

    @Benchmark
    @OperationsPerInvocation(15)
    public int abortGuard() {
        int n = 0;
        for (Throwable t : corpus) {
            if (Corpus.ABORT_GUARD.test(t)) {
                n++;
            }
        }
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(15)
    public int springDisconnectedClientHelper() {
        int n = 0;
        for (Throwable t : corpus) {
            if (Corpus.SPRING.test(t)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Not a classifier: walking each chain to its end (depth 64 at most) with {@code getCause()}, a
     * {@code synchronized} method of {@link Throwable}, and nothing else. abort-guard walks every
     * chain to its end (an exclusion anywhere vetoes), so this is what its rules cost on top of.
     */
    @Benchmark
    @OperationsPerInvocation(15)
    public int causeWalkOnly() {
        int n = 0;
        for (Throwable t : corpus) {
            Throwable current = t;
            for (int depth = 0; current != null && depth < 64; depth++) {
                n++;
                Throwable cause = current.getCause();
                current = cause == current ? null : cause;
            }
        }
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(15)
    public int naiveBrokenPipe() {
        int n = 0;
        for (Throwable t : corpus) {
            if (Corpus.NAIVE.test(t)) {
                n++;
            }
        }
        return n;
    }
}
