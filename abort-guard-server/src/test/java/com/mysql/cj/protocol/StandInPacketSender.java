package com.mysql.cj.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;

/**
 * Test stand-in for Connector/J's packet sender: writes packets to the database socket from a frame
 * of the driver's own package, as the real driver does, until the socket fails.
 */
public final class StandInPacketSender {

    private StandInPacketSender() {
    }

    /** Writes until the socket fails; the failure is the JDK's own, thrown under this frame. */
    public static void sendUntilFailure(Socket socket, byte[] head, long maxBytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(head);
        byte[] packet = new byte[8192];
        for (long sent = 0; sent < maxBytes; sent += packet.length) {
            out.write(packet);
        }
        throw new AssertionError("the database socket never failed");
    }
}
