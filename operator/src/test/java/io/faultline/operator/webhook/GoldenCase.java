package io.faultline.operator.webhook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.Pod;
import io.faultline.crds.FaultSession;
import io.faultline.crds.QoSProfile;

/**
 * One golden case directory: {@code pod.json} (the pod as the API server sends it), optional {@code context.json}
 * ({@code namespace}, {@code namespaceLabels}, {@code settings} overrides, {@code sessions}, {@code profiles},
 * {@code killSwitch}, {@code now}), and the expected {@code decision.json}, {@code patch.json}, {@code mutated.json}.
 */
record GoldenCase(String name, Path dir, Pod pod, String namespace, Map<String, String> namespaceLabels, InjectionSettings settings,
        List<FaultSession> sessions, Map<String, QoSProfile> profiles, boolean killSwitch, Instant now) {
    static final ObjectMapper JSON = new ObjectMapper();

    static GoldenCase load(Path dir) throws IOException {
        Pod pod = JSON.readValue(dir.resolve("pod.json").toFile(), Pod.class);
        Path contextFile = dir.resolve("context.json");
        JsonNode context = Files.exists(contextFile) ? JSON.readTree(contextFile.toFile()) : JSON.createObjectNode();
        String namespace = context.path("namespace").asText("shop");
        Map<String, String> labels = new HashMap<>();
        context.path("namespaceLabels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        InjectionSettings settings = InjectionSettings.defaults("faultline-system");
        JsonNode overrides = context.path("settings");
        if (overrides.has("nativeSidecar")) {
            settings = settings.withNativeSidecar(overrides.get("nativeSidecar").asBoolean());
        }
        if (overrides.has("interception")) {
            settings = settings.withInterception(Interception.parse(overrides.get("interception").asText(), "settings.interception"));
        }
        List<FaultSession> sessions = new ArrayList<>();
        for (JsonNode session : context.path("sessions")) {
            sessions.add(JSON.treeToValue(session, FaultSession.class));
        }
        Map<String, QoSProfile> profiles = new HashMap<>();
        for (JsonNode profile : context.path("profiles")) {
            QoSProfile parsed = JSON.treeToValue(profile, QoSProfile.class);
            profiles.put(parsed.getMetadata().getName(), parsed);
        }
        Instant now = Instant.parse(context.path("now").asText("2026-11-23T10:00:00Z"));
        return new GoldenCase(dir.getFileName().toString(), dir, pod, namespace, labels, settings, sessions, profiles,
                context.path("killSwitch").asBoolean(false), now);
    }

    PodInjector.Result run() {
        return PodInjector.inject(new PodInjector.Request(pod, namespace, namespaceLabels, settings,
                AdmissionSessions.selecting(pod, namespace, sessions, profiles, killSwitch, now)));
    }

    static ObjectNode decisionJson(InjectionDecision decision) {
        return JSON.createObjectNode().put("inject", decision.inject()).put("reason", decision.reason().name())
                .put("message", decision.message());
    }
}
