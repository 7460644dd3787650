package io.faultline.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Validates a resource against a generated CRD's openAPIV3Schema the way the API server would for what the schema
 * uses: defaults applied first, then type, unknown fields (kubectl's strict field validation), required, enum,
 * pattern, minimum/maximum, minItems/maxItems, maxProperties, and the x-kubernetes-validations rules ({@link CelRules}).
 */
final class CrdSchema {
    private final String kind;
    private final JsonNode schema;

    private CrdSchema(String kind, JsonNode schema) {
        this.kind = kind;
        this.schema = schema;
    }

    static CrdSchema load(Path crdFile) {
        try {
            JsonNode crd = Manifests.YAML.readTree(crdFile.toFile());
            JsonNode version = crd.path("spec").path("versions").get(0);
            return new CrdSchema(crd.path("spec").path("names").path("kind").asText(), version.path("schema").path("openAPIV3Schema"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, CrdSchema> generated() {
        return Map.of("FaultSession", load(Repo.GENERATED_CRDS.resolve("faultsessions.faultline.io-v1.yml")),
                "QoSProfile", load(Repo.GENERATED_CRDS.resolve("qosprofiles.faultline.io-v1.yml")));
    }

    String kind() {
        return kind;
    }

    JsonNode schema() {
        return schema;
    }

    /** Problems found in the resource's spec, each as "spec.path: what is wrong"; empty when valid. */
    List<String> validate(JsonNode resource) {
        List<String> problems = new ArrayList<>();
        JsonNode spec = resource.path("spec").deepCopy();
        validate(spec, schema.path("properties").path("spec"), "spec", problems);
        return problems;
    }

    private void validate(JsonNode value, JsonNode schema, String path, List<String> problems) {
        applyDefaults(value, schema);
        String type = schema.path("type").asText();
        if (!hasType(value, type)) {
            problems.add(path + ": must be of type " + type + ", got " + value.getNodeType().toString().toLowerCase());
            return;
        }
        if (schema.has("enum")) {
            boolean listed = false;
            for (JsonNode allowed : schema.path("enum")) {
                listed |= allowed.asText().equals(value.asText());
            }
            if (!listed) {
                problems.add(path + ": '" + value.asText() + "' is not one of " + schema.path("enum"));
            }
        }
        if (schema.has("pattern") && !Pattern.compile(schema.path("pattern").asText()).matcher(value.asText()).find()) {
            problems.add(path + ": '" + value.asText() + "' does not match " + schema.path("pattern").asText());
        }
        if (schema.has("maxLength") && value.isTextual()
                && value.asText().codePointCount(0, value.asText().length()) > schema.path("maxLength").asInt()) {
            problems.add(path + ": allows at most " + schema.path("maxLength") + " characters");
        }
        if (schema.has("minimum") && value.asDouble() < schema.path("minimum").asDouble()) {
            problems.add(path + ": " + value + " is below the minimum " + schema.path("minimum"));
        }
        if (schema.has("maximum") && value.asDouble() > schema.path("maximum").asDouble()) {
            problems.add(path + ": " + value + " is above the maximum " + schema.path("maximum"));
        }
        if (value.isArray()) {
            if (schema.has("minItems") && value.size() < schema.path("minItems").asInt()) {
                problems.add(path + ": needs at least " + schema.path("minItems") + " items");
            }
            if (schema.has("maxItems") && value.size() > schema.path("maxItems").asInt()) {
                problems.add(path + ": allows at most " + schema.path("maxItems") + " items");
            }
            for (int i = 0; i < value.size(); i++) {
                validate(value.get(i), schema.path("items"), path + "[" + i + "]", problems);
            }
        }
        if (value.isObject()) {
            if (schema.has("maxProperties") && value.size() > schema.path("maxProperties").asInt()) {
                problems.add(path + ": allows at most " + schema.path("maxProperties") + " entries");
            }
            for (JsonNode required : schema.path("required")) {
                if (!value.has(required.asText())) {
                    problems.add(path + "." + required.asText() + ": required");
                }
            }
            Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                JsonNode fieldSchema = schema.path("properties").path(field.getKey());
                if (fieldSchema.isMissingNode()) {
                    fieldSchema = schema.path("additionalProperties");
                }
                if (fieldSchema.isMissingNode() || fieldSchema.isBoolean()) {
                    if (schema.has("properties")) {
                        problems.add(path + "." + field.getKey() + ": unknown field (known: " + fieldNames(schema) + ")");
                    }
                    continue;
                }
                validate(field.getValue(), fieldSchema, path + "." + field.getKey(), problems);
            }
        }
        if (problems.stream().noneMatch(p -> p.startsWith(path))) { // like the API server: CEL runs on well-typed values
            for (JsonNode validation : schema.path("x-kubernetes-validations")) {
                if (!CelRules.holds(validation.path("rule").asText(), value)) {
                    problems.add(path + ": " + validation.path("message").asText());
                }
            }
        }
    }

    private static void applyDefaults(JsonNode value, JsonNode schema) {
        if (!value.isObject()) {
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
        while (properties.hasNext()) {
            Map.Entry<String, JsonNode> property = properties.next();
            if (property.getValue().has("default") && !value.has(property.getKey())) {
                ((ObjectNode) value).set(property.getKey(), property.getValue().path("default"));
            }
        }
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> true;
        };
    }

    private static List<String> fieldNames(JsonNode schema) {
        List<String> names = new ArrayList<>();
        schema.path("properties").fieldNames().forEachRemaining(names::add);
        return names;
    }
}
