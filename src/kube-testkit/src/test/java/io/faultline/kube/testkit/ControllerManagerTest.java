package io.faultline.kube.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;

@WithKubeApiServer(controllerManager = true)
class ControllerManagerTest {
    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                  - {name: web, image: registry.invalid/web:1}
            """;

    @Test
    void deploymentsMakeReplicaSetsAndPodsAndTheGarbageCollectorRemovesThem(KubeApiServer server,
            KubernetesClient admin) {
        String ns = server.createNamespace("kcm");
        server.apply().inNamespace(ns).yaml(DEPLOYMENT);

        List<Pod> pods = admin.pods().inNamespace(ns).withLabel("app", "web")
                .informOnCondition(list -> list.size() == 2).join();
        assertThat(pods).allSatisfy(pod -> {
            assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(owner -> assertThat(owner.getKind()).isEqualTo("ReplicaSet"));
            assertThat(pod.getStatus().getPhase()).as("no kubelet: pods stay Pending").isEqualTo("Pending");
        });
        ReplicaSet replicaSet = admin.apps().replicaSets().inNamespace(ns).list().getItems().get(0);
        assertThat(replicaSet.getMetadata().getOwnerReferences().get(0).getName()).isEqualTo("web");

        admin.apps().deployments().inNamespace(ns).withName("web")
                .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        admin.pods().inNamespace(ns).withLabel("app", "web").informOnCondition(List::isEmpty)
                .orTimeout(120, TimeUnit.SECONDS).join();
        assertThat(admin.apps().replicaSets().inNamespace(ns).list().getItems()).isEmpty();
    }

    @Test
    void aDeletedNamespaceIsEmptiedAndRemoved(KubeApiServer server, KubernetesClient admin) {
        String ns = server.createNamespace("kcm-delete");
        server.apply().inNamespace(ns).yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: leftover}\n");
        admin.namespaces().withName(ns).delete();
        admin.namespaces().withName(ns).waitUntilCondition(n -> n == null, 120, TimeUnit.SECONDS);
        assertThat(admin.configMaps().inNamespace(ns).withName("leftover").get()).isNull();
    }

    @Test
    void newNamespacesGetTheirDefaultServiceAccount(KubeApiServer server, KubernetesClient admin) {
        String ns = server.createNamespace("kcm-sa");
        admin.serviceAccounts().inNamespace(ns).withName("default")
                .waitUntilCondition(sa -> sa != null, 120, TimeUnit.SECONDS);
    }
}
