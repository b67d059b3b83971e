package dev.abortguard.boot.app;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The test opens it once its client has timed out: the handlers then write into a connection the
 * client already closed, deterministically, whatever the machine's speed.
 */
public final class Gate {

    private static volatile CountDownLatch clientGaveUp = new CountDownLatch(1);
    private static volatile CountDownLatch handlerDone = new CountDownLatch(1);

    private Gate() {}

    public static void reset() {
        clientGaveUp = new CountDownLatch(1);
        handlerDone = new CountDownLatch(1);
    }

    public static void clientGaveUp() {
        clientGaveUp.countDown();
    }

    public static void awaitClientGaveUp() {
        try {
            if (!clientGaveUp.await(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the client never timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static void handlerDone() {
        handlerDone.countDown();
    }

    public static boolean awaitHandlerDone() throws InterruptedException {
        return handlerDone.await(20, TimeUnit.SECONDS);
    }
}
