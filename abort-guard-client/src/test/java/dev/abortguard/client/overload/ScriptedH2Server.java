package dev.abortguard.client.overload;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http2.hpack.HPackDecoder;
import org.apache.hc.core5.http2.hpack.HPackEncoder;
import org.apache.hc.core5.http2.hpack.HPackException;
import org.apache.hc.core5.util.ByteArrayBuffer;

/**
 * A small HTTP/2 server over cleartext (prior knowledge, RFC 9113 section 3.3) written on raw
 * sockets, so that a test decides frame by frame what the client gets: each stream's fate is picked
 * by a script from the request's idempotency key and how many streams that key has had so far.
 *
 * <ul>
 *   <li>{@link Fate#REFUSE}: {@code RST_STREAM(REFUSED_STREAM)} as soon as the request head has
 *       arrived, before any of it is processed (its DATA frames are then ignored);
 *   <li>{@link Fate#PROCESS_THEN_RESET}: reads the whole request, records it in the ledger as
 *       processed, then {@code RST_STREAM(INTERNAL_ERROR)} with no response;
 *   <li>{@link Fate#SERVE}: reads the whole request, records it as processed and answers 200.
 * </ul>
 *
 * <p>The ledger ({@link #processed}, {@link #streams}, {@link #refused}) is the ground truth the
 * tests hold the client against. Flow control is not enforced: the tests' bodies are small.
 */
final class ScriptedH2Server implements AutoCloseable {

    /** What the server does with one stream. */
    enum Fate { REFUSE, PROCESS_THEN_RESET, SERVE }

    static final int REFUSED_STREAM = 0x7;
    static final int INTERNAL_ERROR = 0x2;

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int DATA = 0x0;
    private static final int HEADERS = 0x1;
    private static final int RST_STREAM = 0x3;
    private static final int SETTINGS = 0x4;
    private static final int PING = 0x6;
    private static final int GOAWAY = 0x7;
    private static final int CONTINUATION = 0x9;
    private static final int END_STREAM = 0x1;
    private static final int ACK = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    private static final int PRIORITY = 0x20;

    private final ServerSocket server;
    private final String keyHeader;
    private final BiFunction<String, Integer, Fate> script;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "scripted-h2-server");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, AtomicInteger> streams = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> processed = new ConcurrentHashMap<>();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Long> streamTimes = new CopyOnWriteArrayList<>();

    /**
     * @param keyHeader the idempotency key header (any case)
     * @param script the fate of a stream from its key and its number among that key's streams (from 1)
     */
    ScriptedH2Server(String keyHeader, BiFunction<String, Integer, Fate> script) throws IOException {
        this.keyHeader = keyHeader.toLowerCase(Locale.ROOT);
        this.script = script;
        server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    String uri(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    /** Streams that arrived for {@code key}, refused ones included. */
    int streams(String key) {
        AtomicInteger n = streams.get(key);
        return n == null ? 0 : n.get();
    }

    /** How many times a request with {@code key} was processed (1 is exactly once). */
    int processed(String key) {
        AtomicInteger n = processed.get(key);
        return n == null ? 0 : n.get();
    }

    /** Keys processed more than once. */
    long duplicates() {
        return processed.values().stream().filter(n -> n.get() > 1).count();
    }

    int refused() {
        return refused.get();
    }

    int connections() {
        return connections.get();
    }

    /** When each stream's head arrived ({@link System#nanoTime()}), in order. */
    List<Long> streamTimes() {
        return List.copyOf(streamTimes);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                threads.execute(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** One request stream being received. */
    private static final class Stream {
        final ByteArrayBuffer headerBlock = new ByteArrayBuffer(256);
        final ByteArrayBuffer body = new ByteArrayBuffer(256);
        List<Header> headers;
        boolean endStream;
        Fate fate;
    }

    private void serve(Socket socket) {
        try (socket) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            byte[] preface = new byte[PREFACE.length];
            in.readFully(preface);
            if (!Arrays.equals(preface, PREFACE)) {
                return;
            }
            HPackDecoder decoder = new HPackDecoder(4096, StandardCharsets.UTF_8);
            HPackEncoder encoder = new HPackEncoder(4096, StandardCharsets.UTF_8);
            writeFrame(out, SETTINGS, 0, 0, new byte[0]);
            Map<Integer, Stream> open = new HashMap<>();
            while (true) {
                int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int streamId = in.readInt() & 0x7fffffff;
                byte[] payload = new byte[length];
                in.readFully(payload);
                switch (type) {
                    case SETTINGS:
                        if ((flags & ACK) == 0) {
                            writeFrame(out, SETTINGS, ACK, 0, new byte[0]);
                        }
                        break;
                    case PING:
                        if ((flags & ACK) == 0) {
                            writeFrame(out, PING, ACK, 0, payload);
                        }
                        break;
                    case GOAWAY:
                        return;
                    case RST_STREAM:
                        open.remove(streamId);
                        break;
                    case HEADERS: {
                        Stream stream = new Stream();
                        open.put(streamId, stream);
                        int start = 0;
                        int end = payload.length;
                        if ((flags & PADDED) != 0) {
                            end -= payload[0] & 0xff;
                            start = 1;
                        }
                        if ((flags & PRIORITY) != 0) {
                            start += 5;
                        }
                        stream.headerBlock.append(payload, start, end - start);
                        stream.endStream = (flags & END_STREAM) != 0;
                        if ((flags & END_HEADERS) != 0) {
                            headersComplete(out, decoder, encoder, open, streamId, stream);
                        }
                        break;
                    }
                    case CONTINUATION: {
                        Stream stream = open.get(streamId);
                        if (stream != null) {
                            stream.headerBlock.append(payload, 0, payload.length);
                            if ((flags & END_HEADERS) != 0) {
                                headersComplete(out, decoder, encoder, open, streamId, stream);
                            }
                        }
                        break;
                    }
                    case DATA: {
                        Stream stream = open.get(streamId);
                        if (stream != null) {
                            int start = 0;
                            int end = payload.length;
                            if ((flags & PADDED) != 0) {
                                end -= payload[0] & 0xff;
                                start = 1;
                            }
                            stream.body.append(payload, start, end - start);
                            if ((flags & END_STREAM) != 0) {
                                stream.endStream = true;
                                requestComplete(out, encoder, open, streamId, stream);
                            }
                        }
                        break;
                    }
                    default:
                        break; // WINDOW_UPDATE, PRIORITY, unknown frames
                }
            }
        } catch (EOFException e) {
            // the client closed the connection
        } catch (IOException | HPackException e) {
            // reset or closed by the test's end
        }
    }

    private void headersComplete(OutputStream out, HPackDecoder decoder, HPackEncoder encoder,
                                 Map<Integer, Stream> open, int streamId, Stream stream)
            throws IOException, HPackException {
        stream.headers = decoder.decodeHeaders(ByteBuffer.wrap(stream.headerBlock.array(), 0, stream.headerBlock.length()));
        String key = header(stream.headers, keyHeader);
        int number = streams.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        streamTimes.add(System.nanoTime());
        stream.fate = script.apply(key, number);
        if (stream.fate == Fate.REFUSE) {
            // refused before any processing: whatever DATA follows is ignored
            refused.incrementAndGet();
            open.remove(streamId);
            writeFrame(out, RST_STREAM, 0, streamId, ByteBuffer.allocate(4).putInt(REFUSED_STREAM).array());
            return;
        }
        if (stream.endStream) {
            requestComplete(out, encoder, open, streamId, stream);
        }
    }

    private void requestComplete(OutputStream out, HPackEncoder encoder, Map<Integer, Stream> open,
                                 int streamId, Stream stream) throws IOException {
        open.remove(streamId);
        String key = header(stream.headers, keyHeader);
        processed.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        if (stream.fate == Fate.PROCESS_THEN_RESET) {
            writeFrame(out, RST_STREAM, 0, streamId, ByteBuffer.allocate(4).putInt(INTERNAL_ERROR).array());
            return;
        }
        byte[] body = ("placed " + key).getBytes(StandardCharsets.UTF_8);
        ByteArrayBuffer block = new ByteArrayBuffer(64);
        List<Header> response = new ArrayList<>();
        response.add(new BasicHeader(":status", "200"));
        response.add(new BasicHeader("content-type", "text/plain"));
        response.add(new BasicHeader("content-length", Integer.toString(body.length)));
        encoder.encodeHeaders(block, response, false);
        writeFrame(out, HEADERS, END_HEADERS, streamId, Arrays.copyOf(block.array(), block.length()));
        writeFrame(out, DATA, END_STREAM, streamId, body);
    }

    private static String header(List<Header> headers, String name) {
        for (Header header : headers) {
            if (header.getName().equalsIgnoreCase(name)) {
                return header.getValue();
            }
        }
        return "";
    }

    private static synchronized void writeFrame(OutputStream out, int type, int flags, int streamId, byte[] payload)
            throws IOException {
        byte[] frame = new byte[9 + payload.length];
        frame[0] = (byte) (payload.length >>> 16);
        frame[1] = (byte) (payload.length >>> 8);
        frame[2] = (byte) payload.length;
        frame[3] = (byte) type;
        frame[4] = (byte) flags;
        ByteBuffer.wrap(frame, 5, 4).putInt(streamId);
        System.arraycopy(payload, 0, frame, 9, payload.length);
        out.write(frame);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
