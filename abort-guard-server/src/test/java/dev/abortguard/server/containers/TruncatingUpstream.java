package dev.abortguard.server.containers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 backend that declares {@code Content-Length: 100000}, sends 1,000 bytes of the body
 * and closes the connection (FIN): the handler's own client reads a body cut short by its backend.
 */
final class TruncatingUpstream implements AutoCloseable {

    private final ServerSocket socket;

    TruncatingUpstream() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "truncating-backend");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try (Socket s = socket.accept()) {
                InputStream in = s.getInputStream();
                int matched = 0;
                byte[] end = {'\r', '\n', '\r', '\n'};
                int b;
                while (matched < 4 && (b = in.read()) != -1) {
                    matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
                }
                OutputStream out = s.getOutputStream();
                out.write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[1000]);
                out.flush();
            } catch (IOException e) {
                // closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
