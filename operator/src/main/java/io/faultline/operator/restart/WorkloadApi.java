package io.faultline.operator.restart;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * The Kubernetes calls of workload restarts: a pod's owning workload through its controller references (a ReplicaSet
 * is followed to its Deployment, which needs get on replicasets), the pod template annotations of a workload, and the
 * restart itself: a merge patch of the pod template's annotations, which is what {@code kubectl rollout restart} does
 * (the changed template makes the workload's controller replace its pods by its own rollout strategy).
 */
public class WorkloadApi {
    /** The annotation kubectl rollout restart sets; tools that show rollouts know it. */
    public static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
    /** Which session generations a workload was restarted for (comma-separated), so that none restarts it twice. */
    public static final String RESTARTED_FOR = "faultline.io/restarted-for";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

    private final KubernetesClient client;

    public WorkloadApi(KubernetesClient client) {
        this.client = client;
    }

    public WorkloadOwner ownerOf(Pod pod) {
        String namespace = pod.getMetadata().getNamespace();
        Optional<OwnerReference> controller = controller(pod);
        if (controller.isEmpty()) {
            return WorkloadOwner.none("the pod has no controller (a bare pod): delete and recreate it to get the sidecar");
        }
        OwnerReference owner = controller.get();
        switch (owner.getKind()) {
            case "StatefulSet":
                return WorkloadOwner.of(new Workload(Workload.Kind.StatefulSet, namespace, owner.getName()));
            case "DaemonSet":
                return WorkloadOwner.of(new Workload(Workload.Kind.DaemonSet, namespace, owner.getName()));
            case "ReplicaSet":
                ReplicaSet replicaSet = client.apps().replicaSets().inNamespace(namespace).withName(owner.getName()).get();
                if (replicaSet == null) {
                    return WorkloadOwner.none("its ReplicaSet " + owner.getName() + " is gone");
                }
                Optional<OwnerReference> deployment = controller(replicaSet).filter(ref -> "Deployment".equals(ref.getKind()));
                return deployment.map(ref -> WorkloadOwner.of(new Workload(Workload.Kind.Deployment, namespace, ref.getName())))
                        .orElseGet(() -> WorkloadOwner.none("its ReplicaSet " + owner.getName()
                                + " belongs to no Deployment: delete the pod to get the sidecar"));
            default:
                return WorkloadOwner.none("it is owned by " + owner.getKind() + " " + owner.getName()
                        + ", not by a Deployment, StatefulSet or DaemonSet: recreate the pod to get the sidecar");
        }
    }

    /** The pod template's annotations, or empty when the workload does not exist. */
    public Optional<Map<String, String>> templateAnnotations(Workload workload) {
        PodTemplateSpec template = switch (workload.kind()) {
            case Deployment -> Optional.ofNullable(
                    client.apps().deployments().inNamespace(workload.namespace()).withName(workload.name()).get())
                    .map(d -> d.getSpec().getTemplate()).orElse(null);
            case StatefulSet -> Optional.ofNullable(
                    client.apps().statefulSets().inNamespace(workload.namespace()).withName(workload.name()).get())
                    .map(s -> s.getSpec().getTemplate()).orElse(null);
            case DaemonSet -> Optional.ofNullable(
                    client.apps().daemonSets().inNamespace(workload.namespace()).withName(workload.name()).get())
                    .map(d -> d.getSpec().getTemplate()).orElse(null);
        };
        if (template == null) {
            return Optional.empty();
        }
        Map<String, String> annotations = template.getMetadata() == null ? null : template.getMetadata().getAnnotations();
        return Optional.of(annotations == null ? Map.of() : annotations);
    }

    /** Rolls the workload: sets {@link #RESTARTED_AT} to {@code now} and {@link #RESTARTED_FOR} on its pod template. */
    public void restart(Workload workload, String restartedFor, Instant now) {
        String patch;
        try {
            patch = JSON.writeValueAsString(Map.of("spec", Map.of("template", Map.of("metadata", Map.of("annotations",
                    Map.of(RESTARTED_AT, now.toString(), RESTARTED_FOR, restartedFor))))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        String ns = workload.namespace();
        String name = workload.name();
        switch (workload.kind()) {
            case Deployment -> client.apps().deployments().inNamespace(ns).withName(name).patch(MERGE, patch);
            case StatefulSet -> client.apps().statefulSets().inNamespace(ns).withName(name).patch(MERGE, patch);
            case DaemonSet -> client.apps().daemonSets().inNamespace(ns).withName(name).patch(MERGE, patch);
        }
    }

    private static Optional<OwnerReference> controller(HasMetadata resource) {
        if (resource.getMetadata().getOwnerReferences() == null) {
            return Optional.empty();
        }
        return resource.getMetadata().getOwnerReferences().stream().filter(ref -> Boolean.TRUE.equals(ref.getController())).findFirst();
    }
}
