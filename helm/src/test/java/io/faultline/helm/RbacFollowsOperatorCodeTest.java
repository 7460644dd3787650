package io.faultline.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The chart's RBAC follows the operator's code in both directions: each Kubernetes API use found in the sources needs
 * its verbs granted, and each granted verb needs a use in the sources. A use is recognised by a code pattern (an
 * informer on a class, a client call); the table below says which verbs each pattern needs and why.
 */
class RbacFollowsOperatorCodeTest {
    record Use(String description, Pattern code, String resource, Set<String> verbs) {
    }

    private static final List<Use> USES = List.of(
            new Use("FaultSession controller (informer; get when JOSDK edits the resource)",
                    Pattern.compile("implements Reconciler<FaultSession>"), "faultline.io/faultsessions", Set.of("get", "list", "watch")),
            new Use("FaultSession finalizer added and removed by patch", Pattern.compile("implements [^{]*Cleaner<FaultSession>"),
                    "faultline.io/faultsessions", Set.of("patch")),
            new Use("FaultSession status", Pattern.compile("UpdateControl<FaultSession>[\\s\\S]*UpdateControl\\.patchStatus"),
                    "faultline.io/faultsessions/status", Set.of("patch")),
            new Use("QoSProfile controller", Pattern.compile("implements Reconciler<QoSProfile>"), "faultline.io/qosprofiles",
                    Set.of("get", "list", "watch")),
            new Use("QoSProfile status", Pattern.compile("UpdateControl<QoSProfile>[\\s\\S]*UpdateControl\\.patchStatus"),
                    "faultline.io/qosprofiles/status", Set.of("patch")),
            new Use("pods informer", Pattern.compile("from\\(Pod\\.class"), "/pods", Set.of("list", "watch")),
            new Use("namespaces informer", Pattern.compile("from\\(Namespace\\.class|namespaces\\(\\)\\.withLabel"), "/namespaces",
                    Set.of("list", "watch")),
            new Use("namespace read", Pattern.compile("namespaces\\(\\)\\.withName\\([^)]*\\)\\.get\\(\\)"), "/namespaces", Set.of("get")),
            new Use("events", Pattern.compile("\\.events\\(\\)"), "/events", Set.of("create")),
            new Use("leader election (JOSDK checks create, update, get; fabric8's LeaseLock renews with a patch)",
                    Pattern.compile("extends LeaderElectionConfiguration"), "coordination.k8s.io/leases",
                    Set.of("create", "get", "update", "patch")),
            new Use("secrets read", Pattern.compile("secrets\\(\\)[^;]*\\.get\\(\\)"), "/secrets", Set.of("get")),
            new Use("secrets created", Pattern.compile("secrets\\(\\)[^;]*\\.create\\(\\)"), "/secrets", Set.of("create")),
            new Use("secrets updated", Pattern.compile("secrets\\(\\)[^;]*\\.update\\(\\)"), "/secrets", Set.of("update")),
            new Use("services listed (InterceptionCheck)", Pattern.compile("services\\(\\)[^;]*\\.list\\(\\)"), "/services",
                    Set.of("list")),
            new Use("ReplicaSet read (a pod's Deployment)", Pattern.compile("replicaSets\\(\\)[^;]*\\.get\\(\\)"), "apps/replicasets",
                    Set.of("get")),
            new Use("Deployment template read", Pattern.compile("deployments\\(\\)[^;]*\\.get\\(\\)"), "apps/deployments", Set.of("get")),
            new Use("Deployment rollout restart", Pattern.compile("deployments\\(\\)[^;]*\\.patch\\("), "apps/deployments", Set.of("patch")),
            new Use("StatefulSet template read", Pattern.compile("statefulSets\\(\\)[^;]*\\.get\\(\\)"), "apps/statefulsets",
                    Set.of("get")),
            new Use("StatefulSet rollout restart", Pattern.compile("statefulSets\\(\\)[^;]*\\.patch\\("), "apps/statefulsets",
                    Set.of("patch")),
            new Use("DaemonSet template read", Pattern.compile("daemonSets\\(\\)[^;]*\\.get\\(\\)"), "apps/daemonsets", Set.of("get")),
            new Use("DaemonSet rollout restart", Pattern.compile("daemonSets\\(\\)[^;]*\\.patch\\("), "apps/daemonsets", Set.of("patch")),
            new Use("webhook configuration read", Pattern.compile("mutatingWebhookConfigurations\\(\\)[^;]*\\.get\\(\\)"),
                    "admissionregistration.k8s.io/mutatingwebhookconfigurations", Set.of("get")),
            new Use("webhook configuration watched (a re-created one gets its caBundle at once)",
                    Pattern.compile("mutatingWebhookConfigurations\\(\\)[^;]*\\.inform\\("),
                    "admissionregistration.k8s.io/mutatingwebhookconfigurations", Set.of("list", "watch")),
            new Use("webhook configuration caBundle", Pattern.compile("mutatingWebhookConfigurations\\(\\)[^;]*\\.update\\(\\)"),
                    "admissionregistration.k8s.io/mutatingwebhookconfigurations", Set.of("update")));

    @Test
    void everyApiUseOfTheOperatorIsGranted() {
        Set<String> granted = granted();
        Set<String> needed = needed();

        assertThat(needed).as("uses found in operator/src/main/java").isNotEmpty();
        assertThat(granted).as("RBAC of the chart vs the operator's API uses").containsAll(needed);
    }

    @Test
    void everyGrantIsUsedByTheOperator() {
        Set<String> unused = new TreeSet<>(granted());
        unused.removeAll(needed());
        assertThat(unused).as("granted but not used by any code in operator/src/main/java (remove them from templates/rbac.yaml)").isEmpty();
    }

    @Test
    void theTableRecognisesTheKnownUses() {
        Set<String> needed = needed();
        assertThat(needed).contains("/pods: list", "/events: create", "apps/replicasets: get", "apps/deployments: patch",
                "apps/statefulsets: patch", "apps/daemonsets: get", "coordination.k8s.io/leases: update",
                "coordination.k8s.io/leases: patch", "admissionregistration.k8s.io/mutatingwebhookconfigurations: watch",
                "faultline.io/faultsessions/status: patch", "faultline.io/faultsessions: patch");
    }

    /** "group/resource: verb" for every verb some role of the default rendering grants (resource names ignored). */
    private static Set<String> granted() {
        Set<String> granted = new TreeSet<>();
        for (JsonNode role : Rbac.roles(Chart.render(Map.of()))) {
            for (JsonNode rule : role.path("rules")) {
                for (String group : ChartDefaultsTest.texts(rule.path("apiGroups"))) {
                    for (String resource : ChartDefaultsTest.texts(rule.path("resources"))) {
                        for (String verb : ChartDefaultsTest.texts(rule.path("verbs"))) {
                            granted.add(group + "/" + resource + ": " + verb);
                        }
                    }
                }
            }
        }
        return granted;
    }

    /** Uses are matched file by file, comments removed. */
    private static Set<String> needed() {
        Set<String> needed = new TreeSet<>();
        for (String source : sources()) {
            for (Use use : USES) {
                if (use.code().matcher(source).find()) {
                    use.verbs().forEach(verb -> needed.add(use.resource() + ": " + verb));
                }
            }
        }
        return needed;
    }

    private static List<String> sources() {
        try (Stream<Path> files = Files.walk(Repo.OPERATOR_SOURCES)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().map(Repo::read)
                    .map(source -> source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", ""))
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
