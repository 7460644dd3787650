package io.faultline.sidecar.fault;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.faultline.sidecar.config.Durations;
import java.time.Duration;
import java.util.Set;

/**
 * The one setting of {@code timeout} and {@code resetPeer}: {@code after} (a duration) in our
 * config, {@code timeout} (milliseconds) in Toxiproxy's.
 */
final class AfterTimeout {
    private AfterTimeout() {
    }

    /** {@code {after: 5s}}; {@code dflt} null: required. */
    static Duration parse(ConfigNode node, Duration dflt) {
        node.allowOnly(Set.of("after"));
        return node.duration("after", dflt);
    }

    static Duration fromToxiproxy(ConfigNode attributes) {
        attributes.allowOnly(Set.of("timeout"));
        return Duration.ofMillis(attributes.integer("timeout", 0, 0, Integer.MAX_VALUE));
    }

    static ObjectNode toJson(Duration after) {
        return JsonNodeFactory.instance.objectNode().put("after", Durations.format(after));
    }

    static ObjectNode toToxiproxy(Duration after) {
        return JsonNodeFactory.instance.objectNode().put("timeout", after.toMillis());
    }
}
