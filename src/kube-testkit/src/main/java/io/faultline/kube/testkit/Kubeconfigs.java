package io.faultline.kube.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;

/**
 * Kubeconfig files in the run's state directory ({@code <state>/kubeconfig/}), to give to kubectl or to an operator
 * process ({@code KUBECONFIG=<file>}). Every file names one cluster, one user and one current context.
 *
 * <ul>
 * <li>{@link #admin()}: the admin client certificate (system:masters).</li>
 * <li>{@link #serviceAccount}: a bearer token of the ServiceAccount (TokenRequest API): the process authenticates
 * <em>as</em> the ServiceAccount, so RBAC decides exactly as in a cluster. Use this one for an operator process:
 * fabric8 ignores a kubeconfig's {@code as:} field.</li>
 * <li>{@link #impersonating}: admin credentials plus {@code as: system:serviceaccount:NS:NAME} and the
 * ServiceAccount groups; kubectl honours it, fabric8 does not.</li>
 * </ul>
 */
public final class Kubeconfigs {
    /** Token lifetime for {@link #serviceAccount}: longer than any test run. */
    public static final Duration TOKEN_LIFETIME = Duration.ofHours(24);

    private final KubeApiServer server;

    Kubeconfigs(KubeApiServer server) {
        this.server = server;
    }

    public Path admin() {
        return write("admin.yaml", user("admin", "    client-certificate: " + server.clientCertificate() + "\n"
                + "    client-key: " + server.clientKey() + "\n"));
    }

    /**
     * Admin credentials that kubectl turns into impersonation of ServiceAccount {@code namespace/name}
     * ({@code kubectl --as=system:serviceaccount:NS:NAME --as-group ...}).
     */
    public Path impersonating(String namespace, String name) {
        StringBuilder user = new StringBuilder();
        user.append("    client-certificate: ").append(server.clientCertificate()).append('\n');
        user.append("    client-key: ").append(server.clientKey()).append('\n');
        user.append("    as: ").append(ServiceAccounts.username(namespace, name)).append('\n');
        user.append("    as-groups:\n");
        for (String group : ServiceAccounts.groups(namespace)) {
            user.append("    - ").append(group).append('\n');
        }
        return write("impersonate-" + namespace + "-" + name + ".yaml", user(namespace + "-" + name, user.toString()));
    }

    /**
     * A kubeconfig holding a token of ServiceAccount {@code namespace/name} (which must exist), valid for
     * {@link #TOKEN_LIFETIME}. The API server authenticates it as that ServiceAccount.
     */
    public Path serviceAccount(String namespace, String name) {
        return write("serviceaccount-" + namespace + "-" + name + ".yaml",
                user(namespace + "-" + name, "    token: " + token(namespace, name) + "\n"));
    }

    /** A token of ServiceAccount {@code namespace/name}, from the TokenRequest API. */
    public String token(String namespace, String name) {
        TokenRequest request = new TokenRequestBuilder().withNewSpec()
                .withExpirationSeconds(TOKEN_LIFETIME.toSeconds()).endSpec().build();
        TokenRequest answer = server.adminClient().serviceAccounts().inNamespace(namespace).withName(name)
                .tokenRequest(request);
        return answer.getStatus().getToken();
    }

    private String user(String userName, String userFields) {
        return "apiVersion: v1\n"
                + "kind: Config\n"
                + "clusters:\n"
                + "- name: faultline-test\n"
                + "  cluster:\n"
                + "    server: " + server.url() + "\n"
                + "    certificate-authority: " + server.servingCertificate() + "\n"
                + "users:\n"
                + "- name: " + userName + "\n"
                + "  user:\n"
                + userFields
                + "contexts:\n"
                + "- name: faultline-test\n"
                + "  context:\n"
                + "    cluster: faultline-test\n"
                + "    user: " + userName + "\n"
                + "    namespace: default\n"
                + "current-context: faultline-test\n";
    }

    private Path write(String fileName, String content) {
        Path file = server.stateDir().resolve("kubeconfig").resolve(fileName);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }
}
