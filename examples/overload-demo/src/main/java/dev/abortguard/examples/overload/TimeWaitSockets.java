package dev.abortguard.examples.overload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Sockets in TIME_WAIT on this host for one TCP port, read from {@code /proc/net/tcp} and
 * {@code /proc/net/tcp6} (state {@code 06}), split by side: a socket whose local port is the port
 * belongs to the server listening on it (it closed first), one whose remote port is the port
 * belongs to a caller of that server (the caller closed first).
 *
 * @param serverSide TIME_WAIT sockets with the port as their local port
 * @param callerSide TIME_WAIT sockets with the port as their remote port
 * @param readable whether {@code /proc/net/tcp} could be read (Linux only)
 */
public record TimeWaitSockets(int serverSide, int callerSide, boolean readable) {

    private static final String TIME_WAIT = "06";

    /** @return both sides together */
    public int total() {
        return serverSide + callerSide;
    }

    /**
     * Counts the TIME_WAIT sockets for a port now.
     *
     * @param port the server's port
     * @return the counts; {@code readable} false when neither file exists (not Linux)
     */
    public static TimeWaitSockets of(int port) {
        int server = 0;
        int caller = 0;
        boolean readable = false;
        for (String file : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(file), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                continue; // no IPv6, or not Linux
            }
            readable = true;
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                // "  sl  local_address rem_address   st ...": addresses are HEXIP:HEXPORT
                String[] fields = line.trim().split("\\s+");
                if (fields.length < 4 || !fields[3].equals(TIME_WAIT)) {
                    continue;
                }
                if (port(fields[1]) == port) {
                    server++;
                } else if (port(fields[2]) == port) {
                    caller++;
                }
            }
        }
        return new TimeWaitSockets(server, caller, readable);
    }

    private static int port(String address) {
        int colon = address.lastIndexOf(':');
        return colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1), 16);
    }
}
