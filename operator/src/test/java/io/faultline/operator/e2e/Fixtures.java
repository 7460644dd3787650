package io.faultline.operator.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.faultline.crds.FaultSession;
import io.faultline.crds.common.PodSelector;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.spec.FaultSpec;
import io.faultline.crds.spec.Target;
import io.faultline.operator.sidecar.SidecarPods;

/** Resources the end-to-end tests create in the mock API server. */
final class Fixtures {
    private Fixtures() {
    }

    static void namespace(KubernetesClient client, String name) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    }

    /** A running pod with a faultline-sidecar container whose admin API is the given local sidecar process. */
    static Pod injectedPod(KubernetesClient client, String namespace, String name, Map<String, String> labels, int adminPort) {
        return pod(client, namespace, name, labels, adminPort, true);
    }

    static Pod plainPod(KubernetesClient client, String namespace, String name, Map<String, String> labels) {
        return pod(client, namespace, name, labels, 0, false);
    }

    private static Pod pod(KubernetesClient client, String namespace, String name, Map<String, String> labels, int adminPort,
            boolean injected) {
        PodBuilder builder = new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels)
                .withAnnotations(Map.of(SidecarPods.ADMIN_PORT_ANNOTATION, String.valueOf(adminPort),
                        SidecarPods.LISTEN_HOST_ANNOTATION, "127.0.0.1"))
                .endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("shop/app:1").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1").endStatus();
        if (injected) {
            builder.editSpec().addNewContainer().withName(SidecarPods.SIDECAR_CONTAINER).withImage("faultline/sidecar:0.1").endContainer()
                    .endSpec();
        }
        Pod created = client.pods().inNamespace(namespace).resource(builder.build()).create();
        if (created.getStatus() == null || created.getStatus().getPodIP() == null) {
            created.setStatus(builder.build().getStatus());
            created = client.pods().inNamespace(namespace).resource(created).updateStatus();
        }
        return created;
    }

    static FaultSession session(String namespace, String name, Map<String, String> selector, Target target, FaultSpec... faults) {
        FaultSession session = new FaultSession();
        session.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        FaultSessionSpec spec = new FaultSessionSpec();
        spec.selector = new PodSelector(selector);
        spec.targets = List.of(target);
        spec.faults = new ArrayList<>(List.of(faults));
        session.setSpec(spec);
        return session;
    }

    /** An inbound target: the sidecar listens on 127.0.0.1:listenPort and forwards to the app on 127.0.0.1:appPort. */
    static Target inbound(String name, int appPort, int listenPort) {
        Target target = new Target();
        target.name = name;
        target.port = appPort;
        target.listenPort = listenPort;
        return target;
    }
}
