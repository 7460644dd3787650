package io.faultline.operator.restart;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.faultline.crds.FaultSession;
import io.faultline.crds.common.PodSelector;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.status.PodState;
import io.faultline.crds.status.SessionPhase;
import io.faultline.operator.reconciler.EventRecorder;
import io.faultline.operator.sidecar.SidecarPods;
import io.faultline.operator.status.PodOutcome;
import io.faultline.operator.webhook.InjectionSettings;

/**
 * Workload restarts against the fabric8 mock API server in CRUD mode: real ownership chains (Deployment → ReplicaSet →
 * Pod, StatefulSet → Pod, DaemonSet → Pod), the restart as a patch of the pod template, the ledger that forbids a second
 * restart for the same session generation, the operator-wide pacing, and the cases where a restart is pointless.
 */
@EnableKubernetesMockClient(crud = true)
class WorkloadRestartsTest {
    static KubernetesClient client;

    private static final Duration INTERVAL = Duration.ofSeconds(30);
    private static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");
    private static int namespaces;

    private String ns;
    private WorkloadRestarts restarts;

    @BeforeEach
    void freshNamespace() {
        ns = "shop-" + (++namespaces);
        restarts = new WorkloadRestarts(new WorkloadApi(client), new EventRecorder(client), InjectionSettings.defaults("faultline-system"),
                INTERVAL);
    }

    @Test
    void aDeploymentIsFoundThroughItsReplicaSetAndRolledOncePerSessionGeneration() {
        namespace(true);
        deployment("checkout");
        replicaSet("checkout-7d9f", "checkout");
        Pod pod = pod("checkout-7d9f-a", "ReplicaSet", "checkout-7d9f", false);
        FaultSession session = session(1);

        WorkloadRestarts.Result first = restarts.review(session, SessionPhase.Active, awaiting(pod), pods(), labels(), T0);

        Map<String, String> template = template("Deployment", "checkout");
        assertThat(template).containsEntry(WorkloadApi.RESTARTED_AT, T0.toString());
        assertThat(template.get(WorkloadApi.RESTARTED_FOR)).isEqualTo(RestartLedger.entry(session)).startsWith("latency@1#");
        assertThat(first.pods().get(0).message()).contains("restarting Deployment checkout");
        assertThat(first.retryAfter()).isEmpty();
        assertThat(events("WorkloadRestarted")).singleElement().satisfies(e -> {
            assertThat(e.getMessage()).contains("Deployment checkout", "checkout-7d9f-a");
            assertThat(e.getInvolvedObject().getKind()).isEqualTo("FaultSession");
            assertThat(e.getType()).isEqualTo("Normal");
        });

        // the old pod is still there while the rollout runs: an hour later, the same generation restarts nothing
        WorkloadRestarts.Result again = restarts.review(session, SessionPhase.Active, awaiting(pod), pods(), labels(), T0.plusSeconds(3600));
        assertThat(template("Deployment", "checkout")).containsEntry(WorkloadApi.RESTARTED_AT, T0.toString());
        assertThat(again.pods().get(0).message()).contains("was restarted for this session generation", "as the rollout replaces them");
        assertThat(events("WorkloadRestarted")).hasSize(1);

        // a pod created by that restart that still has no sidecar: the webhook did not inject it, said plainly
        Pod fromRestart = pod("checkout-7d9f-b", "ReplicaSet", "checkout-7d9f", false,
                Map.of(WorkloadApi.RESTARTED_FOR, RestartLedger.entry(session)));
        assertThat(restarts.review(session, SessionPhase.Active, awaiting(fromRestart), pods(), labels(), T0.plusSeconds(3700))
                .pods().get(0).message()).contains("created by that restart, has no sidecar: the webhook did not inject it");

        // the session is edited (generation 2): one more restart, recorded next to the first
        FaultSession edited = session(2);
        edited.getMetadata().setUid(session.getMetadata().getUid());
        restarts.review(edited, SessionPhase.Active, awaiting(pod), pods(), labels(), T0.plusSeconds(7200));
        assertThat(template("Deployment", "checkout")).containsEntry(WorkloadApi.RESTARTED_AT, T0.plusSeconds(7200).toString())
                .containsEntry(WorkloadApi.RESTARTED_FOR, RestartLedger.entry(session) + "," + RestartLedger.entry(edited));
        assertThat(events("WorkloadRestarted")).hasSize(2);
    }

    @Test
    void workloadsAreRestartedOneAtATimeAtLeastTheIntervalApartStatefulSetsAndDaemonSetsToo() {
        namespace(true);
        deployment("checkout");
        replicaSet("checkout-7d9f", "checkout");
        statefulSet("db");
        daemonSet("agent");
        Pod web = pod("checkout-7d9f-a", "ReplicaSet", "checkout-7d9f", false);
        Pod db = pod("db-0", "StatefulSet", "db", false);
        Pod agent = pod("agent-x1", "DaemonSet", "agent", false);
        FaultSession session = session(1);
        List<PodOutcome> outcomes = awaiting(web, db, agent);

        WorkloadRestarts.Result r0 = restarts.review(session, SessionPhase.Active, outcomes, pods(), labels(), T0);
        assertThat(restarted()).containsExactly("DaemonSet agent");
        assertThat(r0.retryAfter()).contains(INTERVAL);
        assertThat(message(r0, "db-0")).contains("waiting to restart StatefulSet db", "one workload at a time");

        WorkloadRestarts.Result r1 = restarts.review(session, SessionPhase.Active, outcomes, pods(), labels(), T0.plusSeconds(10));
        assertThat(restarted()).containsExactly("DaemonSet agent");
        assertThat(r1.retryAfter()).contains(Duration.ofSeconds(20));

        WorkloadRestarts.Result r2 = restarts.review(session, SessionPhase.Active, outcomes, pods(), labels(), T0.plusSeconds(30));
        assertThat(restarted()).containsExactly("DaemonSet agent", "Deployment checkout");
        assertThat(r2.retryAfter()).contains(INTERVAL);

        // the pacing is operator-wide: another session asking for the last workload waits its turn as well
        FaultSession other = session(1);
        other.getMetadata().setName("errors");
        other.getMetadata().setUid("0the0-session");
        restarts.review(other, SessionPhase.Active, awaiting(db), pods(), labels(), T0.plusSeconds(59));
        assertThat(restarted()).containsExactly("DaemonSet agent", "Deployment checkout");
        WorkloadRestarts.Result r3 = restarts.review(other, SessionPhase.Active, awaiting(db), pods(), labels(), T0.plusSeconds(60));
        assertThat(restarted()).containsExactly("DaemonSet agent", "Deployment checkout", "StatefulSet db");
        assertThat(r3.retryAfter()).isEmpty();
        assertThat(template("StatefulSet", "db")).containsEntry(WorkloadApi.RESTARTED_AT, T0.plusSeconds(60).toString());
        assertThat(events("WorkloadRestarted")).hasSize(3);
    }

    @Test
    void nothingIsRestartedWhereTheWebhookWouldNotInjectAndTheStatusAndOneEventSayWhy() {
        namespace(false);
        deployment("checkout");
        replicaSet("checkout-7d9f", "checkout");
        Pod a = pod("checkout-7d9f-a", "ReplicaSet", "checkout-7d9f", false);
        Pod b = pod("checkout-7d9f-b", "ReplicaSet", "checkout-7d9f", false);
        FaultSession session = session(1);

        WorkloadRestarts.Result result = restarts.review(session, SessionPhase.Active, awaiting(a, b), pods(), labels(), T0);
        restarts.review(session, SessionPhase.Active, awaiting(a, b), pods(), labels(), T0.plusSeconds(120));

        assertThat(template("Deployment", "checkout")).doesNotContainKey(WorkloadApi.RESTARTED_AT);
        assertThat(result.pods()).allSatisfy(p -> assertThat(p.message())
                .contains("no faultline-sidecar container", "not restarted", "NotOptedIn", "faultline.io/injection=enabled",
                        "would bring it back without the sidecar"));
        assertThat(events("WorkloadRestartSkipped")).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).contains("checkout-7d9f-a", "checkout-7d9f-b", "NotOptedIn");
        });
        assertThat(events("WorkloadRestarted")).isEmpty();
    }

    @Test
    void aPodOptedOutByAnnotationIsNotRestartedInAnOptedInNamespace() {
        namespace(true);
        deployment("checkout");
        replicaSet("checkout-7d9f", "checkout");
        Pod pod = pod("checkout-7d9f-a", "ReplicaSet", "checkout-7d9f", false, Map.of("faultline.io/inject", "false"));

        WorkloadRestarts.Result result = restarts.review(session(1), SessionPhase.Active, awaiting(pod), pods(), labels(), T0);

        assertThat(template("Deployment", "checkout")).doesNotContainKey(WorkloadApi.RESTARTED_AT);
        assertThat(result.pods().get(0).message()).contains("OptedOut");
    }

    @Test
    void podsThatAlreadyHaveTheSidecarNeverCauseARestart() {
        namespace(true);
        deployment("checkout");
        replicaSet("checkout-7d9f", "checkout");
        Pod injected = pod("checkout-7d9f-a", "ReplicaSet", "checkout-7d9f", true);
        List<PodOutcome> outcomes = List.of(new PodOutcome(injected.getMetadata().getName(), PodState.Configured, "v1", null));

        WorkloadRestarts.Result result = restarts.review(session(1), SessionPhase.Active, outcomes, pods(), labels(), T0);
        // even when the outcome lags behind the pod (it is AwaitingInjection but the pod has the sidecar)
        restarts.review(session(1), SessionPhase.Active, awaiting(injected), pods(), labels(), T0);

        assertThat(template("Deployment", "checkout")).doesNotContainKey(WorkloadApi.RESTARTED_AT);
        assertThat(result.pods()).isEqualTo(outcomes);
        assertThat(events("WorkloadRestarted")).isEmpty();
        assertThat(events("WorkloadRestartSkipped")).isEmpty();
    }

    @Test
    void podsWithoutARestartableWorkloadAreNamedWithTheReason() {
        namespace(true);
        Pod bare = pod("debug", null, null, false);
        Pod job = pod("migrate-x", "Job", "migrate", false);
        replicaSetWithoutOwner("legacy-1");
        Pod orphan = pod("legacy-1-a", "ReplicaSet", "legacy-1", false);

        WorkloadRestarts.Result result = restarts.review(session(1), SessionPhase.Active, awaiting(bare, job, orphan), pods(), labels(), T0);

        assertThat(message(result, "debug")).contains("not restarted", "bare pod");
        assertThat(message(result, "migrate-x")).contains("owned by Job migrate", "not by a Deployment, StatefulSet or DaemonSet");
        assertThat(message(result, "legacy-1-a")).contains("ReplicaSet legacy-1 belongs to no Deployment");
        assertThat(events("WorkloadRestartSkipped")).hasSize(3);
    }

    @Test
    void withoutRestartWorkloadsOrOutsideActiveAndPendingNothingHappens() {
        namespace(true);
        statefulSet("db");
        Pod db = pod("db-0", "StatefulSet", "db", false);
        FaultSession off = session(1);
        off.getSpec().restartWorkloads = null;

        WorkloadRestarts.Result result = restarts.review(off, SessionPhase.Active, awaiting(db), pods(), labels(), T0);
        restarts.review(session(1), SessionPhase.Expired, awaiting(db), pods(), labels(), T0);
        restarts.review(session(1), SessionPhase.Paused, awaiting(db), pods(), labels(), T0);

        assertThat(template("StatefulSet", "db")).doesNotContainKey(WorkloadApi.RESTARTED_AT);
        assertThat(result.pods().get(0).message()).isEqualTo("no faultline-sidecar container");
        // Pending (scheduled) sessions do restart: the pods are ready with the sidecar when the session starts
        restarts.review(session(1), SessionPhase.Pending, awaiting(db), pods(), labels(), T0);
        assertThat(template("StatefulSet", "db")).containsKey(WorkloadApi.RESTARTED_AT);
    }

    // --- fixtures ---

    private void namespace(boolean optedIn) {
        NamespaceBuilder builder = new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata();
        if (optedIn) {
            builder.editMetadata().addToLabels("faultline.io/injection", "enabled").endMetadata();
        }
        client.namespaces().resource(builder.build()).create();
    }

    private Map<String, String> labels() {
        return client.namespaces().withName(ns).get().getMetadata().getLabels();
    }

    private static PodTemplateSpec template() {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", "x").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("shop/app:1").endContainer().endSpec().build();
    }

    private void deployment(String name) {
        client.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "x").endSelector().withTemplate(template()).endSpec().build())
                .create();
    }

    private void statefulSet(String name) {
        client.apps().statefulSets().inNamespace(ns).resource(new StatefulSetBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "x").endSelector().withTemplate(template()).endSpec().build())
                .create();
    }

    private void daemonSet(String name) {
        client.apps().daemonSets().inNamespace(ns).resource(new DaemonSetBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "x").endSelector().withTemplate(template()).endSpec().build())
                .create();
    }

    private void replicaSet(String name, String deployment) {
        client.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder().withNewMetadata().withName(name)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment").withName(deployment)
                        .withUid("uid-" + deployment).withController(true).build())
                .endMetadata().withNewSpec().withNewSelector().addToMatchLabels("app", "x").endSelector().withTemplate(template())
                .endSpec().build()).create();
    }

    private void replicaSetWithoutOwner(String name) {
        client.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "x").endSelector().withTemplate(template()).endSpec().build())
                .create();
    }

    private Pod pod(String name, String ownerKind, String ownerName, boolean withSidecar) {
        return pod(name, ownerKind, ownerName, withSidecar, Map.of());
    }

    private Pod pod(String name, String ownerKind, String ownerName, boolean withSidecar, Map<String, String> annotations) {
        PodBuilder builder = new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).addToLabels("app", "x")
                .withAnnotations(annotations).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("shop/app:1").endContainer().endSpec();
        if (ownerKind != null) {
            builder.editMetadata().withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(ownerKind.equals("Job") ? "batch/v1"
                    : "apps/v1").withKind(ownerKind).withName(ownerName).withUid("uid-" + ownerName).withController(true).build())
                    .endMetadata();
        }
        if (withSidecar) {
            builder.editSpec().addNewContainer().withName(SidecarPods.SIDECAR_CONTAINER).withImage("faultline/sidecar:0.1").endContainer()
                    .endSpec();
        }
        return client.pods().inNamespace(ns).resource(builder.build()).create();
    }

    private List<Pod> pods() {
        return client.pods().inNamespace(ns).list().getItems();
    }

    private static List<PodOutcome> awaiting(Pod... pods) {
        List<PodOutcome> outcomes = new ArrayList<>();
        for (Pod pod : pods) {
            outcomes.add(new PodOutcome(pod.getMetadata().getName(), PodState.AwaitingInjection, null, "no faultline-sidecar container"));
        }
        return outcomes;
    }

    private FaultSession session(long generation) {
        FaultSession session = new FaultSession();
        session.getMetadata().setName("latency");
        session.getMetadata().setNamespace(ns);
        session.getMetadata().setUid("5e551011-0000-4000-8000-" + ns.replace("-", "").substring(0, Math.min(12, ns.length() - 1)));
        session.getMetadata().setGeneration(generation);
        FaultSessionSpec spec = new FaultSessionSpec();
        spec.selector = new PodSelector(Map.of("app", "x"));
        spec.restartWorkloads = true;
        session.setSpec(spec);
        return session;
    }

    private Map<String, String> template(String kind, String name) {
        PodTemplateSpec template;
        switch (kind) {
            case "Deployment" -> template = client.apps().deployments().inNamespace(ns).withName(name).get().getSpec().getTemplate();
            case "StatefulSet" -> template = client.apps().statefulSets().inNamespace(ns).withName(name).get().getSpec().getTemplate();
            default -> template = client.apps().daemonSets().inNamespace(ns).withName(name).get().getSpec().getTemplate();
        }
        return Optional.ofNullable(template.getMetadata().getAnnotations()).orElse(Map.of());
    }

    /** The workloads of the namespace whose template was restarted, in the order of their restartedAt. */
    private List<String> restarted() {
        List<Map.Entry<String, String>> found = new ArrayList<>();
        client.apps().deployments().inNamespace(ns).list().getItems().forEach(d -> add(found, "Deployment " + d.getMetadata().getName(),
                d.getSpec().getTemplate()));
        client.apps().statefulSets().inNamespace(ns).list().getItems().forEach(d -> add(found, "StatefulSet " + d.getMetadata().getName(),
                d.getSpec().getTemplate()));
        client.apps().daemonSets().inNamespace(ns).list().getItems().forEach(d -> add(found, "DaemonSet " + d.getMetadata().getName(),
                d.getSpec().getTemplate()));
        found.sort(Map.Entry.comparingByValue());
        return found.stream().map(Map.Entry::getKey).toList();
    }

    private static void add(List<Map.Entry<String, String>> found, String workload, PodTemplateSpec template) {
        Map<String, String> annotations = template.getMetadata().getAnnotations();
        if (annotations != null && annotations.containsKey(WorkloadApi.RESTARTED_AT)) {
            found.add(Map.entry(workload, annotations.get(WorkloadApi.RESTARTED_AT)));
        }
    }

    private List<Event> events(String reason) {
        return client.v1().events().inNamespace(ns).list().getItems().stream().filter(e -> reason.equals(e.getReason())).toList();
    }

    private static String message(WorkloadRestarts.Result result, String pod) {
        return result.pods().stream().filter(p -> p.podName().equals(pod)).findFirst().orElseThrow().message();
    }
}
