package io.faultline.kube.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.jenvtest.KubeAPIServer;
import io.javaoperatorsdk.jenvtest.KubeAPIServerConfigBuilder;

/**
 * A real kube-apiserver and etcd (jenvtest) for tests. Start one with {@link #start()} (or let
 * {@link WithKubeApiServer} share one per test class or per test JVM) and {@link #close()} it when done.
 *
 * <ul>
 * <li>State (certificates, kubeconfig files, logs) lives in a fresh directory under {@code target/kube-apiserver/}
 * ({@code -Dfaultline.kube.state-root} to move it); {@code ~/.kube/config} is never touched.</li>
 * <li>The API server listens on 127.0.0.1 only, on an ephemeral port; etcd on ephemeral ports too.</li>
 * <li>Authorization is RBAC. The admin client is in {@code system:masters}; {@link #clientAs} impersonates a
 * ServiceAccount so that RBAC decides exactly as for the real ServiceAccount.</li>
 * <li>No kubelet, no scheduler: pods stay Pending unless a test patches their status.
 * {@link #startControllerManager()} adds kube-controller-manager (Deployments, ReplicaSets, GC, namespace
 * deletion).</li>
 * </ul>
 */
public final class KubeApiServer implements AutoCloseable {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final int START_ATTEMPTS = 3;
    private static final int STARTUP_TIMEOUT_MILLIS = 180_000;

    private final KubeBinaries binaries;
    private final Path stateDir;
    private final KubeAPIServer server;
    private final String kubeconfigYaml;
    private final URI url;
    private final List<AutoCloseable> owned = new CopyOnWriteArrayList<>();
    private final Thread shutdownHook;
    private volatile KubernetesClient adminClient;
    private volatile ControllerManager controllerManager;
    private volatile boolean closed;

    private KubeApiServer(KubeBinaries binaries, Path stateDir, KubeAPIServer server) {
        this.binaries = binaries;
        this.stateDir = stateDir;
        this.server = server;
        this.kubeconfigYaml = server.getKubeConfigYaml();
        this.url = URI.create(Config.fromKubeconfig(kubeconfigYaml).getMasterUrl());
        this.shutdownHook = new Thread(this::stopQuietly, "kube-apiserver-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts etcd and kube-apiserver with the default flags. */
    public static KubeApiServer start() {
        return start(List.of());
    }

    /**
     * Starts etcd and kube-apiserver; {@code extraFlags} are added to kube-apiserver's command line (each flag and
     * its value as separate items: {@code List.of("--feature-gates", "X=true")}).
     *
     * @throws KubeBinariesAbsentException when the binaries are not installed and cannot be downloaded
     */
    public static KubeApiServer start(List<String> extraFlags) {
        KubeBinaries binaries = KubeBinaries.locate();
        RuntimeException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            Path stateDir = newStateDir(binaries);
            KubeAPIServer server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                    .withJenvtestDir(stateDir.toString())
                    .withApiServerVersion(binaries.version())
                    .withOfflineMode(binaries.installed())
                    .withUpdateKubeConfig(false)
                    .withStartupTimeout(STARTUP_TIMEOUT_MILLIS)
                    .withApiServerFlag("--bind-address", "127.0.0.1")
                    .withApiServerFlags(extraFlags)
                    .build());
            boolean wasInstalled = binaries.installed();
            try {
                server.start();
                return new KubeApiServer(binaries, stateDir, server);
            } catch (RuntimeException e) {
                stop(server);
                if (!wasInstalled && !binaries.installed()) {
                    throw new KubeBinariesAbsentException(binaries.absenceReason() + ": " + e, e);
                }
                // jenvtest picks its ports by binding port 0 and closing it: another process may take one first.
                last = e;
            }
        }
        throw new IllegalStateException("kube-apiserver " + binaries.version() + " did not start in "
                + START_ATTEMPTS + " attempts (state under " + stateRoot() + ")", last);
    }

    private static Path stateRoot() {
        return Path.of(System.getProperty("faultline.kube.state-root", "target/kube-apiserver")).toAbsolutePath();
    }

    private static Path newStateDir(KubeBinaries binaries) {
        String name = "run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet();
        Path dir = stateRoot().resolve(name);
        try {
            Files.createDirectories(dir);
            // jenvtest looks for binaries in <its dir>/k8s: point that at the shared binary folder (a download
            // lands there too).
            Files.createDirectories(binaries.binaryRoot());
            Files.createSymbolicLink(dir.resolve("k8s"), binaries.binaryRoot());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir, e);
        }
        return dir;
    }

    /** The Kubernetes version of this server, e.g. {@code 1.36.2}. */
    public String version() {
        return binaries.version();
    }

    public KubeBinaries binaries() {
        return binaries;
    }

    /** This run's directory: certificates, kubeconfig files, controller-manager log. */
    public Path stateDir() {
        return stateDir;
    }

    /** {@code https://127.0.0.1:<port>} */
    public URI url() {
        return url;
    }

    /** Admin credentials (client certificate in system:masters) as kubeconfig YAML. */
    public String kubeconfigYaml() {
        return kubeconfigYaml;
    }

    /** A fresh fabric8 Config with admin credentials. */
    public Config adminConfig() {
        return Config.fromKubeconfig(kubeconfigYaml);
    }

    /** The admin client, shared; closed with the server. */
    public KubernetesClient adminClient() {
        KubernetesClient client = adminClient;
        if (client == null) {
            synchronized (this) {
                if (adminClient == null) {
                    adminClient = newClient(adminConfig());
                }
                client = adminClient;
            }
        }
        return client;
    }

    /**
     * A client whose requests the API server authorizes as ServiceAccount {@code namespace/name} (impersonation of
     * user {@code system:serviceaccount:NS:NAME} with groups {@code system:serviceaccounts} and
     * {@code system:serviceaccounts:NS}). Closed with the server.
     */
    public KubernetesClient clientAs(String namespace, String serviceAccount) {
        Config config = adminConfig();
        config.setImpersonateUsername(ServiceAccounts.username(namespace, serviceAccount));
        config.setImpersonateGroups(ServiceAccounts.groups(namespace));
        return newClient(config);
    }

    /** A client with the given configuration, closed with the server. */
    public KubernetesClient newClient(Config config) {
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        owned.add(client);
        return client;
    }

    /** Server-side apply with the admin client (field manager {@value ServerSideApply#DEFAULT_FIELD_MANAGER}). */
    public ServerSideApply apply() {
        return new ServerSideApply(adminClient());
    }

    /** Writes kubeconfig files for kubectl or an operator process. */
    public Kubeconfigs kubeconfigs() {
        return new Kubeconfigs(this);
    }

    /** The real kubectl, with admin credentials. */
    public Kubectl kubectl() {
        return new Kubectl(binaries.kubectl(), kubeconfigs().admin(), stateDir.resolve("kubectl-cache"));
    }

    /**
     * Starts kube-controller-manager against this server (once; later calls return the running one). It is
     * stopped with the server.
     */
    public synchronized ControllerManager startControllerManager() {
        if (controllerManager == null || !controllerManager.isRunning()) {
            controllerManager = ControllerManager.start(this);
        }
        return controllerManager;
    }

    /** Creates a namespace named {@code prefix-<random>} (tests sharing a server keep apart by namespace). */
    public String createNamespace(String prefix, Map<String, String> labels) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        adminClient().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
                .withLabels(labels).endMetadata().build()).create();
        return name;
    }

    public String createNamespace(String prefix) {
        return createNamespace(prefix, Map.of());
    }

    /** The certificate kube-apiserver serves with (also its ServiceAccount token signing key's certificate). */
    Path servingCertificate() {
        return stateDir.resolve("apiserver.crt");
    }

    /** The private key that signs ServiceAccount tokens. */
    Path serviceAccountSigningKey() {
        return stateDir.resolve("apiserver.key");
    }

    Path clientCertificate() {
        return stateDir.resolve("client.crt");
    }

    Path clientKey() {
        return stateDir.resolve("client.key");
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    private synchronized void stopQuietly() {
        if (closed) {
            return;
        }
        closed = true;
        List<AutoCloseable> toClose = new ArrayList<>(owned);
        if (controllerManager != null) {
            toClose.add(0, controllerManager);
        }
        if (adminClient != null) {
            toClose.add(adminClient);
        }
        for (AutoCloseable resource : toClose) {
            try {
                resource.close();
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
        stop(server);
    }

    private static void stop(KubeAPIServer server) {
        try {
            server.stop();
        } catch (RuntimeException e) {
            // already stopped, or never started
        }
    }

    @Override
    public String toString() {
        return "kube-apiserver " + version() + " at " + url + " (state " + stateDir + ")";
    }
}
