package redis.clients.jedis;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;

/**
 * Test stand-in for Jedis' connection: writes commands to the Redis socket from a frame of the
 * client's own package, as the real client does, until the socket fails.
 */
public final class StandInConnection {

    private StandInConnection() {
    }

    /** Writes until the socket fails; the failure is the JDK's own, thrown under this frame. */
    public static void sendUntilFailure(Socket socket, byte[] head, long maxBytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(head);
        byte[] command = new byte[8192];
        for (long sent = 0; sent < maxBytes; sent += command.length) {
            out.write(command);
        }
        throw new AssertionError("the Redis socket never failed");
    }
}
