package dev.abortguard.boot;

import dev.abortguard.server.ClientAbortHandler;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Ends a request quietly when the exception is this request's client abort, before the
 * application's {@code @ExceptionHandler} / {@code @ControllerAdvice} see it.
 *
 * <p>Why a resolver: Spring MVC calls the application's advice inside the filter chain
 * ({@code ExceptionHandlerExceptionResolver} runs before {@code DefaultHandlerExceptionResolver}), so
 * a catch-all {@code log.error(e.getMessage(), e)} writes an ERROR with a stack trace before the
 * filter can do anything. Ordered first, this resolver answers for the abort only — decided by
 * {@link ClientAbortHandler#handle(Throwable, jakarta.servlet.ServletRequest)}: the very failure the
 * filter's stream wrappers saw, or one the classifier recognises — and returns {@code null} for
 * everything else, which then reaches the application's advice unchanged.
 */
public final class ClientAbortExceptionResolver implements HandlerExceptionResolver, Ordered {

    private final ClientAbortHandler handler;

    /**
     * A resolver that asks {@code handler}, which logs and counts the abort once.
     *
     * @param handler the handler of the registered {@code ClientAbortFilter}
     */
    public ClientAbortExceptionResolver(ClientAbortHandler handler) {
        this.handler = handler;
    }

    @Override
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object h,
                                         Exception ex) {
        if (!handler.handle(ex, request)) {
            return null;
        }
        if (!response.isCommitted()) {
            // a failed request-body read: the client may still be there (it stalled past the server's
            // read timeout) and must not get a 200 with an empty body; the container answers 400 too
            try {
                response.resetBuffer();
                response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            } catch (RuntimeException alreadyClosed) {
                // nothing can be sent any more
            }
        }
        return new ModelAndView(); // empty: handled, nothing to render
    }

    /** First, ahead of Spring MVC's own resolvers (its composite has order 0). */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
