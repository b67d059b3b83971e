package dev.abortguard.server;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A set of at most {@code max} keys that admits new ones until it is full, exactly: route tags and
 * route counters must not grow past their bound however many threads record at once. Known keys
 * are answered without a lock; only a key seen for the first time, while there is room, takes one
 * (that happens at most {@code max} times in the life of the set).
 */
final class BoundedKeys {

    private final int max;
    private final ConcurrentHashMap<String, Boolean> keys = new ConcurrentHashMap<>();
    private volatile boolean full;

    BoundedKeys(int max) {
        this.max = max;
    }

    /** Whether {@code key} is (now) one of the kept keys; {@code false} once the set is full. */
    boolean admit(String key) {
        if (keys.containsKey(key)) {
            return true;
        }
        if (full) {
            return false;
        }
        synchronized (this) {
            if (keys.containsKey(key)) {
                return true;
            }
            if (keys.size() >= max) {
                full = true;
                return false;
            }
            keys.put(key, Boolean.TRUE);
            if (keys.size() >= max) {
                full = true;
            }
            return true;
        }
    }
}
