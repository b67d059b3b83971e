package com.mysql.cj.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * Test stand-in for Connector/J's packet sender: writes packets to the database socket from a frame
 * of the driver's own package, as the real driver does, until the socket fails.
 */
public final class StandInPacketSender {

    private StandInPacketSender() {
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
        byte[] packet = new byte[8192];
        for (long sent = 0; sent < maxBytes; sent += packet.length) {
            out.write(packet);
        }
        throw new AssertionError("the database socket never failed");
    }
}
