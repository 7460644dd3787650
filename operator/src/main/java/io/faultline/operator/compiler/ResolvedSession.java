package io.faultline.operator.compiler;

import java.time.Instant;
import java.util.Objects;

import io.faultline.crds.qos.QoSProfileSpec;
import io.faultline.crds.spec.FaultSessionSpec;

/**
 * A session as the compiler sees it: a valid spec (the current one, or the last valid one when the current spec has
 * errors), its resolved QoS profile, and whether its rules are in force now.
 *
 * @param rulesInForce false while pending, paused, expired or under the kill switch: the session then contributes its
 *        listeners (traffic keeps flowing through the sidecar untouched) but no rules
 * @param expiry when the rules end, or null for never
 */
public record ResolvedSession(String namespace, String name, String uid, Instant createdAt, FaultSessionSpec spec,
        QoSProfileSpec qos, boolean rulesInForce, Instant expiry) {

    public ResolvedSession {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(spec, "spec");
    }

    /** Merge order: older sessions first; equal creation times ordered by name. */
    public static int mergeOrder(ResolvedSession a, ResolvedSession b) {
        int byAge = a.createdAt.compareTo(b.createdAt);
        return byAge != 0 ? byAge : a.name.compareTo(b.name);
    }
}
