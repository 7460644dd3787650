package io.faultline.operator.webhook;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;

/**
 * The admission patch: the RFC 6902 diff of the original and the mutated pod, both serialized the same way, with
 * add/replace/remove operations only (no move/copy, whose "from" paths are harder to read and to review in goldens).
 */
public final class JsonPatches {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ALLOWED = Set.of("add", "replace", "remove");

    private JsonPatches() {
    }

    public static ArrayNode diff(Pod original, Pod mutated) {
        return diff(JSON.valueToTree(original), JSON.valueToTree(mutated));
    }

    public static ArrayNode diff(JsonNode original, JsonNode mutated) {
        ArrayNode patch = (ArrayNode) JsonDiff.asJson(original, mutated, DiffFlags.dontNormalizeOpIntoMoveAndCopy());
        for (JsonNode operation : patch) {
            if (!ALLOWED.contains(operation.path("op").asText())) {
                throw new IllegalStateException("JSON diff produced a '" + operation.path("op").asText() + "' operation: " + operation);
            }
        }
        return patch;
    }
}
