package dev.abortguard.client.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One route's retry budget: within any sliding window, the recovery steps (retries, resends,
 * status checks, cancels) may number at most {@code ratio} × the first attempts sent in that window
 * plus {@code minPerSecond} × the window's seconds. This is Finagle's {@code RetryBudget} (20 % of
 * requests plus 10 retries per second over 10 s by default): the ratio keeps recovery a bounded
 * fraction of the load a healthy route carries, and the floor lets a quiet route (a few requests a
 * minute) still recover every failure, which a ratio alone would refuse.
 *
 * <p>Why a budget and not only {@code maxAttempts}: {@code maxAttempts} bounds one request; under an
 * overloaded upstream every request fails at once, and 3 attempts each turns the overload into
 * three times the load. The budget bounds what all requests of a route add together.
 *
 * <p>The window is ten slots; a slot is reset by the first caller that finds it stale. Deposits (the
 * happy path: one per first attempt) are a single atomic increment, no lock. A withdrawal checks
 * and takes a token under this object's monitor, so concurrent callers never overdraw it; only the
 * reset of a stale slot races with a deposit into it, which can lose that one deposit (the budget
 * errs towards refusing, never towards extra load).
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class RetryBudget {

    private static final int SLOTS = 10;

    private final double ratio;
    private final long reserve;
    private final long slotNanos;
    // per slot: [epoch, deposits, withdrawals]
    private final AtomicLongArray slots = new AtomicLongArray(SLOTS * 3);

    /**
     * @param ratio recovery steps per first attempt, 0..1
     * @param minPerSecond recovery steps always allowed per second of the window
     * @param window the sliding window
     */
    public RetryBudget(double ratio, int minPerSecond, Duration window) {
        this.ratio = ratio;
        this.slotNanos = Math.max(1, window.toNanos() / SLOTS);
        this.reserve = (long) Math.ceil(minPerSecond * (window.toNanos() / 1e9));
        for (int i = 0; i < SLOTS; i++) {
            slots.set(i * 3, Long.MIN_VALUE);
        }
    }

    /** A first attempt was sent: it earns {@code ratio} of a recovery step. */
    public void deposit(long nowNanos) {
        slots.incrementAndGet(slot(nowNanos) + 1);
    }

    /** Whether a recovery step could be taken now (a peek: another caller may take it first). */
    public boolean hasToken(long nowNanos) {
        return available(nowNanos) >= 1;
    }

    /** Takes a token for one recovery step; false when the budget is spent. */
    public synchronized boolean tryWithdraw(long nowNanos) {
        if (available(nowNanos) < 1) {
            return false;
        }
        slots.incrementAndGet(slot(nowNanos) + 2);
        return true;
    }

    private double available(long nowNanos) {
        long epoch = Math.floorDiv(nowNanos, slotNanos);
        long deposits = 0;
        long withdrawals = 0;
        for (int i = 0; i < SLOTS; i++) {
            long slotEpoch = slots.get(i * 3);
            if (slotEpoch > epoch - SLOTS && slotEpoch <= epoch) {
                deposits += slots.get(i * 3 + 1);
                withdrawals += slots.get(i * 3 + 2);
            }
        }
        return ratio * deposits + reserve - withdrawals;
    }

    /** The index of the current slot's epoch cell, reset first when it holds an older epoch. */
    private int slot(long nowNanos) {
        long epoch = Math.floorDiv(nowNanos, slotNanos);
        int base = (int) Math.floorMod(epoch, (long) SLOTS) * 3;
        long seen = slots.get(base);
        if (seen != epoch && seen < epoch && slots.compareAndSet(base, seen, epoch)) {
            slots.set(base + 1, 0);
            slots.set(base + 2, 0);
        }
        return base;
    }
}
