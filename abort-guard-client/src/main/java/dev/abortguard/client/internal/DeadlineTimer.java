package dev.abortguard.client.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exchange-deadline timer of one wrapped client: every attempt arms a deadline of the same
 * length, nearly every one is disarmed microseconds later, and only a stalled exchange ever fires.
 *
 * <p>Why not a {@code ScheduledThreadPoolExecutor}: with remove-on-cancel its queue is empty
 * between requests, so each new deadline becomes the head of the queue and wakes the timer thread
 * to re-arm its wait: a futex wake and a context switch per request, about 5 µs of the 60 µs a
 * loopback request costs (measured by {@code bench/run}); without remove-on-cancel, canceled tasks,
 * and the requests they reference, stay queued for the whole deadline. Here all deadlines have the
 * same length, so they come due in the order they were armed: a FIFO queue is enough. Arming is one
 * lock-free append, disarming one atomic write that also drops the reference to the exchange; the
 * thread wakes only when the oldest deadline comes due or a {@link #SWEEP_INTERVAL} passes (to
 * drop disarmed entries), and never parks past the earliest moment a new deadline could come due,
 * so that arming never has to wake it.
 *
 * <p>The one thread is created on the first armed deadline by the given factory and ends after
 * {@code keepAlive} without armed deadlines, so an idle or forgotten client holds no thread.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class DeadlineTimer implements AutoCloseable {

    // The logger name users configured before the class moved to the internal package.
    private static final Logger LOG = LoggerFactory.getLogger("dev.abortguard.client.DeadlineTimer");

    /** Longest time disarmed entries stay queued behind an armed deadline that is not yet due. */
    public static final long SWEEP_INTERVAL = TimeUnit.SECONDS.toNanos(1);

    private final long delayNanos;
    private final long keepAliveNanos;
    private final ThreadFactory threads;
    private final ConcurrentLinkedQueue<Deadline> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean closed;
    private volatile Thread worker;
    /** When the parked worker wakes by itself; an earlier deadline must unpark it. */
    private volatile long wakeAt;

    public DeadlineTimer(Duration delay, Duration keepAlive, ThreadFactory threads) {
        this.delayNanos = delay.toNanos();
        this.keepAliveNanos = keepAlive.toNanos();
        this.threads = threads;
    }

    /**
     * Arms a deadline that runs {@code action} once, {@code delay} from now, unless it is disarmed
     * first. After {@link #close()} nothing is armed and {@link Deadline#NONE} is returned.
     */
    public Deadline arm(Runnable action) {
        if (closed) {
            return Deadline.NONE;
        }
        Deadline deadline = new Deadline(System.nanoTime() + delayNanos, action);
        queue.offer(deadline);
        if (!running.get() && running.compareAndSet(false, true)) {
            start();
        } else if (deadline.due - wakeAt < 0) {
            // Only for a worker that read its clock after this deadline's and parked on an empty
            // queue: otherwise it never parks past the earliest possible due time.
            LockSupport.unpark(worker);
        }
        return deadline;
    }

    private void start() {
        Thread thread;
        try {
            thread = threads.newThread(this::work);
            worker = thread;
            thread.start();
        } catch (RuntimeException | Error e) {
            running.set(false);
            throw e;
        }
    }

    private void work() {
        long nextSweep = System.nanoTime() + SWEEP_INTERVAL;
        long idleSince = System.nanoTime();
        while (!closed) {
            long now = System.nanoTime();
            Deadline head = queue.peek();
            if (head != null && !head.armed()) {
                queue.poll();
                continue;
            }
            if (head != null && head.due - now <= 0) {
                queue.poll();
                head.fire();
                continue;
            }
            if (now - nextSweep >= 0) {
                queue.removeIf(d -> !d.armed());
                nextSweep = now + SWEEP_INTERVAL;
                continue;
            }
            long until;
            if (head == null) {
                if (now - idleSince - keepAliveNanos >= 0 && retire()) {
                    return;
                }
                // A deadline armed from now on is due no earlier than now + delay; waking by then
                // (or at the sweep, for the disarmed entries queued meanwhile) spares arm() an
                // unpark, a context switch per request in a closed loop that empties the queue.
                long retireAt = idleSince + keepAliveNanos;
                long firstPossibleDue = now + Math.min(delayNanos, SWEEP_INTERVAL);
                until = retireAt - firstPossibleDue < 0 ? retireAt : firstPossibleDue;
            } else {
                idleSince = now;
                until = head.due - nextSweep < 0 ? head.due : nextSweep;
            }
            wakeAt = until;
            // An arm() that did not see this wakeAt appended before this peek, and is seen by it.
            if (queue.peek() != head) {
                continue;
            }
            LockSupport.parkNanos(this, until - now);
        }
        queue.clear();
    }

    /** Ends the worker if the queue is still empty; {@code false} when an arm() came in between. */
    private boolean retire() {
        running.set(false);
        if (queue.isEmpty() || !running.compareAndSet(false, true)) {
            return true; // empty, or a new arm() already started its own worker
        }
        return false;
    }

    /** Drops every armed deadline without running it and lets the worker end. */
    @Override
    public void close() {
        closed = true;
        Thread thread = worker;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
        Deadline d;
        while ((d = queue.poll()) != null) {
            d.disarm();
        }
    }

    /** One armed exchange deadline; {@link #disarm()} and the timer race for it exactly once. */
    public static final class Deadline {

        /** No deadline configured: nothing to disarm. */
        public static final Deadline NONE = new Deadline(0, null);

        private static final VarHandle ACTION;

        static {
            try {
                ACTION = MethodHandles.lookup().findVarHandle(Deadline.class, "action", Runnable.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final long due;
        /** The exchange to cancel; {@code null} once disarmed or fired, so nothing is kept alive. */
        @SuppressWarnings("unused") // through ACTION
        private volatile Runnable action;

        private Deadline(long due, Runnable action) {
            this.due = due;
            this.action = action;
        }

        public boolean armed() {
            return action != null;
        }

        /** Disarms it; the action never runs if this wins (it may be running if the timer won). */
        public void disarm() {
            if (action != null) {
                ACTION.setVolatile(this, null);
            }
        }

        private void fire() {
            Runnable run = (Runnable) ACTION.getAndSet(this, null);
            if (run == null) {
                return;
            }
            try {
                run.run();
            } catch (RuntimeException | Error e) {
                // The worker must survive: it holds the deadlines of every other request of this client.
                LOG.error("Exchange deadline action failed", e);
            }
        }
    }
}
