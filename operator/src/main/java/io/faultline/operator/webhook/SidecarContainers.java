package io.faultline.operator.webhook;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.faultline.operator.sidecar.SidecarPods;

/**
 * The containers and volumes injection adds. The sidecar reads its admin token from the namespace's token Secret and
 * its initial ProxyConfig from the pod's own annotation {@code faultline.io/initial-config} through a downward API
 * volume: no per-pod object has to exist before the pod, and the webhook stays free of side effects.
 */
final class SidecarContainers {
    static final String INIT_CONTAINER = "faultline-init";
    static final String ADMIN_PORT_NAME = "faultline-admin";
    static final String TOKEN_VOLUME = "faultline-token";
    static final String CONFIG_VOLUME = "faultline-config";
    static final String TMP_VOLUME = "faultline-tmp";
    static final String TOKEN_DIR = "/var/run/faultline";
    static final String TOKEN_FILE = TOKEN_DIR + "/token";
    static final String CONFIG_DIR = "/etc/faultline";
    static final String CONFIG_FILE = CONFIG_DIR + "/initial.json";

    private SidecarContainers() {
    }

    static Container sidecar(InjectionSettings settings, String image, int adminPort, InterceptionPlan plan,
            Map<String, String> annotations, boolean nativeSidecar) {
        List<ContainerPort> ports = new ArrayList<>();
        ports.add(new ContainerPortBuilder().withName(ADMIN_PORT_NAME).withContainerPort(adminPort).withProtocol("TCP").build());
        for (InboundPort port : plan.inbound()) {
            if (port.renamedTo() != null) { // explicit: the sidecar now owns the name Services target
                ports.add(new ContainerPortBuilder().withName(port.portName()).withContainerPort(port.listenPort()).withProtocol("TCP")
                        .build());
            }
        }
        ContainerBuilder builder = new ContainerBuilder()
                .withName(SidecarPods.SIDECAR_CONTAINER)
                .withImage(image)
                .withImagePullPolicy(settings.imagePullPolicy())
                .withArgs("--admin", "0.0.0.0:" + adminPort, "--admin-token-file", TOKEN_FILE, "--config", CONFIG_FILE,
                        "--log-format", "json")
                .withPorts(ports)
                .withResources(SidecarResources.of(annotations, settings))
                .withNewReadinessProbe()
                    .withNewHttpGet().withPath("/readyz").withPort(new IntOrString(adminPort)).endHttpGet()
                    .withPeriodSeconds(2).withFailureThreshold(3)
                .endReadinessProbe()
                .withNewSecurityContext()
                    .withRunAsNonRoot(true)
                    .withRunAsUser(settings.sidecarUid())
                    .withRunAsGroup(settings.sidecarUid())
                    .withAllowPrivilegeEscalation(false)
                    .withReadOnlyRootFilesystem(true)
                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                    .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .addNewVolumeMount().withName(TOKEN_VOLUME).withMountPath(TOKEN_DIR).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName(CONFIG_VOLUME).withMountPath(CONFIG_DIR).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName(TMP_VOLUME).withMountPath("/tmp").endVolumeMount();
        if (nativeSidecar) {
            builder.withRestartPolicy("Always");
        }
        return builder.build();
    }

    /** Transparent mode: installs the redirects, then exits. The only container with a capability beyond none. */
    static Container redirectInit(InjectionSettings settings, List<InboundPort> ports, List<OutboundListener> outbound) {
        return new ContainerBuilder()
                .withName(INIT_CONTAINER)
                .withImage(settings.initImage())
                .withImagePullPolicy(settings.imagePullPolicy())
                .withCommand("sh", "-c", IptablesRules.script(IptablesRules.all(ports, outbound, settings.sidecarUid())))
                .withNewResources()
                    .addToRequests("cpu", new Quantity("10m")).addToRequests("memory", new Quantity("16Mi"))
                    .addToLimits("memory", new Quantity("32Mi"))
                .endResources()
                .withNewSecurityContext()
                    .withRunAsUser(0L)
                    .withRunAsNonRoot(false)
                    .withAllowPrivilegeEscalation(false)
                    .withReadOnlyRootFilesystem(false) // iptables takes its lock under /run
                    .withNewCapabilities().withAdd("NET_ADMIN", "NET_RAW").withDrop("ALL").endCapabilities()
                    .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .build();
    }

    static List<Volume> volumes(InjectionSettings settings) {
        return List.of(
                new VolumeBuilder().withName(TOKEN_VOLUME).withNewSecret().withSecretName(settings.tokenSecretName())
                        .addNewItem().withKey("token").withPath("token").endItem().endSecret().build(),
                new VolumeBuilder().withName(CONFIG_VOLUME).withNewDownwardAPI().addNewItem().withPath("initial.json")
                        .withNewFieldRef().withFieldPath("metadata.annotations['" + InjectionAnnotations.INITIAL_CONFIG + "']")
                        .endFieldRef().endItem().endDownwardAPI().build(),
                // the JVM and Netty's native transport need a writable /tmp; the root filesystem stays read-only
                new VolumeBuilder().withName(TMP_VOLUME).withNewEmptyDir().withMedium("Memory").withSizeLimit(new Quantity("16Mi"))
                        .endEmptyDir().build());
    }
}
