package io.faultline.sidecar.fault;

import io.faultline.sidecar.config.ConfigNode;

/** A fault type registered by name: parses its config from the native and the Toxiproxy form. */
public interface FaultKind {
    /** Key in a ProxyConfig rule, e.g. {@code limitData}. */
    String name();

    /** Toxiproxy's type name, e.g. {@code limit_data}. */
    default String toxiproxyType() {
        return name();
    }

    FaultSpec parse(ConfigNode node);

    /** A kind that takes no fields ({@code down: {}}): any field given is an error naming it. */
    static FaultKind withoutFields(String name, FaultSpec instance) {
        return new FaultKind() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public FaultSpec parse(ConfigNode node) {
                node.allowOnly(java.util.Set.of());
                return instance;
            }
        };
    }

    /** Toxiproxy attributes (integers in ms, KB/s, ...); defaults to the native form. */
    default FaultSpec fromToxiproxy(ConfigNode attributes) {
        return parse(attributes);
    }
}
