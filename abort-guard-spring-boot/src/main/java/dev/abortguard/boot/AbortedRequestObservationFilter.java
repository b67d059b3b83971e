package dev.abortguard.boot;

import dev.abortguard.server.ClientAbortHandler;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationFilter;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * Marks an aborted request in {@code http.server.requests} as what it is: {@code outcome=UNKNOWN},
 * {@code status=UNKNOWN} — the values Spring WebFlux gives a request whose connection was aborted
 * ({@code ServerRequestObservationContext.isConnectionAborted()}), which the servlet stack's
 * observation context has no field for. Without it, a request whose client left is tagged
 * {@code outcome=SUCCESS}: success dashboards count it as served, error dashboards keyed on the
 * exception count it as an error. The tag keys stay the same, so no meter changes shape.
 */
public final class AbortedRequestObservationFilter implements ObservationFilter {

    static final String UNKNOWN = "UNKNOWN";

    @Override
    public Observation.Context map(Observation.Context context) {
        if (context instanceof ServerRequestObservationContext server
                && ClientAbortHandler.clientAborted(server.getCarrier())) {
            context.addLowCardinalityKeyValue(KeyValue.of("outcome", UNKNOWN));
            context.addLowCardinalityKeyValue(KeyValue.of("status", UNKNOWN));
        }
        return context;
    }
}
