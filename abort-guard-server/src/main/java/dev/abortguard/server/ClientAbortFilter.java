package dev.abortguard.server;

import dev.abortguard.server.internal.ExchangeRunner;
import dev.abortguard.server.internal.FilterInitParams;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Turns client disconnects ("Broken pipe", "Connection reset by peer", Tomcat's {@code
 * ClientAbortException}, Jetty's {@code EofException}, Undertow's bare {@code IOException}) into
 * one counted log line, and leaves every real error exactly as loud as before.
 *
 * <h2>How it decides: by where, not by what</h2>
 * The filter wraps the request and the response. Every read of the request body and every write,
 * flush or close of the response body — through the stream or the writer, on the request thread
 * or on any other thread that writes the response later ({@code AsyncContext}, SSE, Spring's
 * {@code ResponseBodyEmitter}) — goes through the filter. An {@code IOException} raised
 * <em>there</em> is a client abort by construction, whatever its class or language. A handler's
 * outbound call (an HTTP client, JDBC, a message broker) never goes through these streams, so its
 * "Connection reset" can never be mistaken for an abort. For throwables the wrappers did not see,
 * {@link ClientAbortClassifier} is the conservative fallback.
 *
 * <p>Per aborted request: one line on logger {@code dev.abortguard.server.ClientAbort} (INFO by
 * default, rate-limited) and one {@link AbortMetrics#record} call, however many writes fail. The
 * {@code IOException} is rethrown to the application unchanged. If it escapes the filter chain, the
 * filter does not rethrow it (nothing can reach the client any more; rethrowing only makes the
 * container or framework log it as an error). Any other throwable propagates untouched.
 *
 * <h2>The last small write</h2>
 * A small body that the application did not flush sits in the container's buffer until the chain
 * returns; the container writes it afterwards, where no filter can see it fail (and logs the
 * failure at DEBUG, or not at all). So when the chain returns — for a request that is not
 * asynchronous, not HEAD, not after {@code sendError}/{@code sendRedirect}, and has a body — the filter completes the body
 * itself: it sets {@code Content-Length} to the exact number of bytes written if the response is
 * not committed and has none (the value the container would compute; normal responses keep their
 * {@code Content-Length} instead of switching to chunked encoding — the container tests check
 * this), flushes, and closes the body stream. That is the completion the container performs a
 * moment later; only now its failure happens inside the filter. Both steps are needed: Tomcat
 * reports the failure from {@code flush()} but not from {@code close()}, Undertow the other way
 * round. A filter registered <em>before</em> this one can therefore not append to the body —
 * register this filter first. Turn it off with {@link Builder#flushOnChainReturn(boolean)}.
 *
 * <h2>Registration</h2>
 * Register it first (highest precedence), for the {@code REQUEST} and {@code ASYNC} dispatcher
 * types, so that it wraps everything else. Configure it with {@link #builder()}, or in {@code
 * web.xml} with init-params named like the builder methods ({@code logLevel}, {@code
 * logStackTraces}, {@code maxLogLinesPerSecond}, {@code suppressedSummaryInterval}, {@code
 * requestIdHeaders}, {@code idempotencyKeyHeader}, {@code routeAttributes}, {@code
 * flushOnChainReturn}); an unknown or invalid init-param fails {@link #init} with a message naming
 * it.
 */
public final class ClientAbortFilter implements Filter {

    // Over 300 lines: the public Builder is nested here (ClientAbortFilter.builder() is the API the
    // README shows), and its settings are documented one by one. The per-request work is
    // internal.ExchangeRunner, the init-param parsing internal.FilterInitParams.

    private final boolean configuredByBuilder;
    private volatile ExchangeRunner runner;
    private volatile ClientAbortHandler handler;

    /**
     * For containers that instantiate filters themselves ({@code web.xml}, {@code @WebFilter}):
     * default settings, overridden by init-params in {@link #init(FilterConfig)}.
     */
    public ClientAbortFilter() {
        this(new Builder(), false);
    }

    private ClientAbortFilter(Builder builder, boolean configuredByBuilder) {
        this.configuredByBuilder = configuredByBuilder;
        apply(builder);
    }

    private void apply(Builder builder) {
        this.runner = builder.settings().runner();
        this.handler = new ClientAbortHandler(runner.reporter());
    }

    /**
     * A builder with default settings.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The servlet context attribute under which {@link #init} publishes the filter, so that an
     * application configured through {@code web.xml} (the container creates the filter) can reach its
     * {@link #metrics()} and {@link #handler()}: {@code (ClientAbortFilter)
     * servletContext.getAttribute(ClientAbortFilter.CONTEXT_ATTRIBUTE)}. The first filter of a context
     * is published under this name; every filter also under this name + {@code "."} + its filter name.
     */
    public static final String CONTEXT_ATTRIBUTE = ClientAbortFilter.class.getName();

    @Override
    public void init(FilterConfig config) throws ServletException {
        configure(config);
        publish(config);
    }

    private void publish(FilterConfig config) {
        ServletContext context = config == null ? null : config.getServletContext();
        if (context == null) {
            return;
        }
        if (context.getAttribute(CONTEXT_ATTRIBUTE) == null) {
            context.setAttribute(CONTEXT_ATTRIBUTE, this);
        }
        if (config.getFilterName() != null) {
            context.setAttribute(CONTEXT_ATTRIBUTE + "." + config.getFilterName(), this);
        }
    }

    private void configure(FilterConfig config) throws ServletException {
        List<String> names = config == null ? List.of() : Collections.list(config.getInitParameterNames());
        if (names.isEmpty()) {
            return;
        }
        if (configuredByBuilder) {
            throw new ServletException("ClientAbortFilter was configured with its builder; remove the init-params "
                    + new TreeSet<>(names) + " or configure it through web.xml only");
        }
        Builder builder = new Builder();
        try {
            for (String name : names) {
                FilterInitParams.apply(builder, name, config.getInitParameter(name));
            }
            ExchangeRunner previous = runner;
            apply(builder);
            previous.close();
        } catch (IllegalArgumentException e) {
            throw new ServletException("Invalid ClientAbortFilter configuration: " + e.getMessage(), e);
        }
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest) || !(response instanceof HttpServletResponse)) {
            chain.doFilter(request, response);
            return;
        }
        runner.run((HttpServletRequest) request, (HttpServletResponse) response, chain);
    }

    /**
     * The handler that shares this filter's classifier, log and metrics: use it where your code
     * catches exceptions itself (an executor's catch block, a Spring {@code @ExceptionHandler}).
     *
     * @return the handler for this filter's current settings
     */
    public ClientAbortHandler handler() {
        return handler;
    }

    /**
     * The metrics this filter records into ({@link AbortCounters} unless configured otherwise).
     *
     * @return the configured metrics, or the {@link AbortCounters} created for this filter
     */
    public AbortMetrics metrics() {
        return runner.reporter().metrics();
    }

    /**
     * The classifier used for throwables the wrappers did not see.
     *
     * @return the configured classifier, {@link ClientAbortClassifier#standard()} by default
     */
    public ClientAbortClassifier classifier() {
        return runner.reporter().classifier();
    }

    @Override
    public void destroy() {
        runner.close();
    }

    /**
     * Settings of {@link ClientAbortFilter}. Every setting is validated when it is set; a bad value
     * throws {@link IllegalArgumentException} naming the setting.
     */
    public static final class Builder {
        private ClientAbortClassifier classifier = FilterSettings.DEFAULTS.classifier();
        private AbortLogLevel logLevel = FilterSettings.DEFAULTS.logLevel();
        private boolean logStackTraces = FilterSettings.DEFAULTS.logStackTraces();
        private int maxLogLinesPerSecond = FilterSettings.DEFAULTS.maxLogLinesPerSecond();
        private Duration suppressedSummaryInterval = FilterSettings.DEFAULTS.suppressedSummaryInterval();
        private AbortMetrics metrics = FilterSettings.DEFAULTS.metrics();
        private List<String> requestIdHeaders = FilterSettings.DEFAULTS.requestIdHeaders();
        private String idempotencyKeyHeader = FilterSettings.DEFAULTS.idempotencyKeyHeader();
        private List<String> routeAttributes = FilterSettings.DEFAULTS.routeAttributes();
        private boolean flushOnChainReturn = FilterSettings.DEFAULTS.flushOnChainReturn();

        private Builder() {
        }

        /**
         * Rules for throwables the wrappers did not see. Default {@link ClientAbortClassifier#standard()}.
         *
         * @param classifier the classifier
         * @return this builder
         * @throws IllegalArgumentException if {@code classifier} is {@code null}
         */
        public Builder classifier(ClientAbortClassifier classifier) {
            this.classifier = require("classifier", classifier);
            return this;
        }

        /**
         * Level of the one line per aborted request. Default {@link AbortLogLevel#INFO}.
         *
         * @param logLevel the log level
         * @return this builder
         * @throws IllegalArgumentException if {@code logLevel} is {@code null}
         */
        public Builder logLevel(AbortLogLevel logLevel) {
            this.logLevel = require("logLevel", logLevel);
            return this;
        }

        /**
         * Attach the exception's stack trace to the log line. Default {@code false}: it says nothing new.
         *
         * @param logStackTraces whether to attach the stack trace
         * @return this builder
         */
        public Builder logStackTraces(boolean logStackTraces) {
            this.logStackTraces = logStackTraces;
            return this;
        }

        /**
         * At most this many abort lines per second (at least 1; default 10); the rest are counted
         * and summarised. Metrics are never rate-limited.
         *
         * @param maxLogLinesPerSecond the most abort lines logged per second
         * @return this builder
         * @throws IllegalArgumentException if {@code maxLogLinesPerSecond} is less than 1
         */
        public Builder maxLogLinesPerSecond(int maxLogLinesPerSecond) {
            if (maxLogLinesPerSecond < 1) {
                throw new IllegalArgumentException("maxLogLinesPerSecond must be >= 1, was " + maxLogLinesPerSecond);
            }
            this.maxLogLinesPerSecond = maxLogLinesPerSecond;
            return this;
        }

        /**
         * Delay after the first suppressed line before one "Suppressed N client-abort log lines"
         * summary is logged. Positive, at most one hour; default 10 s.
         *
         * @param interval the delay before the summary line
         * @return this builder
         * @throws IllegalArgumentException if {@code interval} is {@code null}, not positive
         *     or longer than one hour
         */
        public Builder suppressedSummaryInterval(Duration interval) {
            require("suppressedSummaryInterval", interval);
            if (interval.isNegative() || interval.isZero() || interval.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("suppressedSummaryInterval must be positive and at most 1 hour, was " + interval);
            }
            this.suppressedSummaryInterval = interval;
            return this;
        }

        /**
         * Where aborts are counted. Default: a new {@link AbortCounters}.
         *
         * @param metrics the metrics to record into
         * @return this builder
         * @throws IllegalArgumentException if {@code metrics} is {@code null}
         */
        public Builder metrics(AbortMetrics metrics) {
            this.metrics = require("metrics", metrics);
            return this;
        }

        /**
         * Request headers whose first present value is logged as {@code requestId}. Default
         * {@code X-Request-Id}, {@code X-Correlation-Id}; none disables it.
         *
         * @param headers the header names, in order of preference; whitespace is stripped
         * @return this builder
         * @throws NullPointerException if {@code headers} is {@code null}
         * @throws IllegalArgumentException if a name is {@code null} or blank
         */
        public Builder requestIdHeaders(String... headers) {
            this.requestIdHeaders = names("requestIdHeaders", headers);
            return this;
        }

        /**
         * Request header logged as {@code idempotencyKey} (default {@code Idempotency-Key}, the IETF
         * draft's name); {@code null} disables it.
         *
         * @param header the header name, or {@code null}; surrounding whitespace is stripped
         * @return this builder
         * @throws IllegalArgumentException if {@code header} is blank
         */
        public Builder idempotencyKeyHeader(String header) {
            if (header != null && header.isBlank()) {
                throw new IllegalArgumentException("idempotencyKeyHeader must not be blank (use null to disable)");
            }
            this.idempotencyKeyHeader = header == null ? null : header.strip();
            return this;
        }

        /**
         * Request attributes that hold the route template, first present wins. Default: Spring
         * MVC's {@code HandlerMapping.bestMatchingPattern}. Without one, the servlet mapping pattern
         * is used (never the raw URI).
         *
         * @param attributes the attribute names, in order of preference; whitespace is stripped
         * @return this builder
         * @throws NullPointerException if {@code attributes} is {@code null}
         * @throws IllegalArgumentException if a name is {@code null} or blank
         */
        public Builder routeAttributes(String... attributes) {
            this.routeAttributes = names("routeAttributes", attributes);
            return this;
        }

        /**
         * Complete (close) the response body when the chain returns, so the final write of a small
         * body fails — and is seen — inside the filter. Default {@code true}; the container still
         * computes {@code Content-Length} as it would have.
         *
         * @param flushOnChainReturn whether to complete the response body when the chain returns
         * @return this builder
         */
        public Builder flushOnChainReturn(boolean flushOnChainReturn) {
            this.flushOnChainReturn = flushOnChainReturn;
            return this;
        }

        /**
         * Builds the filter.
         *
         * @return a new filter with this builder's settings
         */
        public ClientAbortFilter build() {
            return new ClientAbortFilter(this, true);
        }

        FilterSettings settings() {
            return new FilterSettings(classifier, logLevel, logStackTraces, maxLogLinesPerSecond,
                    suppressedSummaryInterval, metrics, requestIdHeaders, idempotencyKeyHeader, routeAttributes,
                    flushOnChainReturn);
        }

        private static List<String> names(String setting, String... values) {
            Objects.requireNonNull(values, setting);
            List<String> result = new ArrayList<>(values.length);
            for (String value : values) {
                if (value == null || value.isBlank()) {
                    throw new IllegalArgumentException(setting + " must not contain null or blank names");
                }
                result.add(value.strip());
            }
            return List.copyOf(result);
        }

        private static <T> T require(String setting, T value) {
            if (value == null) {
                throw new IllegalArgumentException(setting + " must not be null");
            }
            return value;
        }
    }
}
