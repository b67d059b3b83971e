package dev.abortguard.server.internal;

import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * Completes a response body when the filter chain returns: the completion the container performs
 * a moment later, only now its failure happens where the filter sees it (see {@code
 * ClientAbortFilter}, "The last small write").
 *
 * <p>Internal, not API: may change without notice.
 */
final class BodyCompletion {

    private BodyCompletion() {}

    /**
     * Throws what completing the body raised if it is not a client abort (Jetty fails the close of
     * a body shorter than its declared {@code Content-Length}): the container would have raised it
     * in its own completion, and the filter must not swallow it.
     */
    static void complete(Exchange exchange, TrackingResponse response) throws IOException {
        BodyAccounting body = exchange.body();
        if (exchange.aborted() || exchange.bodyTakenOver() || exchange.outputClosedByApplication()
                || "HEAD".equalsIgnoreCase(exchange.method())) {
            return;
        }
        if (body.lengthDeclared()) {
            completeDeclaredBody(exchange, response);
            return;
        }
        TrackingOutputStream stream = response.stream();
        if (stream == null || body.bytesWritten() == 0) {
            return;
        }
        HttpServletResponse container = (HttpServletResponse) response.getResponse();
        try {
            int status = container.getStatus();
            if (!container.isCommitted()
                    && status != HttpServletResponse.SC_NO_CONTENT
                    && status != HttpServletResponse.SC_NOT_MODIFIED
                    && !container.containsHeader("Content-Length")
                    && !container.containsHeader("Transfer-Encoding")) {
                // the value the container computes itself when it completes a buffered body; set on
                // the container's response so that it does not count as a length the application declared
                container.setContentLengthLong(body.bytesWritten());
            }
            // flush: Tomcat fails here (its close() swallows the last write's failure);
            // close: Undertow fails here (its flush() swallows it)
            stream.flush();
            stream.completeBody();
        } catch (IOException e) {
            if (!exchange.isRecordedAbort(e)) {
                throw e; // not the client's doing
            }
            // an abort, reported by the stream; the container finishes as usual
        } catch (RuntimeException e) {
            // the container refused (e.g. a response it already completed): it finishes as usual
        }
    }

    /**
     * A body of the application's own {@code Content-Length}. Shorter than declared, it is the
     * application's bug that the container must answer itself (Jetty turns it into a 500 while the
     * response is uncommitted; a flush here would commit a 200). Exactly as long and still in the
     * container's buffer (Tomcat keeps a small body there until after the chain returns, where its
     * failure is logged at DEBUG; Spring's message converters always declare the length), it is
     * flushed here — the write the container is about to make — so that its failure is seen.
     * Jetty and Undertow send such a body with its last write, and are committed by now.
     */
    private static void completeDeclaredBody(Exchange exchange, TrackingResponse response) throws IOException {
        TrackingOutputStream stream = response.stream();
        HttpServletResponse container = (HttpServletResponse) response.getResponse();
        BodyAccounting body = exchange.body();
        if (stream == null || !body.declaredLengthExactlyWritten() || body.bytesWritten() == 0) {
            return;
        }
        try {
            if (container.isCommitted()) {
                return;
            }
            stream.flushCompleteBody();
        } catch (IOException e) {
            if (!exchange.isRecordedAbort(e)) {
                throw e;
            }
        } catch (RuntimeException e) {
            // the container refused (e.g. a response it already completed): it finishes as usual
        }
    }
}
