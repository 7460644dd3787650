package io.faultline.sidecar.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.sidecar.fault.FaultSpec;
import java.util.List;

/**
 * One fault rule: which listeners, how likely (per connection on tcp, per request on http),
 * which stream, and exactly one fault. An empty {@code listeners} list means every listener.
 */
public record RuleSpec(
        String name,
        List<String> listeners,
        double probability,
        StreamDirection stream,
        JsonNode match,
        FaultSpec fault) {

    public RuleSpec {
        listeners = List.copyOf(listeners);
    }

    public boolean appliesTo(String listener) {
        return listeners.isEmpty() || listeners.contains(listener);
    }
}
