package io.faultline.kube.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

@WithKubeApiServer
class KubeApiServerTest {
    private static final String WIDGET_CRD = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: widgets.testkit.faultline.io}
            spec:
              group: testkit.faultline.io
              scope: Namespaced
              names: {plural: widgets, singular: widget, kind: Widget}
              versions:
              - name: v1
                served: true
                storage: true
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec:
                        type: object
                        x-kubernetes-validations:
                        - rule: "self.min <= self.max"
                          message: "min must not exceed max"
                        properties:
                          min: {type: integer}
                          max: {type: integer}
            """;

    @Test
    void servesOnLoopbackWithStateUnderTargetAndLeavesTheUsersKubeconfigAlone(KubeApiServer server,
            KubernetesClient admin) throws Exception {
        assertThat(server.url().getHost()).isEqualTo("127.0.0.1");
        assertThat(server.url().getPort()).isPositive();
        assertThat(server.stateDir()).startsWith(Path.of("target").toAbsolutePath());
        assertThat(server.stateDir().resolve("apiserver.crt")).exists();
        assertThat(admin.getKubernetesVersion().getGitVersion()).startsWith("v" + server.version());
        assertThat(admin.namespaces().withName("default").get()).isNotNull();
        Path userKubeconfig = Path.of(System.getProperty("user.home"), ".kube", "config");
        if (Files.exists(userKubeconfig)) {
            assertThat(Files.readString(userKubeconfig)).doesNotContain(server.url().getAuthority());
        }
    }

    @Test
    void appliesMultiDocumentYamlServerSideInOrderWaitingForCrds(KubeApiServer server, KubernetesClient admin) {
        String ns = server.createNamespace("ssa");
        List<HasMetadata> applied = server.apply().inNamespace(ns).yaml(WIDGET_CRD + """
                ---
                # a comment-only document is skipped
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings}
                data: {color: blue}
                ---
                apiVersion: testkit.faultline.io/v1
                kind: Widget
                metadata: {name: w1}
                spec: {min: 1, max: 3}
                """);

        assertThat(applied).extracting(HasMetadata::getKind).containsExactly("CustomResourceDefinition", "ConfigMap",
                "Widget");
        ConfigMap settings = admin.configMaps().inNamespace(ns).withName("settings").get();
        assertThat(settings.getData()).containsEntry("color", "blue");
        assertThat(settings.getMetadata().getManagedFields()).extracting(m -> m.getManager())
                .containsExactly(ServerSideApply.DEFAULT_FIELD_MANAGER);
        GenericKubernetesResource widget = admin.genericKubernetesResources("testkit.faultline.io/v1", "Widget")
                .inNamespace(ns).withName("w1").get();
        assertThat(widget.<Integer>get("spec", "max")).isEqualTo(3);
    }

    @Test
    void aRejectedDocumentReportsTheApiServersMessage(KubeApiServer server) {
        String ns = server.createNamespace("ssa-invalid");
        server.apply().yaml(WIDGET_CRD);

        assertThatThrownBy(() -> server.apply().inNamespace(ns).yaml("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: fine}
                ---
                apiVersion: testkit.faultline.io/v1
                kind: Widget
                metadata: {name: upside-down}
                spec: {min: 5, max: 1}
                """))
                .isInstanceOfSatisfying(ApplyException.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.apiServerMessage()).contains("Widget.testkit.faultline.io \"upside-down\" is invalid")
                            .contains("min must not exceed max");
                    assertThat(e.getMessage()).contains("document 2").contains("Widget " + ns + "/upside-down")
                            .contains("min must not exceed max");
                });
        assertThat(server.adminClient().configMaps().inNamespace(ns).withName("fine").get())
                .as("documents before the rejected one stay applied").isNotNull();
    }

    @Test
    void conflictsNeedForceAndForceTakesOwnership(KubeApiServer server, KubernetesClient admin) {
        String ns = server.createNamespace("ssa-conflict");
        String mine = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared}\ndata: {owner: first}\n";
        String theirs = mine.replace("first", "second");
        server.apply().inNamespace(ns).fieldManager("first").yaml(mine);

        assertThatThrownBy(() -> server.apply().inNamespace(ns).fieldManager("second").yaml(theirs))
                .isInstanceOfSatisfying(ApplyException.class, e -> {
                    assertThat(e.code()).isEqualTo(409);
                    assertThat(e.apiServerMessage()).contains("conflict").contains("first");
                });
        server.apply().inNamespace(ns).fieldManager("second").force().yaml(theirs);
        assertThat(admin.configMaps().inNamespace(ns).withName("shared").get().getData())
                .containsEntry("owner", "second");
    }

    @Test
    void serviceAccountClientsAreAuthorizedByRbacAsTheServiceAccount(KubeApiServer server) {
        String ns = server.createNamespace("rbac");
        server.apply().inNamespace(ns).yaml("""
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: reader}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: read-configmaps}
                rules:
                - {apiGroups: [""], resources: [configmaps], verbs: [get, list]}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: reader-reads-configmaps}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-configmaps}
                subjects:
                - {kind: ServiceAccount, name: reader, namespace: %s}
                """.formatted(ns));

        KubernetesClient impersonating = server.clientAs(ns, "reader");
        KubernetesClient withToken = server.newClient(
                io.fabric8.kubernetes.client.Config.fromKubeconfig(
                        readString(server.kubeconfigs().serviceAccount(ns, "reader"))));
        for (KubernetesClient reader : List.of(impersonating, withToken)) {
            assertThat(reader.configMaps().inNamespace(ns).list().getItems()).isNotNull();
            assertThatThrownBy(() -> reader.secrets().inNamespace(ns).list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(403);
                        assertThat(e.getStatus().getMessage()).contains(
                                "User \"system:serviceaccount:" + ns + ":reader\" cannot list resource \"secrets\"");
                    });
        }
    }

    @Test
    void kubectlUsesTheRunsKubeconfigFiles(KubeApiServer server) {
        String ns = server.createNamespace("kubectl");
        server.apply().inNamespace(ns).yaml("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: nobody}\n");

        assertThat(server.kubectl().run("get", "namespace", ns, "-o", "name").assertSuccess().stdout())
                .isEqualTo("namespace/" + ns + "\n");
        Kubectl asNobody = server.kubectl().withKubeconfig(server.kubeconfigs().impersonating(ns, "nobody"));
        assertThat(asNobody.run("auth", "can-i", "list", "secrets", "-n", ns).stdout().trim()).isEqualTo("no");
        assertThat(server.kubectl().run("auth", "can-i", "list", "secrets", "-n", ns).stdout().trim())
                .isEqualTo("yes");
        Kubectl.Result denied = asNobody.run("get", "secrets", "-n", ns);
        assertThat(denied.exitCode()).isNotZero();
        assertThat(denied.stderr()).contains("system:serviceaccount:" + ns + ":nobody").contains("forbidden");
        assertThat(server.kubectl().runWithInput("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: piped}\n",
                "apply", "--server-side", "-n", ns, "-f", "-").assertSuccess().stdout())
                .contains("configmap/piped serverside-applied");
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
