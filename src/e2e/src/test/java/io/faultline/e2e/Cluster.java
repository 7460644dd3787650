package io.faultline.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.faultline.kube.testkit.KubeApiServer;

/**
 * What the operator tests share on the module's one API server ({@code @WithKubeApiServer(controllerManager = true)},
 * see faultline-kube-testkit): the install manifest applied, a kubeconfig of the operator's ServiceAccount, the kubelet
 * fixture, and the operator the journey tests share. Set up on first use, torn down when the test JVM ends.
 */
final class Cluster {
    static final String USER_FIELD_MANAGER = "e2e-user";
    private static Cluster instance;

    final Path dir;
    final KubeApiServer server;
    final KubernetesClient admin;
    final Install install;
    final Kubelet kubelet;
    private final Path operatorKubeconfig;
    private final AtomicInteger operators = new AtomicInteger();
    private OperatorProcess sharedOperator;

    private Cluster(KubeApiServer server, Path dir) {
        this.dir = dir;
        this.server = server;
        this.admin = server.adminClient();
        this.install = Install.manifest();
        install.apply(server);
        // a bound token of the operator's ServiceAccount (TokenRequest), as the pod's projected token would hold
        this.operatorKubeconfig = server.kubeconfigs().serviceAccount(Install.NAMESPACE, Install.SERVICE_ACCOUNT);
        this.kubelet = new Kubelet(admin, dir.resolve("pods"));
    }

    /** The shared fixture on {@code server} (which must run kube-controller-manager). */
    static synchronized Cluster on(KubeApiServer server) {
        if (instance == null || instance.server != server) {
            Path dir = Path.of(System.getProperty("faultline.e2e.dir", "target/e2e")).toAbsolutePath();
            instance = new Cluster(server, dir);
            Cluster started = instance;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "e2e-cluster-stop"));
        }
        return instance;
    }

    /** Starts an operator process as its Deployment would (see {@link OperatorProcess}). */
    OperatorProcess startOperator(Map<String, String> extraEnv) {
        String name = "faultline-operator-" + operators.incrementAndGet();
        return OperatorProcess.start(name, operatorKubeconfig, install.operatorEnvironment(), extraEnv, dir.resolve("operators"));
    }

    /** Starts an operator and points the webhook configuration at it once it serves. */
    OperatorProcess startOperatorServingWebhook(Map<String, String> extraEnv) {
        OperatorProcess operator = startOperator(extraEnv);
        Install.pointWebhookAt(admin, operator.webhookUrl(Duration.ofMinutes(3)));
        awaitWebhookInjects();
        return operator;
    }

    /** The operator the journey tests share, started on first use (stopped with {@link #stopSharedOperator}). */
    synchronized OperatorProcess sharedOperator() {
        if (sharedOperator == null || !sharedOperator.isAlive()) {
            sharedOperator = startOperatorServingWebhook(Map.of());
        }
        return sharedOperator;
    }

    synchronized void stopSharedOperator() throws InterruptedException {
        if (sharedOperator != null) {
            sharedOperator.close();
            sharedOperator = null;
        }
    }

    /**
     * Waits until the API server calls the webhook with the current URL and caBundle (its webhook configuration cache
     * follows changes asynchronously): a dry-run pod in an opted-in namespace comes back with the sidecar.
     */
    void awaitWebhookInjects() {
        String probe = "e2e-webhook-probe";
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(probe)
                .withLabels(Map.of("faultline.io/injection", "enabled")).endMetadata().build()).serverSideApply();
        Pod pod = new PodBuilder().withNewMetadata().withName("probe").withNamespace(probe).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("example/app:1").endContainer().endSpec().build();
        await("the API server to call the webhook", Duration.ofMinutes(2),
                () -> admin.pods().inNamespace(probe).resource(pod).dryRun().create().getSpec().getContainers().stream()
                        .anyMatch(c -> "faultline-sidecar".equals(c.getName())),
                () -> "dry-run pods are admitted without the sidecar");
    }

    /** A namespace for one test, run by the kubelet fixture. */
    String namespace(String name, Map<String, String> labels) {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build())
                .serverSideApply();
        kubelet.manage(name);
        return name;
    }

    /** kubectl apply --server-side of one YAML document, as a user. */
    GenericKubernetesResource apply(String yaml) {
        GenericKubernetesResource resource = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
        return admin.resource(resource).fieldManager(USER_FIELD_MANAGER).forceConflicts().serverSideApply();
    }

    private void stop() {
        try {
            stopSharedOperator();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kubelet.close();
    }

    /** Polls until {@code condition} holds; fails with {@code describe}'s text after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition, Supplier<String> describe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> errors = new ArrayList<>();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                errors.add(e.toString());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; now: " + describe.get()
                        + (errors.isEmpty() ? "" : "; last error: " + errors.get(errors.size() - 1)));
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
