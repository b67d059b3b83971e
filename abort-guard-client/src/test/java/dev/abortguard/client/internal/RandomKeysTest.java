package dev.abortguard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class RandomKeysTest {

    @Test
    void keysAreVersion4UuidsAsUuidRandomUuidMakesThem() {
        RandomKeys keys = new RandomKeys();
        for (int i = 0; i < 10_000; i++) {
            String key = keys.get();
            UUID uuid = UUID.fromString(key);
            assertThat(uuid.version()).isEqualTo(4);
            assertThat(uuid.variant()).isEqualTo(2);
            assertThat(key).hasSize(36).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        }
    }

    @Test
    void noKeyRepeatsAcrossBlocksAndThreads() throws Exception {
        RandomKeys keys = new RandomKeys();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                futures.add(threads.submit(() -> {
                    int added = 0;
                    for (int i = 0; i < 50_000; i++) {
                        added += seen.add(keys.get()) ? 1 : 0;
                    }
                    return added;
                }));
            }
            int added = 0;
            for (Future<Integer> f : futures) {
                added += f.get();
            }
            assertThat(added).isEqualTo(400_000);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aLongRunOnOneThreadCrossesBlocksAndAReseedWithoutARepeat() {
        // 256 keys per block and a fresh SecureRandom key every 256 blocks: 70,000 keys cross both
        RandomKeys keys = new RandomKeys();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 70_000; i++) {
            assertThat(seen.add(keys.get())).isTrue();
        }
    }

    @Test
    void everyHexDigitIsUsedEvenlyEnoughToBeRandomBits() {
        // a crude check that the bits are not stuck: over 20,000 keys each of the 16 hex digits of the
        // random positions appears about 1/16 of the time (a block reused or zeroed would skew it badly)
        RandomKeys keys = new RandomKeys();
        int[] counts = new int[16];
        int total = 0;
        for (int i = 0; i < 20_000; i++) {
            String key = keys.get().replace("-", "");
            for (int p = 0; p < 32; p++) {
                if (p == 12 || p == 16) {
                    continue; // version and variant
                }
                counts[Character.digit(key.charAt(p), 16)]++;
                total++;
            }
        }
        for (int count : counts) {
            assertThat((double) count / total).isBetween(0.055, 0.07);
        }
        Set<Integer> distinct = new HashSet<>();
        for (int c : counts) {
            distinct.add(c);
        }
        assertThat(distinct).hasSizeGreaterThan(1);
    }
}
