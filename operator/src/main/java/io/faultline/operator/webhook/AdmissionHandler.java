package io.faultline.operator.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.Pod;
import io.faultline.operator.compiler.ResolvedSession;
import io.faultline.operator.webhook.InjectionDecision.Reason;

/**
 * Answers one AdmissionReview (admission.k8s.io/v1). It never denies a pod: a pod that is not injected is allowed
 * unchanged, an internal error allows the pod unchanged with a warning (the cluster must never depend on Faultline),
 * and only a request that is not a well-formed AdmissionReview gets a 400 with a message saying what is wrong.
 */
public final class AdmissionHandler {
    private static final Logger LOG = Logger.getLogger(AdmissionHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String API_VERSION = "admission.k8s.io/v1";
    /** The per-namespace kill switch annotation the reconcilers honour too. */
    static final String KILL_SWITCH_ANNOTATION = "faultline.io/kill-switch";

    /** An HTTP answer: status and JSON body. */
    public record Answer(int status, JsonNode body) {
    }

    private final InjectionSettings settings;
    private final ClusterLookup cluster;
    private final InjectionListener listener;
    private final boolean globalKillSwitch;
    private final Clock clock;

    public AdmissionHandler(InjectionSettings settings, ClusterLookup cluster, InjectionListener listener, boolean globalKillSwitch,
            Clock clock) {
        this.settings = settings;
        this.cluster = cluster;
        this.listener = listener;
        this.globalKillSwitch = globalKillSwitch;
        this.clock = clock;
    }

    public Answer handle(byte[] body) {
        JsonNode review;
        try {
            review = JSON.readTree(body);
        } catch (java.io.IOException e) {
            return badRequest("the body is not JSON: " + e.getMessage());
        }
        if (review == null || !review.isObject()) {
            return badRequest("the body must be a JSON object (an AdmissionReview)");
        }
        if (!API_VERSION.equals(review.path("apiVersion").asText()) || !"AdmissionReview".equals(review.path("kind").asText())) {
            return badRequest("expected apiVersion " + API_VERSION + " and kind AdmissionReview, got apiVersion '"
                    + review.path("apiVersion").asText() + "' and kind '" + review.path("kind").asText() + "'");
        }
        JsonNode request = review.path("request");
        if (!request.isObject()) {
            return badRequest("request is missing");
        }
        String uid = request.path("uid").asText("");
        if (uid.isEmpty()) {
            return badRequest("request.uid is missing");
        }
        if (!"CREATE".equals(request.path("operation").asText()) || !"pods".equals(request.path("resource").path("resource").asText())
                || !request.path("subResource").asText("").isEmpty()) {
            return allowed(uid, null, List.of()); // only Pod CREATE is mutated; anything else passes untouched
        }
        if (!request.path("object").isObject()) {
            return badRequest("request.object is missing (a Pod is expected for a pods CREATE)");
        }
        Pod pod;
        try {
            pod = JSON.treeToValue(request.get("object"), Pod.class);
        } catch (JsonProcessingException e) {
            return badRequest("request.object is not a Pod: " + e.getOriginalMessage());
        }
        String namespace = request.path("namespace").asText("");
        if (namespace.isEmpty() && pod.getMetadata() != null && pod.getMetadata().getNamespace() != null) {
            namespace = pod.getMetadata().getNamespace();
        }
        if (namespace.isEmpty()) {
            return badRequest("request.namespace is missing");
        }
        return admit(uid, pod, namespace, request.path("dryRun").asBoolean(false));
    }

    private Answer admit(String uid, Pod pod, String namespace, boolean dryRun) {
        try {
            ClusterLookup.NamespaceInfo info = cluster.namespace(namespace);
            InjectionDecision first = InjectionPolicy.decide(pod, namespace, info.labels(), settings);
            List<ResolvedSession> sessions = List.of();
            if (first.inject()) { // sessions are read only for pods that will get a sidecar
                boolean killSwitch = globalKillSwitch || "true".equals(info.annotations().get(KILL_SWITCH_ANNOTATION));
                sessions = AdmissionSessions.selecting(pod, namespace, cluster.sessions(namespace), cluster.profiles(namespace),
                        killSwitch, clock.instant());
            }
            PodInjector.Result result = PodInjector.inject(new PodInjector.Request(pod, namespace, info.labels(), settings, sessions));
            if (result.decision().inject() && !dryRun) {
                cluster.ensureTokenSecret(namespace);
            }
            ArrayNode patch = JsonPatches.diff(pod, result.mutated());
            listener.decided(pod, namespace, result.decision());
            List<String> warnings = switch (result.decision().reason()) {
                case InvalidAnnotation, PortConflict, PodSecurity -> List.of("faultline: sidecar not injected: " + result.decision().message());
                default -> List.of();
            };
            return allowed(uid, patch.isEmpty() ? null : patch, warnings);
        } catch (RuntimeException e) {
            LOG.warnf(e, "injection failed for a pod in %s; admitting it unchanged", namespace);
            listener.decided(pod, namespace, InjectionDecision.skip(Reason.InternalError, String.valueOf(e.getMessage())));
            return allowed(uid, null, List.of("faultline: sidecar not injected, internal error: " + e.getMessage()));
        }
    }

    private static Answer allowed(String uid, ArrayNode patch, List<String> warnings) {
        ObjectNode review = JSON.createObjectNode().put("apiVersion", API_VERSION).put("kind", "AdmissionReview");
        ObjectNode response = review.putObject("response").put("uid", uid).put("allowed", true);
        if (patch != null) {
            response.put("patchType", "JSONPatch");
            response.put("patch", Base64.getEncoder().encodeToString(patch.toString().getBytes(StandardCharsets.UTF_8)));
        }
        if (!warnings.isEmpty()) {
            ArrayNode array = response.putArray("warnings");
            warnings.forEach(array::add);
        }
        return new Answer(200, review);
    }

    private static Answer badRequest(String message) {
        return new Answer(400, JSON.createObjectNode().put("error", "malformed AdmissionReview: " + message).put("status", 400));
    }
}
