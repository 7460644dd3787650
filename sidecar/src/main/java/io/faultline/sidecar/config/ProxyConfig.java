package io.faultline.sidecar.config;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The whole desired state of a sidecar: listeners and rules, versioned by its writer. */
public record ProxyConfig(String version, Instant expiresAt, List<ListenerSpec> listeners, List<RuleSpec> rules) {
    public static final ProxyConfig EMPTY = new ProxyConfig("", null, List.of(), List.of());

    public ProxyConfig {
        version = version == null ? "" : version;
        listeners = List.copyOf(listeners);
        rules = List.copyOf(rules);
    }

    public Optional<ListenerSpec> listener(String name) {
        return listeners.stream().filter(l -> l.name().equals(name)).findFirst();
    }

    public Optional<RuleSpec> rule(String name) {
        return rules.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    public boolean expired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    public List<RuleSpec> rulesFor(String listener) {
        return rules.stream().filter(r -> r.appliesTo(listener)).toList();
    }

    public ProxyConfig withListeners(List<ListenerSpec> newListeners) {
        return new ProxyConfig(version, expiresAt, newListeners, rules);
    }

    public ProxyConfig withVersion(String newVersion) {
        return new ProxyConfig(newVersion, expiresAt, listeners, rules);
    }

    public ProxyConfig withRules(List<RuleSpec> newRules) {
        return new ProxyConfig(version, expiresAt, listeners, newRules);
    }
}
