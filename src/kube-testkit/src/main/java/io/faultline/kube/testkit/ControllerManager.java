package io.faultline.kube.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * kube-controller-manager, started against a {@link KubeApiServer} with admin credentials: Deployments make
 * ReplicaSets and Pods, the garbage collector deletes dependents, deleted namespaces are emptied and removed,
 * ServiceAccounts {@code default} appear in new namespaces. Node-, volume- and cloud-related controllers are off
 * (there are no nodes). It serves no port ({@code --secure-port 0}); its log is
 * {@code <state>/kube-controller-manager.log}.
 */
public final class ControllerManager implements AutoCloseable {
    private static final Duration READY = Duration.ofSeconds(120);
    private static final String CONTROLLERS = "*,-nodeipam,-nodelifecycle,-persistentvolume-binder,-attachdetach,"
            + "-persistentvolume-expander,-cloud-node-lifecycle,-ttl,-bootstrapsigner,-tokencleaner";

    private final Process process;
    private final Path log;

    private ControllerManager(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ControllerManager start(KubeApiServer server) {
        Path binary = server.binaries().kubeControllerManager();
        if (!Files.isExecutable(binary)) {
            throw new KubeBinariesAbsentException("no kube-controller-manager at " + binary
                    + " (jenvtest does not download it: run ../shared/k8s/install)", null);
        }
        String kubeconfig = server.kubeconfigs().admin().toString();
        Path log = server.stateDir().resolve("kube-controller-manager.log");
        List<String> command = List.of(binary.toString(),
                "--kubeconfig", kubeconfig,
                "--authentication-kubeconfig", kubeconfig,
                "--authorization-kubeconfig", kubeconfig,
                "--bind-address", "127.0.0.1",
                "--secure-port", "0",
                "--leader-elect=false",
                "--use-service-account-credentials=false",
                "--service-account-private-key-file", server.serviceAccountSigningKey().toString(),
                "--root-ca-file", server.servingCertificate().toString(),
                "--controllers", CONTROLLERS);
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
        ControllerManager manager = new ControllerManager(process, log);
        try {
            manager.awaitRunning(server);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        return manager;
    }

    /**
     * Running means controllers act: the ServiceAccount controller gives a new namespace its {@code default}
     * ServiceAccount (the probe namespace is deleted again, which the namespace controller then finishes).
     */
    private void awaitRunning(KubeApiServer server) {
        String probe = server.createNamespace("kcm-ready");
        try {
            long deadline = System.nanoTime() + READY.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("kube-controller-manager exited with " + process.exitValue()
                            + "; last lines of " + log + ":\n" + tail());
                }
                if (server.adminClient().serviceAccounts().inNamespace(probe).withName("default").get() != null) {
                    return;
                }
                Pause.millis(200);
            }
            throw new IllegalStateException("kube-controller-manager did not create ServiceAccount " + probe
                    + "/default within " + READY + "; last lines of " + log + ":\n" + tail());
        } finally {
            server.adminClient().namespaces().withName(probe).delete();
        }
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** The last 40 lines of the log, for failure messages. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
