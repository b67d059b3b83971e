package redis.clients.jedis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * Test stand-in for Jedis' connection: writes commands to the Redis socket from a frame of the
 * client's own package, as the real client does, until the socket fails.
 */
public final class StandInConnection {

    private StandInConnection() {
    }

    /**
     * Sends {@code head}, reads the reply until the server closes the connection, then goes on
     * writing as a pooled connection's next use would, until the socket fails: the JDK's own
     * "Broken pipe", thrown under this frame.
     */
    public static void sendUntilFailure(Socket socket, byte[] head, long maxBytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(head);
        InputStream in = socket.getInputStream();
        byte[] reply = new byte[8192];
        while (in.read(reply) != -1) {
            // the reply, then the server's FIN
        }
        byte[] command = new byte[8192];
        for (long sent = 0; sent < maxBytes; sent += command.length) {
            out.write(command);
        }
        throw new AssertionError("the Redis socket never failed");
    }
}
