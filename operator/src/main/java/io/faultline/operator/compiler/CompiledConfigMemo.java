package io.faultline.operator.compiler;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.faultline.crds.spec.Target;

/**
 * Compiled pod configs memoized by their inputs, for one namespace: a pod whose inputs did not change since the last
 * sync costs a key comparison, not a compile; pods with equal inputs (the same sessions select them, the same
 * listen-host and injection annotations) share one compiled config.
 *
 * <p>The key is everything {@link ProxyConfigCompiler#compile} reads: for each session selecting the pod its UID, name,
 * creation time, whether its rules are in force, its expiry, and the JSON of its effective spec and resolved QoS profile
 * spec (by content, not by generation or resourceVersion: the effective spec can be the last valid one, and a profile
 * can change under an unchanged session); for the pod the {@code faultline.io/listen-host} annotation and the raw
 * {@code faultline.io/status} injection annotation the baseline listeners come from. Equal keys therefore always have
 * equal configs, and any change to an input is a new key (a recompile). Nothing is invalidated by events: every sync
 * recomputes every key from the caches.
 *
 * <p>Bounded: a sync is one pass ({@link #beginPass()} ... {@link #endPass()}); the entries a pass did not use (pods
 * deleted, sessions deleted or edited) are dropped at its end, so the memo never holds more than one config per pod of
 * the namespace's latest sync. Not thread-safe: {@code NamespaceSynchronizer} uses it under the namespace's sync lock.
 */
public final class CompiledConfigMemo {
    /** Sorted keys, so that map-valued fields (selectors, headers) serialize the same whatever their map's order. */
    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /** What the compiler reads of one session. */
    record SessionInputs(String uid, String name, Instant createdAt, boolean rulesInForce, Instant expiry, String spec,
            String qos) {
    }

    /** What the compiler reads for one pod. Sessions sorted by UID (the compiler orders them itself). */
    record Key(List<SessionInputs> sessions, String listenHost, String injectionStatus) {
    }

    private Map<Key, PodConfig> previous = new HashMap<>();
    private Map<Key, PodConfig> current;
    /** Per pass: the inputs of each session, serialized once however many pods it selects. */
    private Map<ResolvedSession, SessionInputs> sessionInputs = new IdentityHashMap<>();
    private int compiles;
    private int reuses;

    /** Starts a sync. A pass left unfinished (an exception) keeps its entries until the next finished pass. */
    public void beginPass() {
        if (current != null) {
            previous.putAll(current);
        }
        current = new HashMap<>();
        sessionInputs = new IdentityHashMap<>();
        compiles = 0;
        reuses = 0;
    }

    /**
     * The pod's config: the memoized one when a config was compiled from equal inputs in this pass or the previous
     * one, else a fresh compile.
     *
     * @param injectionStatus the raw {@code faultline.io/status} annotation, or null
     * @param baseline the listeners parsed from {@code injectionStatus}: only called on a compile
     */
    public PodConfig configFor(List<ResolvedSession> sessions, String listenHost, String injectionStatus,
            Supplier<List<Target>> baseline) {
        if (current == null) {
            throw new IllegalStateException("configFor outside a pass: call beginPass() first");
        }
        Key key = keyOf(sessions, listenHost, injectionStatus);
        PodConfig config = current.get(key);
        if (config == null) {
            config = previous.get(key);
            if (config == null) {
                config = ProxyConfigCompiler.compile(sessions, listenHost, baseline.get());
                compiles++;
            } else {
                reuses++;
            }
            current.put(key, config);
        } else {
            reuses++;
        }
        return config;
    }

    /** Ends a sync: entries this pass did not use are dropped. */
    public void endPass() {
        previous = current == null ? new HashMap<>() : current;
        current = null;
        sessionInputs = new IdentityHashMap<>();
    }

    /** Configs compiled in the current (or last) pass. */
    public int compiles() {
        return compiles;
    }

    /** Configs of the current (or last) pass that were not compiled again. */
    public int reuses() {
        return reuses;
    }

    /** Distinct configs held. */
    public int size() {
        return previous.size() + (current == null ? 0 : current.size());
    }

    private Key keyOf(List<ResolvedSession> sessions, String listenHost, String injectionStatus) {
        List<SessionInputs> inputs = new ArrayList<>(sessions.size());
        for (ResolvedSession session : sessions) {
            inputs.add(sessionInputs.computeIfAbsent(session, CompiledConfigMemo::inputsOf));
        }
        inputs.sort(Comparator.comparing(SessionInputs::uid));
        return new Key(inputs, listenHost, injectionStatus);
    }

    private static SessionInputs inputsOf(ResolvedSession session) {
        return new SessionInputs(session.uid(), session.name(), session.createdAt(), session.rulesInForce(), session.expiry(),
                json(session.spec()), json(session.qos()));
    }

    private static String json(Object value) {
        try {
            return value == null ? null : JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize compiler input " + value.getClass().getSimpleName(), e);
        }
    }
}
