package io.faultline.crds.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How many of the pods matching the selector the session acts on. The chosen pods are stable: they are ranked by a
 * hash of pod UID and session UID, so they survive operator restarts and change only when pods come or go.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.mode in ['Count', 'Percent'] ? has(self.value) : !has(self.value)",
        message = "value is required for Count and Percent, and not allowed for All and One")
@ValidationRule(value = "self.mode != 'Percent' || !has(self.value) || (self.value >= 1 && self.value <= 100)",
        message = "Percent value must be between 1 and 100")
@ValidationRule(value = "self.mode != 'Count' || !has(self.value) || self.value >= 1", message = "Count value must be at least 1")
public class Sampling {
    @Default("All")
    @JsonPropertyDescription("All (default): every matching pod; One: a single pod; Count: value pods; Percent: value percent of the pods, rounded up.")
    public SamplingMode mode = SamplingMode.All;

    @Min(1)
    @JsonPropertyDescription("Number of pods (Count) or percentage 1..100 (Percent).")
    public Integer value;

    public Sampling() {
    }

    public Sampling(SamplingMode mode, Integer value) {
        this.mode = mode;
        this.value = value;
    }

    public enum SamplingMode {
        All, One, Count, Percent
    }
}
