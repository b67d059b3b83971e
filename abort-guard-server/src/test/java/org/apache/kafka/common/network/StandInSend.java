package org.apache.kafka.common.network;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Test stand-in for the Kafka client's network send: writes to the broker's NIO channel from a
 * frame of the client's own package, as the real client does, until the channel fails.
 */
public final class StandInSend {

    private StandInSend() {
    }

    /**
     * Sends {@code head}, reads the reply until the broker closes the connection, then goes on
     * writing as the next send would, until the channel fails: the JDK's own "Broken pipe", thrown
     * under this frame.
     */
    public static void sendUntilFailure(SocketChannel channel, byte[] head, long maxBytes) throws IOException {
        channel.write(ByteBuffer.wrap(head));
        ByteBuffer reply = ByteBuffer.allocate(8192);
        while (channel.read(reply) != -1) {
            reply.clear(); // the reply, then the broker's FIN
        }
        ByteBuffer batch = ByteBuffer.allocate(8192);
        for (long sent = 0; sent < maxBytes; sent += batch.capacity()) {
            batch.clear();
            while (batch.hasRemaining()) {
                channel.write(batch);
            }
        }
        throw new AssertionError("the broker channel never failed");
    }
}
