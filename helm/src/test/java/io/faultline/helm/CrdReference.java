package io.faultline.helm;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

/** Renders docs/crd-reference.md from the generated CRDs: one table per kind, a row per field, then the rules. */
final class CrdReference {
    private CrdReference() {
    }

    static String render(List<JsonNode> crds) {
        StringBuilder out = new StringBuilder();
        out.append("# CRD reference\n\n")
                .append("<!-- GENERATED from crds/generated/*.yml by the helm module's CrdReferenceTest; do not edit.\n")
                .append("     Regenerate: ./mvnw -pl crds,helm test -Dfaultline.update=true -->\n\n")
                .append("Group `faultline.io`, version `v1alpha1`. Every field below is also in `kubectl explain`, e.g.\n")
                .append("`kubectl explain faultsession.spec.faults.latency`. Examples: [`src/examples/k8s/`](../src/examples/k8s/).\n");
        for (JsonNode crd : crds) {
            JsonNode names = crd.path("spec").path("names");
            JsonNode version = crd.path("spec").path("versions").get(0);
            out.append("\n## ").append(names.path("kind").asText()).append("\n\n");
            out.append("`").append(crd.path("spec").path("group").asText()).append("/").append(version.path("name").asText())
                    .append("`, ").append(crd.path("spec").path("scope").asText().toLowerCase())
                    .append(", plural `").append(names.path("plural").asText()).append("`");
            if (names.has("shortNames")) {
                out.append(", short names ").append(codeList(names.path("shortNames")));
            }
            if (names.has("categories")) {
                out.append(", categories ").append(codeList(names.path("categories")));
            }
            out.append(".\n\n");
            if (version.has("additionalPrinterColumns")) {
                out.append("`kubectl get` columns: ");
                List<String> columns = new ArrayList<>();
                version.path("additionalPrinterColumns").forEach(c -> columns.add(c.path("name").asText() + " (`"
                        + c.path("jsonPath").asText() + "`)"));
                out.append(String.join(", ", columns)).append(".\n\n");
            }
            JsonNode schema = version.path("schema").path("openAPIV3Schema");
            for (String part : List.of("spec", "status")) {
                if (!schema.path("properties").has(part)) {
                    continue;
                }
                out.append("### ").append(part).append("\n\n")
                        .append("| field | type | required | description | constraints |\n|---|---|---|---|---|\n");
                List<String[]> rules = new ArrayList<>();
                rows(out, schema.path("properties").path(part), part, rules);
                if (!rules.isEmpty()) {
                    out.append("\nValidation rules (CEL, checked by the API server on `kubectl apply`):\n\n")
                            .append("| on | rule | message |\n|---|---|---|\n");
                    for (String[] rule : rules) {
                        out.append("| `").append(rule[0]).append("` | `").append(escape(rule[1])).append("` | ")
                                .append(escape(rule[2])).append(" |\n");
                    }
                }
                out.append("\n");
            }
        }
        out.append(REGULAR_EXPRESSIONS);
        return out.toString();
    }

    /** What every regex field accepts: the sidecar's and the operator's one gate (faultline-config's LinearRegex). */
    private static final String REGULAR_EXPRESSIONS = """
            ## Regular expressions

            `match.pathRegex`, `match.headers.<name>.regex`, `match.query.<name>.regex` and `rewrite.pathRegex` use RE2
            syntax and match in time linear in the input (no backtracking: `(a+)+$` costs what `a+$` costs). The operator
            checks them with the sidecar's own code; a refused pattern fails the session (phase Failed, reason
            InvalidSpec) with the field and the reason, e.g. `spec.faults[2].match.pathRegex '(?!x).*' is not accepted:
            lookahead (?!...) is not supported`.

            | accepted | refused (what to write instead) |
            |---|---|
            | classes `[a-z]`, `[^/]`, `[[:alpha:]]`, `\\pL`, `\\p{Greek}`; `\\d \\w \\s \\b`; `.` | Java's `\\p{Alpha}` (`[[:alpha:]]`), `\\h`, `\\R`, `\\X` |
            | `* + ?`, lazy `*? +? ??`, counted `{n}`, `{n,}`, `{n,m}` up to 1000 | possessive `*+ ++ ?+` and atomic groups `(?>...)` (not needed: nothing backtracks); counts above 1000 |
            | groups `(...)`, `(?:...)`, named `(?P<name>...)` and `(?<name>...)` | backreferences `\\1`; lookahead `(?=`, `(?!`; lookbehind `(?<=`, `(?<!` |
            | flags `(?i)`, `(?s)`, `(?m)`, `(?U)`; `^ $ \\A \\z`; `\\Q...\\E`; `\\x{e9}` | `(?x)` and `(?#...)` comments; `\\Z` (`\\z`), `\\G`; `\\u00e9` (`\\x{e9}`) |

            Bounds: at most 1000 characters and 1000 compiled instructions (counted repetitions multiply:
            `(\\w{1,30}){1,30}` compiles to 1,861 and is refused); one match then stays cheap over the sidecar's request
            limits (an 8 KiB request line, a 16 KiB header block).
            """;

    private static void rows(StringBuilder out, JsonNode schema, String path, List<String[]> rules) {
        schema.path("x-kubernetes-validations").forEach(v -> rules.add(new String[] {path, v.path("rule").asText(),
                v.path("message").asText()}));
        JsonNode object = schema.path("type").asText().equals("array") ? schema.path("items") : schema;
        if (object != schema) {
            object.path("x-kubernetes-validations").forEach(v -> rules.add(new String[] {path + "[]", v.path("rule").asText(),
                    v.path("message").asText()}));
        }
        Set<String> required = new TreeSet<>();
        object.path("required").forEach(r -> required.add(r.asText()));
        Iterator<Map.Entry<String, JsonNode>> properties = object.path("properties").fields();
        String prefix = object != schema ? path + "[]" : path;
        List<Map.Entry<String, JsonNode>> sorted = new ArrayList<>();
        properties.forEachRemaining(sorted::add);
        sorted.sort(Map.Entry.comparingByKey());
        for (Map.Entry<String, JsonNode> property : sorted) {
            String fieldPath = prefix + "." + property.getKey();
            JsonNode field = property.getValue();
            out.append("| `").append(fieldPath).append("` | ").append(type(field)).append(" | ")
                    .append(required.contains(property.getKey()) ? "yes" : "").append(" | ")
                    .append(escape(field.path("description").asText())).append(" | ").append(constraints(field)).append(" |\n");
            if (field.has("properties") || field.path("items").has("properties")) {
                rows(out, field, fieldPath, rules);
            } else if (field.path("additionalProperties").has("properties")) {
                // a map of objects (match headers and query): its values' fields under <name>
                rows(out, field.path("additionalProperties"), fieldPath + ".<name>", rules);
            } else {
                field.path("x-kubernetes-validations").forEach(v -> rules.add(new String[] {fieldPath, v.path("rule").asText(),
                        v.path("message").asText()}));
            }
        }
    }

    private static String type(JsonNode field) {
        String type = field.path("type").asText();
        if (type.equals("array")) {
            return "[]" + (field.path("items").has("properties") ? "object" : field.path("items").path("type").asText());
        }
        if (type.equals("object") && field.has("additionalProperties")) {
            return "map[string]" + field.path("additionalProperties").path("type").asText();
        }
        return type;
    }

    private static String constraints(JsonNode field) {
        List<String> parts = new ArrayList<>();
        if (field.has("enum")) {
            parts.add("one of " + codeList(field.path("enum")));
        }
        if (field.has("default")) {
            parts.add("default `" + field.path("default").asText() + "`");
        }
        if (field.has("pattern")) {
            parts.add("pattern `" + escape(field.path("pattern").asText()) + "`");
        }
        if (field.has("minimum")) {
            parts.add("≥ " + number(field.path("minimum")));
        }
        if (field.has("maximum")) {
            parts.add("≤ " + number(field.path("maximum")));
        }
        if (field.has("maxLength")) {
            parts.add("at most " + field.path("maxLength").asInt() + " characters");
        }
        if (field.has("minItems")) {
            parts.add("at least " + field.path("minItems").asInt() + " items");
        }
        if (field.has("maxItems")) {
            parts.add("at most " + field.path("maxItems").asInt() + " items");
        }
        if (field.has("maxProperties")) {
            parts.add("at most " + field.path("maxProperties").asInt() + " entries");
        }
        return String.join("; ", parts);
    }

    private static String number(JsonNode value) {
        double d = value.asDouble();
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static String codeList(JsonNode values) {
        List<String> items = new ArrayList<>();
        values.forEach(v -> items.add("`" + v.asText() + "`"));
        return String.join(", ", items);
    }

    private static String escape(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
