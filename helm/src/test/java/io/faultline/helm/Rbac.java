package io.faultline.helm;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** RBAC rules flattened to "group/resource[names]: verbs" lines, one per (group, resource) of each rule. */
final class Rbac {
    private Rbac() {
    }

    static List<String> rules(JsonNode role) {
        List<String> lines = new ArrayList<>();
        for (JsonNode rule : role.path("rules")) {
            List<String> verbs = ChartDefaultsTest.texts(rule.path("verbs"));
            List<String> names = ChartDefaultsTest.texts(rule.path("resourceNames"));
            for (String group : ChartDefaultsTest.texts(rule.path("apiGroups"))) {
                for (String resource : ChartDefaultsTest.texts(rule.path("resources"))) {
                    lines.add(group + "/" + resource + (names.isEmpty() ? "" : names.toString().replace(" ", ""))
                            + ": " + String.join(",", verbs));
                }
            }
        }
        return lines;
    }

    static List<JsonNode> roles(Manifests manifests) {
        List<JsonNode> roles = new ArrayList<>(manifests.ofKind("ClusterRole"));
        roles.addAll(manifests.ofKind("Role"));
        return roles;
    }
}
