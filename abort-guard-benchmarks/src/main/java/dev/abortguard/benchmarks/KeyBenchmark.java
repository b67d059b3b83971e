package dev.abortguard.benchmarks;

import dev.abortguard.client.internal.RandomKeys;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * One idempotency key: {@code UUID.randomUUID().toString()} (the baseline, the policy's old default)
 * vs {@link RandomKeys} (the same kind of key from the same randomness, drawn 4 KiB at a time), on
 * one thread and on two (the machine's cores) to see the shared source's lock.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KeyBenchmark {

    private final RandomKeys keys = new RandomKeys();

    @Benchmark
    public String uuidRandomUuid() {
        return UUID.randomUUID().toString();
    }

    @Benchmark
    public String randomKeys() {
        return keys.get();
    }

    @Benchmark
    @Threads(2)
    public String uuidRandomUuidTwoThreads() {
        return UUID.randomUUID().toString();
    }

    @Benchmark
    @Threads(2)
    public String randomKeysTwoThreads() {
        return keys.get();
    }
}
