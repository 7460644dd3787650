package io.faultline.helm;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** The operator container's environment as name -> value ("fieldRef:path" / "secretKeyRef:name/key" for references). */
final class Env {
    private Env() {
    }

    static Map<String, String> of(JsonNode deployment) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode var : deployment.path("spec").path("template").path("spec").path("containers").get(0).path("env")) {
            String name = var.path("name").asText();
            if (env.containsKey(name)) {
                throw new AssertionError("environment variable " + name + " is set twice");
            }
            JsonNode from = var.path("valueFrom");
            if (from.has("fieldRef")) {
                env.put(name, "fieldRef:" + from.path("fieldRef").path("fieldPath").asText());
            } else if (from.has("secretKeyRef")) {
                env.put(name, "secretKeyRef:" + from.path("secretKeyRef").path("name").asText() + "/"
                        + from.path("secretKeyRef").path("key").asText());
            } else {
                env.put(name, var.path("value").asText());
            }
        }
        return env;
    }
}
