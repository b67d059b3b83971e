package dev.abortguard.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CausesTest {

    private static List<Throwable> walk(Throwable t, int maxDepth) {
        List<Throwable> seen = new ArrayList<>();
        Causes.chain(t, maxDepth).forEach(seen::add);
        return seen;
    }

    @Test
    void aCycleIsWalkedOncePerInstance() {
        IOException a = new IOException("a");
        IOException b = new IOException("b", a);
        a.initCause(b);
        assertEquals(List.of(a, b), walk(a, 10_000));
    }

    @Test
    void aLongCycleEndsWithinTwoLaps() {
        List<IOException> ring = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ring.add(new IOException("r" + i));
        }
        for (int i = 0; i < 20; i++) {
            ring.get(i).initCause(ring.get((i + 1) % 20));
        }
        List<Throwable> walked = walk(ring.get(0), 10_000);
        assertEquals(ring, walked.subList(0, 20), "the ring first, in order");
        assertTrue(walked.size() <= 3 * 20, "then cut within about two laps, not at the depth bound: " + walked.size());
    }

    @Test
    void aDeepChainIsCutAtTheBound() {
        Throwable t = new IOException("root");
        for (int i = 0; i < 20_000; i++) {
            t = new RuntimeException("wrapper", t); // a message of its own: toString() of 20,000 causes is quadratic
        }
        assertEquals(Causes.MAX_DEPTH, walk(t, Causes.MAX_DEPTH).size());
        assertEquals(10_000, walk(t, 10_000).size(), "linear, and every instance distinct");
    }

    @Test
    void aHostileGetCauseEndsTheChain() {
        RuntimeException hostile = new RuntimeException("hostile") {
            @Override
            public synchronized Throwable getCause() {
                throw new IllegalStateException("no");
            }
        };
        assertEquals(List.of(hostile), walk(new RuntimeException(hostile), 64).subList(1, 2));
        assertSame(hostile, Causes.root(new RuntimeException(hostile)));
        assertTrue(walk(null, 64).isEmpty());
    }

    @Test
    void identityMemoryIsBoundedAndAnswersByIdentity() {
        IdentityMemory memory = new IdentityMemory(8, 8);
        IOException first = new IOException("Broken pipe");
        assertFalse(memory.holds(first));
        memory.remember(first);
        assertTrue(memory.holds(first));
        assertFalse(memory.holds(new IOException("Broken pipe")), "equal text, other instance");
        assertTrue(memory.holdsAnyOf(new RuntimeException(first)));
        assertTrue(memory.reachedThrough(new RuntimeException(first), c -> c.getClass() == RuntimeException.class));
        assertFalse(memory.reachedThrough(new IllegalStateException(first), c -> c.getClass() == RuntimeException.class));
        List<IOException> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            IOException e = new IOException("x" + i);
            many.add(e);
            memory.remember(e);
        }
        assertEquals(8, many.stream().filter(memory::holds).count() + (memory.holds(first) ? 1 : 0),
                "never more than its slots");
    }
}
