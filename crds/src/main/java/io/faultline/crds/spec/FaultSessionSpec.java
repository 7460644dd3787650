package io.faultline.crds.spec;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.faultline.crds.common.PodSelector;

/** What a FaultSession does: which pods, which traffic, which faults, and when. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.targets.all(t, self.targets.exists_one(u, u.name == t.name))",
        message = "target names must be unique")
@ValidationRule(value = "!has(self.faults) || self.faults.all(f, self.faults.exists_one(g, g.name == f.name))",
        message = "fault names must be unique")
@ValidationRule(value = "!has(self.faults) || self.faults.all(f, !has(f.targets) || f.targets.all(n, self.targets.exists(t, t.name == n)))",
        message = "every name in a fault's targets must be the name of one of spec.targets")
public class FaultSessionSpec {
    @Required
    @JsonPropertyDescription("Label selector over the pods of the session's namespace. {} selects every pod.")
    public PodSelector selector;

    @JsonPropertyDescription("How many of the matching pods are chosen. Default: all of them.")
    public Sampling sampling;

    @JsonPropertyDescription("When true the faults are removed from the sidecars (the session stays, with phase Paused).")
    public Boolean paused;

    @JsonPropertyDescription("Start instant and duration. Default: active from creation until deletion.")
    public Schedule schedule;

    @JsonPropertyDescription("QoSProfile whose link conditions apply to every target of the session.")
    public ProfileReference qosProfileRef;

    @Required
    @Size(min = 1, max = 16)
    @JsonPropertyDescription("The traffic the session acts on: inbound ports of the application and outbound mappings.")
    public List<Target> targets;

    @Size(max = 32)
    @JsonPropertyDescription("The faults, each applied to some or all targets.")
    public List<FaultSpec> faults;

    @JsonPropertyDescription("When true, selected pods that run without the Faultline sidecar (status AwaitingInjection) get it by a"
            + " rolling restart of their Deployment, StatefulSet or DaemonSet (as kubectl rollout restart does), one workload at a"
            + " time, each at most once per generation of the session, and only where injection is enabled (namespace label"
            + " faultline.io/injection=enabled or pod annotation faultline.io/inject: \"true\"). Default: false (pods are listed as"
            + " AwaitingInjection and left alone).")
    public Boolean restartWorkloads;

    /** True when the session asks for its faults to be removed for now. */
    public boolean pauseRequested() {
        return Boolean.TRUE.equals(paused);
    }

    /** True when the session may roll the workloads of its pods that have no sidecar yet. */
    public boolean restartRequested() {
        return Boolean.TRUE.equals(restartWorkloads);
    }
}
