package io.faultline.crds.common;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** One set-based requirement of a label selector. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@ValidationRule(value = "self.operator in ['In', 'NotIn'] ? (has(self.values) && size(self.values) > 0) : (!has(self.values) || size(self.values) == 0)",
        message = "values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist")
public class LabelRequirement {
    @Required
    @JsonPropertyDescription("The label key the requirement applies to.")
    public String key;

    @Required
    @JsonPropertyDescription("How the key relates to the values: In, NotIn, Exists or DoesNotExist.")
    public SelectorOperator operator;

    @JsonPropertyDescription("Values for In and NotIn; empty for Exists and DoesNotExist.")
    public List<String> values = List.of();

    public enum SelectorOperator {
        In, NotIn, Exists, DoesNotExist
    }
}
