package io.faultline.crds.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.faultline.config.LinearRegex;

/**
 * A condition on the values of one request header or query parameter, as the sidecar's rule match takes it: exactly
 * one of an exact value, a regular expression (full match of any value) or presence.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "[has(self.exact), has(self.regex), has(self.present)].filter(k, k).size() == 1",
        message = "give exactly one of exact (a value), regex (full match) or present (true|false)")
public class ValueCondition {
    @JsonPropertyDescription("Matches when one of the values equals this text exactly, e.g. free.")
    public String exact;

    @Size(max = LinearRegex.MAX_LENGTH)
    @JsonPropertyDescription("Regular expression in RE2 syntax (linear-time matching: no backreferences or lookaround) that "
            + "must match one of the values in full, e.g. v[0-9]+. The operator checks it as the sidecar does and reports a "
            + "bad one on the session.")
    public String regex;

    @JsonPropertyDescription("true: matches when the header or parameter is present (any value); false: when it is absent.")
    public Boolean present;

    public ValueCondition() {
    }

    /**
     * Before v1alpha1 match conditions were objects, {@code headers} held plain strings (exact values); sessions stored
     * in that shape still read (the API server now requires {@code {exact: v}} on create and update).
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static ValueCondition exact(String value) {
        ValueCondition condition = new ValueCondition();
        condition.exact = value;
        return condition;
    }

    public static ValueCondition regex(String regex) {
        ValueCondition condition = new ValueCondition();
        condition.regex = regex;
        return condition;
    }

    public static ValueCondition present(boolean present) {
        ValueCondition condition = new ValueCondition();
        condition.present = present;
        return condition;
    }
}
