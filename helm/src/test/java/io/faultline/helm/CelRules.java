package io.faultline.helm;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The CRDs' x-kubernetes-validations (CEL) rules, re-implemented in Java: no CEL engine resolves here. Each rule text of
 * the generated CRDs must have an implementation: an unknown rule is an error, so a new rule in the model cannot be
 * skipped silently by the example checks. The exactly-one-of rule is recognised by its shape (whatever the kinds).
 */
final class CelRules {
    private static final Pattern EXACTLY_ONE = Pattern.compile("^\\[((?:has\\(self\\.\\w+\\),?\\s*)+)\\]\\.filter\\(k, k\\)\\.size\\(\\) == 1$");
    private static final Pattern HAS = Pattern.compile("has\\(self\\.(\\w+)\\)");

    private static final Map<String, Predicate<JsonNode>> RULES = Map.ofEntries(
            Map.entry("self.mode in ['Count', 'Percent'] ? has(self.value) : !has(self.value)",
                    self -> List.of("Count", "Percent").contains(self.path("mode").asText()) == self.has("value")),
            Map.entry("self.mode != 'Percent' || !has(self.value) || (self.value >= 1 && self.value <= 100)",
                    self -> !self.path("mode").asText().equals("Percent") || !self.has("value")
                            || (self.path("value").asInt() >= 1 && self.path("value").asInt() <= 100)),
            Map.entry("self.mode != 'Count' || !has(self.value) || self.value >= 1",
                    self -> !self.path("mode").asText().equals("Count") || !self.has("value") || self.path("value").asInt() >= 1),
            Map.entry("self.operator in ['In', 'NotIn'] ? (has(self.values) && size(self.values) > 0) : (!has(self.values) || size(self.values) == 0)",
                    self -> List.of("In", "NotIn").contains(self.path("operator").asText())
                            ? self.path("values").size() > 0 : self.path("values").size() == 0),
            Map.entry("has(self.port) != has(self.mapping)", self -> self.has("port") != self.has("mapping")),
            Map.entry("!has(self.mapping) || (!has(self.listenPort) && !has(self.protocol))",
                    self -> !self.has("mapping") || (!self.has("listenPort") && !self.has("protocol"))),
            Map.entry("self.targets.all(t, self.targets.exists_one(u, u.name == t.name))",
                    self -> unique(self.path("targets"))),
            Map.entry("!has(self.faults) || self.faults.all(f, self.faults.exists_one(g, g.name == f.name))",
                    self -> unique(self.path("faults"))),
            Map.entry("!has(self.faults) || self.faults.all(f, !has(f.targets) || f.targets.all(n, self.targets.exists(t, t.name == n)))",
                    self -> {
                        Set<String> targets = names(self.path("targets"));
                        for (JsonNode fault : self.path("faults")) {
                            for (JsonNode name : fault.path("targets")) {
                                if (!targets.contains(name.asText())) {
                                    return false;
                                }
                            }
                        }
                        return true;
                    }),
            Map.entry("!has(self.grpcMessage) || has(self.grpcStatus)", self -> !self.has("grpcMessage") || self.has("grpcStatus")),
            Map.entry("has(self.request) || has(self.response)", self -> self.has("request") || self.has("response")),
            Map.entry("!has(self.contentType) || has(self.replace)", self -> !self.has("contentType") || self.has("replace")),
            Map.entry("has(self.method) || has(self.path) || has(self.pathRegex)",
                    self -> self.has("method") || self.has("path") || self.has("pathRegex")),
            Map.entry("!(has(self.path) && has(self.pathRegex))", self -> !(self.has("path") && self.has("pathRegex"))),
            Map.entry("has(self.pathRegex) == has(self.replacement)", self -> self.has("pathRegex") == self.has("replacement")),
            Map.entry("has(self.upstream) || has(self.downstream)", self -> self.has("upstream") || self.has("downstream")),
            Map.entry("has(self.latency) || has(self.bandwidth) || has(self.loss) || has(self.connectionLimit)",
                    self -> self.has("latency") || self.has("bandwidth") || self.has("loss") || self.has("connectionLimit")));

    private CelRules() {
    }

    /** True when the rule holds for {@code self}; an IllegalArgumentException for a rule with no implementation. */
    static boolean holds(String rule, JsonNode self) {
        Matcher exactlyOne = EXACTLY_ONE.matcher(rule);
        if (exactlyOne.matches()) {
            return fieldsOf(exactlyOne.group(1)).stream().filter(self::has).count() == 1;
        }
        Predicate<JsonNode> predicate = RULES.get(rule);
        if (predicate == null) {
            throw new IllegalArgumentException("no Java implementation of the CEL rule `" + rule
                    + "`: add it to " + CelRules.class.getSimpleName() + " so the examples are checked against it");
        }
        return predicate.test(self);
    }

    /** The fields an exactly-one-of rule names, or an empty list for any other rule. */
    static List<String> exactlyOneOf(String rule) {
        Matcher exactlyOne = EXACTLY_ONE.matcher(rule);
        return exactlyOne.matches() ? fieldsOf(exactlyOne.group(1)) : List.of();
    }

    private static List<String> fieldsOf(String list) {
        List<String> fields = new ArrayList<>();
        Matcher has = HAS.matcher(list);
        while (has.find()) {
            fields.add(has.group(1));
        }
        return fields;
    }

    private static boolean unique(JsonNode items) {
        Set<String> seen = new HashSet<>();
        for (JsonNode item : items) {
            if (!seen.add(item.path("name").asText())) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> names(JsonNode items) {
        Set<String> names = new HashSet<>();
        items.forEach(item -> names.add(item.path("name").asText()));
        return names;
    }
}
