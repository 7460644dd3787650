package io.faultline.operator.compiler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.faultline.crds.fault.AbortFault;
import io.faultline.crds.qos.QoSProfileSpec;
import io.faultline.crds.spec.FaultSpec;
import io.faultline.crds.spec.Target;

/**
 * Compiles the sessions that select one pod into that pod's ProxyConfig.
 *
 * <p>Merge rules (documented in the README):
 * <ul>
 * <li>Sessions are merged oldest first (creation time, then name).</li>
 * <li>Listeners are identified by their listen address. Targets of several sessions with the same listen address and
 * the same upstream and protocol share one listener. When upstream or protocol differ, the older session keeps the
 * listener; the newer session's target is left out on this pod, with its faults, and the conflict is reported in the
 * newer session's status.</li>
 * <li>A listener is named after the first target that declared it; when that name is taken, the listen port is
 * appended ({@code http-18080}).</li>
 * <li>Rules never collide: they are named {@code <session>.<fault>} (and {@code <session>.qos-...} for the QoS profile)
 * and always list their listeners explicitly. All rules of all sessions apply, in merge order.</li>
 * <li>A session whose rules are not in force (pending, paused, expired, kill switch) still contributes its listeners:
 * traffic keeps flowing through the sidecar, untouched.</li>
 * <li>The QoS connection limit becomes the listener's maxConnections; the smallest limit wins.</li>
 * <li>QoS on http targets ({@link QosCoverage}): latency is the latency rule (per request, and on upgraded
 * connections); bandwidth is the bandwidth rule (upgraded connections) plus slowBody rules pacing request and response
 * bodies; loss acts on upgraded connections only.</li>
 * <li>{@code expiresAt} is the earliest expiry among the sessions whose rules are in force; {@code version} is a hash
 * of everything else, so equal content always has an equal version.</li>
 * </ul>
 */
public final class ProxyConfigCompiler {
    private static final ObjectMapper JSON = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private ProxyConfigCompiler() {
    }

    /** @param listenHost the pod's {@code faultline.io/listen-host} annotation, or null for the defaults */
    public static PodConfig compile(List<ResolvedSession> sessions, String listenHost) {
        return compile(sessions, listenHost, List.of());
    }

    /**
     * @param baseline listeners the pod always needs, whatever the sessions say: the inbound ports and outbound mappings
     *        its injection intercepts (traffic must keep flowing through them when no session targets them). A session
     *        target on the same listen address takes precedence; baseline listeners carry no rules.
     */
    public static PodConfig compile(List<ResolvedSession> sessions, String listenHost, List<Target> baseline) {
        List<ResolvedSession> ordered = new ArrayList<>(sessions);
        ordered.sort(ResolvedSession::mergeOrder);

        Map<String, ListenerEntry> listeners = new LinkedHashMap<>();
        Set<String> listenerNames = new HashSet<>();
        Map<String, List<String>> conflicts = new LinkedHashMap<>();
        ArrayNode rules = JSON.createArrayNode();
        Instant expiresAt = null;

        for (ResolvedSession session : ordered) {
            Map<String, String> listenerOfTarget = new LinkedHashMap<>();
            for (Target target : session.spec().targets) {
                ListenerPlan plan = ListenerPlan.of(target, listenHost);
                ListenerEntry entry = listeners.get(plan.listen());
                if (entry == null) {
                    String name = listenerNames.contains(target.name) ? target.name + "-" + plan.listenPort() : target.name;
                    listenerNames.add(name);
                    entry = new ListenerEntry(name, plan, session.name());
                    listeners.put(plan.listen(), entry);
                } else if (!entry.plan.upstream().equals(plan.upstream()) || !entry.plan.protocol().equals(plan.protocol())) {
                    conflicts.computeIfAbsent(session.name(), k -> new ArrayList<>()).add("target '" + target.name
                            + "' listens on " + plan.listen() + " like session '" + entry.owner + "' but forwards to "
                            + plan.upstream() + " (" + plan.protocol() + ") instead of " + entry.plan.upstream() + " ("
                            + entry.plan.protocol() + "); the older session keeps the listener, this target and its faults are"
                            + " not applied on this pod");
                    continue;
                }
                listenerOfTarget.put(target.name, entry.name);
                if (session.rulesInForce() && session.qos() != null && session.qos().connectionLimit != null) {
                    entry.limitConnections(session.qos().connectionLimit);
                }
            }
            if (!session.rulesInForce()) {
                continue;
            }
            addFaultRules(session, listenerOfTarget, rules);
            addQosRules(session, listenerOfTarget, rules);
            if (session.expiry() != null && (expiresAt == null || session.expiry().isBefore(expiresAt))) {
                expiresAt = session.expiry();
            }
        }

        for (Target target : baseline) {
            ListenerPlan plan = ListenerPlan.of(target, listenHost);
            if (!listeners.containsKey(plan.listen())) {
                String name = listenerNames.contains(target.name) ? target.name + "-" + plan.listenPort() : target.name;
                listenerNames.add(name);
                listeners.put(plan.listen(), new ListenerEntry(name, plan, "(injection)"));
            }
        }

        ObjectNode config = JSON.createObjectNode();
        if (expiresAt != null) {
            config.put("expiresAt", expiresAt.toString());
        }
        ArrayNode listenerArray = config.putArray("listeners");
        listeners.values().forEach(entry -> listenerArray.add(entry.toJson()));
        config.set("rules", rules);
        String version = contentHash(config);
        ObjectNode versioned = JSON.createObjectNode().put("version", version);
        versioned.setAll(config);
        return new PodConfig(versioned, version, expiresAt, conflicts);
    }

    private static void addFaultRules(ResolvedSession session, Map<String, String> listenerOfTarget, ArrayNode rules) {
        if (session.spec().faults == null) {
            return;
        }
        for (FaultSpec fault : session.spec().faults) {
            List<String> targets = fault.targets != null ? fault.targets : new ArrayList<>(targetNames(session));
            ArrayNode ruleListeners = listenersOf(targets, listenerOfTarget);
            if (ruleListeners.isEmpty()) {
                continue; // every target of the fault is in conflict on this pod
            }
            ObjectNode rule = rules.addObject();
            rule.put("name", RuleNames.of(session.name(), fault.name));
            rule.set("listeners", ruleListeners);
            if (fault.probability != null) {
                rule.put("probability", fault.probability);
            }
            if (fault.stream != null) {
                rule.put("stream", fault.stream.wireName());
            }
            if (fault.match != null) {
                rule.set("match", JSON.valueToTree(fault.match));
            }
            Map.Entry<String, Object> kind = fault.kindsSet().entrySet().iterator().next();
            rule.set(kind.getKey(), kind.getValue() instanceof AbortFault
                    ? abortSettings((AbortFault) kind.getValue())
                    : JSON.valueToTree(kind.getValue()));
        }
    }

    /**
     * The CRD says httpStatus (clearer next to grpcStatus); the sidecar's rule says status. Every other kind's settings
     * have the sidecar's names and pass through as they are.
     */
    private static ObjectNode abortSettings(AbortFault abort) {
        ObjectNode given = JSON.valueToTree(abort);
        given.remove("httpStatus");
        ObjectNode settings = JSON.createObjectNode();
        if (abort.httpStatus != null) {
            settings.put("status", abort.httpStatus);
        }
        return settings.setAll(given);
    }

    private static void addQosRules(ResolvedSession session, Map<String, String> listenerOfTarget, ArrayNode rules) {
        QoSProfileSpec qos = session.qos();
        if (qos == null || listenerOfTarget.isEmpty()) {
            return;
        }
        ArrayNode all = listenersOf(new ArrayList<>(listenerOfTarget.keySet()), listenerOfTarget);
        // http listeners take per-request forms as well (QosCoverage says why and what is left out)
        ArrayNode http = listenersOf(QosCoverage.httpTargets(session.spec()), listenerOfTarget);
        if (qos.latency != null) {
            ObjectNode latency = qosRule(rules, session, "qos-latency", all, "downstream").putObject("latency");
            latency.put("fixed", qos.latency.mean);
            if (qos.latency.jitter != null) {
                latency.put("jitter", qos.latency.jitter);
            }
            if (qos.latency.distribution != null) {
                latency.put("distribution", qos.latency.distribution.wireName());
            }
        }
        if (qos.bandwidth != null && qos.bandwidth.upstream != null) {
            qosRule(rules, session, "qos-bandwidth-up", all, "upstream").putObject("bandwidth").put("rate", qos.bandwidth.upstream);
        }
        if (qos.bandwidth != null && qos.bandwidth.downstream != null) {
            qosRule(rules, session, "qos-bandwidth-down", all, "downstream").putObject("bandwidth").put("rate",
                    qos.bandwidth.downstream);
        }
        if (qos.bandwidth != null && qos.bandwidth.upstream != null && !http.isEmpty()) {
            qosRule(rules, session, "qos-body-rate-up", http, "upstream").putObject("slowBody").put("rate", qos.bandwidth.upstream);
        }
        if (qos.bandwidth != null && qos.bandwidth.downstream != null && !http.isEmpty()) {
            qosRule(rules, session, "qos-body-rate-down", http, "downstream").putObject("slowBody").put("rate",
                    qos.bandwidth.downstream);
        }
        if (qos.loss != null) {
            ObjectNode loss = qosRule(rules, session, "qos-loss", all, "downstream").putObject("loss");
            loss.put("probability", qos.loss.probability);
            if (qos.loss.stall != null) {
                loss.put("stall", qos.loss.stall);
            }
        }
    }

    private static ObjectNode qosRule(ArrayNode rules, ResolvedSession session, String name, ArrayNode listeners, String stream) {
        ObjectNode rule = rules.addObject();
        rule.put("name", RuleNames.of(session.name(), name));
        rule.set("listeners", listeners.deepCopy());
        rule.put("stream", stream);
        return rule;
    }

    private static List<String> targetNames(ResolvedSession session) {
        List<String> names = new ArrayList<>();
        session.spec().targets.forEach(target -> names.add(target.name));
        return names;
    }

    private static ArrayNode listenersOf(List<String> targets, Map<String, String> listenerOfTarget) {
        ArrayNode names = JSON.createArrayNode();
        for (String target : targets) {
            String listener = listenerOfTarget.get(target);
            if (listener != null) {
                names.add(listener);
            }
        }
        return names;
    }

    static String contentHash(ObjectNode config) {
        try {
            byte[] bytes = JSON.writeValueAsBytes(config);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                hex.append(String.format("%02x", digest[i]));
            }
            return hex.toString();
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash a ProxyConfig", e);
        }
    }

    /** Serialized form, for the sidecar. */
    public static byte[] toBytes(PodConfig config) {
        try {
            return JSON.writeValueAsString(config.json()).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class ListenerEntry {
        final String name;
        final ListenerPlan plan;
        final String owner;
        Integer maxConnections;

        ListenerEntry(String name, ListenerPlan plan, String owner) {
            this.name = name;
            this.plan = plan;
            this.owner = owner;
        }

        void limitConnections(int limit) {
            maxConnections = maxConnections == null ? limit : Math.min(maxConnections, limit);
        }

        ObjectNode toJson() {
            ObjectNode node = JSON.createObjectNode();
            node.put("name", name).put("listen", plan.listen()).put("upstream", plan.upstream()).put("protocol", plan.protocol());
            if (maxConnections != null) {
                node.put("maxConnections", maxConnections);
            }
            return node;
        }
    }
}
