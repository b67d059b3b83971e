package dev.abortguard.server.containers;

import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.UndertowClient;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.streams.ChannelInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A handler's own outbound call with Undertow's client ({@code io.undertow.client}), the way a
 * proxy-like handler makes one: send a GET, wait for the response head, read the body with a
 * blocking stream on the request thread. Its failures are the backend's, never the HTTP client of
 * the request going away.
 */
final class UndertowOutbound implements AutoCloseable {

    private final XnioWorker worker;
    private final ByteBufferPool buffers = new DefaultByteBufferPool(false, 16 * 1024);

    UndertowOutbound() throws IOException {
        worker = Xnio.getInstance(UndertowClient.class.getClassLoader()).createWorker(OptionMap.builder()
                .set(Options.WORKER_IO_THREADS, 1)
                .set(Options.WORKER_TASK_CORE_THREADS, 1)
                .set(Options.WORKER_TASK_MAX_THREADS, 1)
                .getMap());
    }

    /**
     * GET {@code path} from {@code backend} ({@code http://} or {@code h2c-prior://}) and read the
     * whole body; throws what Undertow's client reports.
     */
    byte[] get(URI backend, String path) throws Exception {
        ClientConnection connection = UndertowClient.getInstance()
                .connect(backend, worker, buffers, OptionMap.EMPTY).get();
        try {
            ClientRequest request = new ClientRequest().setMethod(Methods.GET).setPath(path);
            request.getRequestHeaders().put(Headers.HOST, backend.getHost() + ":" + backend.getPort());
            request.getRequestHeaders().put(Headers.CONTENT_LENGTH, "0");
            CompletableFuture<ClientExchange> response = new CompletableFuture<>();
            connection.getIoThread().execute(() -> connection.sendRequest(request, new ClientCallback<>() {
                @Override
                public void completed(ClientExchange exchange) {
                    exchange.setResponseListener(new ClientCallback<>() {
                        @Override
                        public void completed(ClientExchange result) {
                            response.complete(result);
                        }

                        @Override
                        public void failed(IOException e) {
                            response.completeExceptionally(e);
                        }
                    });
                }

                @Override
                public void failed(IOException e) {
                    response.completeExceptionally(e);
                }
            }));
            ClientExchange exchange = response.get(10, TimeUnit.SECONDS);
            try (InputStream body = new ChannelInputStream(exchange.getResponseChannel())) {
                return body.readAllBytes();
            }
        } finally {
            connection.close();
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
