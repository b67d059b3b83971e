package dev.abortguard.client.internal;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The default idempotency keys: random (version 4) UUIDs, 122 random bits each, from a ChaCha20
 * keystream keyed from the JVM's {@link SecureRandom}, with fast key erasure.
 *
 * <p>Why not {@code UUID.randomUUID()}: it asks the JVM's shared {@code SecureRandom} for 16 bytes on
 * every call — on Linux {@code NativePRNG}, a synchronized read of {@code /dev/urandom} mixed with
 * SHA1PRNG, per key — which was the largest part of a covered request's own cost, and a lock every
 * thread of the service meets. Drawing the same source in bulk does not help much: its cost is per
 * byte, not per call.
 *
 * <p>Why the keys stay unguessable: this is the construction of OpenBSD's {@code arc4random} and
 * Linux's {@code getrandom} — a stream cipher keystream under a secret key, where each block's first
 * 32 bytes replace the key before any of the block is used ("fast key erasure"). The first key comes
 * from {@code SecureRandom}, and every 1 MiB of output a fresh one does. Predicting a key means
 * breaking ChaCha20; and because the key that produced a block is gone before the block is handed
 * out, even reading the process's memory later reveals nothing about keys already issued. Each byte
 * goes into one key only and is zeroed once used.
 *
 * <p>Blocks are striped by thread, so concurrent callers rarely meet on one lock, and shared rather
 * than thread-local, so a service with a virtual thread per request does not key a cipher per request;
 * the stripes' locks are {@code ReentrantLock}s, on which a virtual thread does not pin its carrier.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class RandomKeys implements Supplier<String> {

    private static final int KEY_BYTES = 32;
    private static final int BLOCK_BYTES = 4096;
    /** A fresh key from SecureRandom after this many blocks (1 MiB of output). */
    private static final int BLOCKS_PER_SEED = 256;
    private static final int STRIPES = 8;
    private static final byte[] NONCE = new byte[12]; // a key is used for one block only

    private final SecureRandom seeds = new SecureRandom();
    private final Stripe[] stripes = new Stripe[STRIPES];

    public RandomKeys() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    @Override
    public String get() {
        Stripe stripe = stripes[(int) (Thread.currentThread().getId() & (STRIPES - 1))];
        long msb;
        long lsb;
        // a ReentrantLock, not synchronized: a virtual thread (Java 21+) would pin its carrier for the
        // refill's cipher work inside a monitor
        stripe.lock.lock();
        try {
            if (stripe.position == stripe.block.length) {
                stripe.refill(seeds);
            }
            msb = take(stripe);
            lsb = take(stripe);
        } finally {
            stripe.lock.unlock();
        }
        // version 4 (random) and the IETF variant, as UUID.randomUUID() sets them
        msb = (msb & 0xffffffffffff0fffL) | 0x0000000000004000L;
        lsb = (lsb & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    private static long take(Stripe stripe) {
        byte[] b = stripe.block;
        int p = stripe.position;
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (b[p + i] & 0xff);
            b[p + i] = 0;
        }
        stripe.position = p + 8;
        return value;
    }

    private static final class Stripe {
        private final ReentrantLock lock = new ReentrantLock();
        private final byte[] key = new byte[KEY_BYTES];
        private final byte[] zeros = new byte[KEY_BYTES + BLOCK_BYTES];
        /** The keystream: its first 32 bytes are the next key (erased at once), the rest are keys' bits. */
        private final byte[] block = new byte[KEY_BYTES + BLOCK_BYTES];
        private int position = block.length;
        private int blocksSinceSeed = BLOCKS_PER_SEED;
        private Cipher cipher;

        void refill(SecureRandom seeds) {
            if (blocksSinceSeed == BLOCKS_PER_SEED) {
                seeds.nextBytes(key);
                blocksSinceSeed = 0;
            }
            try {
                if (cipher == null) {
                    cipher = Cipher.getInstance("ChaCha20");
                }
                cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new ChaCha20ParameterSpec(NONCE, 0));
                cipher.doFinal(zeros, 0, zeros.length, block, 0);
            } catch (GeneralSecurityException e) {
                // ChaCha20 is in every Java 11+ runtime (SunJCE)
                throw new IllegalStateException("ChaCha20 is not available", e);
            }
            // fast key erasure: the next key is the start of this block, gone before the rest is used
            System.arraycopy(block, 0, key, 0, KEY_BYTES);
            Arrays.fill(block, 0, KEY_BYTES, (byte) 0);
            position = KEY_BYTES;
            blocksSinceSeed++;
        }
    }
}
